"""What Today costs on the wire in a real browser: a first visit, nothing cached, no worker."""

from __future__ import annotations

import re

import pytest

from conftest import _phone_context, browser_sign_in

pytestmark = pytest.mark.browser

CRITICAL_PATH_LIMIT = 50_000
HTML_LIMIT = 14_000


def test_todays_first_visit_is_at_most_50_kb_on_the_wire_and_its_html_at_most_14_kb(
    browser, page, live_server, alice
):
    browser_sign_in(page, live_server, alice)
    fresh = _phone_context(browser, service_workers="block")
    fresh.add_cookies(page.context.cookies())
    today = fresh.new_page()
    cdp = fresh.new_cdp_session(today)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls, wire = {}, {}
    cdp.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]))
    cdp.on(
        "Network.loadingFinished",
        lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    today.goto(f"{live_server}/", wait_until="networkidle")
    fresh.close()
    sizes = {urls[key]["url"].removeprefix(live_server): wire[key] for key in wire if key in urls}
    encodings = {
        urls[key]["url"].removeprefix(live_server): {
            name.lower(): value for name, value in urls[key]["headers"].items()
        }.get("content-encoding")
        for key in urls
    }
    print(f"Today on the wire: {sum(sizes.values())} B in {len(sizes)} responses, {sizes}")
    assert sizes["/"] <= HTML_LIMIT, sizes
    assert sum(sizes.values()) <= CRITICAL_PATH_LIMIT, sizes
    assert any("htmx.min." in url for url in sizes)
    # Every text file came compressed, so the sizes above are not luck.
    for url, encoding in encodings.items():
        if url == "/" or url.endswith((".css", ".js")):
            assert encoding in ("br", "gzip"), (url, encoding)


def test_the_reference_card_opens_offline_with_the_hashed_files_the_worker_kept(page, live_server):
    page.goto(f"{live_server}/card")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    cached = page.evaluate(
        "() => caches.keys().then(keys => Promise.all(keys.map(key => caches.open(key)"
        ".then(cache => cache.keys())))).then(lists => lists.flat().map(r => new URL(r.url).pathname))"
    )
    assert any(re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", path) for path in cached)
    assert "/card" in cached
    page.context.set_offline(True)
    try:
        page.reload()
        assert page.get_by_role("heading", level=1).count() == 1
        # The page's own stylesheet link is the hashed name the worker precached, so it styles.
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    finally:
        page.context.set_offline(False)
