"""The installable app: manifest, service worker, offline page; the reference card offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


def test_the_manifest_makes_the_app_installable(client, app):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert (manifest["name"], manifest["display"], manifest["start_url"]) == (
        "One True Customer",
        "standalone",
        "/",
    )
    purposes = {icon["purpose"] for icon in manifest["icons"]}
    assert purposes == {"any", "maskable"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert [s["name"] for s in manifest["shortcuts"]][:2] == ["Check in", "Share a story"]


def test_every_page_links_the_manifest(client):
    assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/signin").get_data(
        as_text=True
    )


def test_the_service_worker_is_served_from_the_root_and_never_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert 'credentials: "omit"' in body and '"/card"' in body


def test_the_offline_page_points_at_the_reference_card(client):
    page = client.get("/offline").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert 'href="/card"' in page


@pytest.mark.browser
def test_the_reference_card_opens_offline_once_the_app_was_visited(page, live_server):
    page.goto(f"{live_server}/card")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker
    page.context.set_offline(True)
    page.goto(f"{live_server}/card")
    expect(page.get_by_role("heading", level=1)).to_have_text("One True Customer")
    expect(page.get_by_text("Phone down, full attention")).to_be_visible()
    page.goto(f"{live_server}/challenge")
    expect(page.get_by_role("heading", level=1)).to_have_text("You're offline for a moment")
    page.context.set_offline(False)


def test_the_manifest_says_everything_an_installed_app_needs(client):
    manifest = client.get("/manifest.webmanifest").get_json()
    for field in ("name", "short_name", "description", "start_url", "scope", "id"):
        assert manifest[field], field
    assert manifest["theme_color"] == "#1C2541" and manifest["background_color"] == "#FAF3E6"
    assert all(shortcut["icons"] for shortcut in manifest["shortcuts"])


def test_the_recognise_shortcut_appears_only_once_recognitions_exist(app):
    shortcuts = app.test_client().get("/manifest.webmanifest").get_json()["shortcuts"]
    names = [s["name"] for s in shortcuts]
    assert ("Recognise" in names) == ("recognition.new" in app.view_functions)
