"""Installing the app: Chromium's own installability check, the icons, the Install button, the iOS hint."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import CHROMIUM, _phone_context, browser_sign_in

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


OFFER = """() => {
    const offer = new Event("beforeinstallprompt", { cancelable: true });
    offer.prompt = () => { window.promptedTimes = (window.promptedTimes || 0) + 1; return Promise.resolve(); };
    offer.userChoice = Promise.resolve({ outcome: "accepted" });
    window.dispatchEvent(offer);
    return offer.defaultPrevented;
}"""


def test_the_install_button_shows_only_once_the_browser_offers_and_goes_once_installed(
    page, live_server, alice
):
    browser_sign_in(page, live_server, alice)
    install = page.get_by_role("button", name="Install the app")
    expect(install).to_be_hidden()
    assert page.evaluate(OFFER) is True  # the browser's own mini-bar is held back for the button
    expect(install).to_be_visible()
    # A tab tap (a boosted navigation) swaps the header: the offer still stands.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Challenge").tap()
    expect(page).to_have_url(f"{live_server}/challenge")
    expect(install).to_be_visible()
    install.tap()
    assert page.evaluate("window.promptedTimes") == 1
    expect(install).to_be_hidden()
    page.evaluate(OFFER)
    expect(install).to_be_visible()
    page.evaluate("() => window.dispatchEvent(new Event('appinstalled'))")
    expect(install).to_be_hidden()


def test_inside_the_installed_app_no_install_button_shows(browser, live_server, alice):
    context = _phone_context(browser)
    # Chromium cannot emulate display-mode: answer the query as the installed app would.
    context.add_init_script(
        """const real = window.matchMedia.bind(window);
        window.matchMedia = (query) => query.includes("display-mode: standalone")
            ? { matches: true, media: query, addEventListener() {}, removeEventListener() {} }
            : real(query);"""
    )
    page = context.new_page()
    page.set_default_timeout(10000)
    browser_sign_in(page, live_server, alice)
    page.wait_for_load_state("load")
    page.evaluate(OFFER)
    expect(page.get_by_role("button", name="Install the app")).to_be_hidden()
    context.close()


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def test_on_an_iphone_a_one_time_hint_shows_the_home_screen_steps(browser, live_server, alice):
    context = _phone_context(browser, user_agent=IPHONE)
    page = context.new_page()
    page.set_default_timeout(10000)
    browser_sign_in(page, live_server, alice)
    hint = page.get_by_role("complementary", name="Put One True Customer on your Home Screen")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Add to Home Screen")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Challenge").tap()
    expect(hint).to_be_visible()
    page.get_by_role("button", name="Got it").tap()
    expect(hint).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(hint).to_be_hidden()
    context.close()


def test_the_iphone_hint_never_shows_inside_the_installed_app(browser, live_server, alice):
    context = _phone_context(browser, user_agent=IPHONE)
    # Safari tells an installed web app so through navigator.standalone.
    context.add_init_script("Object.defineProperty(navigator, 'standalone', { value: true })")
    page = context.new_page()
    page.set_default_timeout(10000)
    browser_sign_in(page, live_server, alice)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("load")
    assert page.locator("[data-ios-hint]").count() == 1
    expect(page.locator("[data-ios-hint]")).to_be_hidden()
    context.close()
