"""Installing the app: Chromium's own installability check, the icons, the Install button, the iOS hint."""

from __future__ import annotations

import pytest

from conftest import CHROMIUM

pytestmark = pytest.mark.browser


@pytest.fixture
def profile_page(browser, tmp_path):
    """A page in a real (not incognito) profile: Chromium installs nothing from incognito."""
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile",
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"],
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def test_chromium_finds_nothing_in_the_way_of_installing_and_every_icon_loads(
    profile_page, live_server
):
    page = profile_page
    page.goto(f"{live_server}/card")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors
    data = page.evaluate("() => fetch('/manifest.webmanifest').then(r => r.json())")
    sources = [icon["src"] for icon in data["icons"]]
    sources += [icon["src"] for shortcut in data["shortcuts"] for icon in shortcut["icons"]]
    sources.append(page.locator('link[rel="apple-touch-icon"]').get_attribute("href"))
    sizes = page.evaluate(
        """sources => Promise.all(sources.map(src => new Promise((resolve) => {
            const image = new Image();
            image.onload = () => resolve([src, image.naturalWidth, image.naturalHeight]);
            image.onerror = () => resolve([src, 0, 0]);
            image.src = src;
        })))""",
        sources,
    )
    declared = {icon["src"]: icon["sizes"] for icon in data["icons"]}
    for src, width, height in sizes:
        assert width > 0, f"{src} did not load"
        if src in declared:
            assert declared[src] == f"{width}x{height}"
        if "apple-touch-icon" in src:
            assert (width, height) == (180, 180)
    purposes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
