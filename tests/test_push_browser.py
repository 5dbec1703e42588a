"""Push in a real browser: the notifications screen subscribes this phone; the worker shows a push and opens its screen."""

from __future__ import annotations

import base64
import json
import re
import time

import pytest
from playwright.sync_api import expect

from conftest import _phone_context, browser_sign_in
from models import PushSubscription
from push import Notification
from push.keys import generate
from test_accessibility import AXE, Audit

pytestmark = pytest.mark.browser

ENDPOINT = "https://fcm.googleapis.com/fcm/send/browser-test:APA91bH"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 19_1 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/19.1 Mobile/15E148 Safari/604.1"
)

# Headless Chromium reaches no push service, so the page's PushManager is stood in for: it
# records what the page asks for and hands back a subscription shaped like a real one.
FAKE_PUSH_MANAGER = """
(() => {
  window.__push = { asked: 0, subscribed: [] };
  const request = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = () => { window.__push.asked += 1; return request(); };
  let current = null;
  const keys = %s;
  PushManager.prototype.getSubscription = function () { return Promise.resolve(current); };
  PushManager.prototype.subscribe = function (options) {
    window.__push.subscribed.push({
      userVisibleOnly: options.userVisibleOnly,
      key: Array.from(new Uint8Array(options.applicationServerKey)),
    });
    current = {
      endpoint: %s,
      toJSON() { return { endpoint: this.endpoint, expirationTime: null, keys: keys }; },
      unsubscribe() { current = null; return Promise.resolve(true); },
    };
    return Promise.resolve(current);
  };
})();
"""


SHOWN = """() => navigator.serviceWorker.ready
  .then((r) => r.getNotifications())
  .then((all) => all.map((n) => ({title: n.title, body: n.body, tag: n.tag, data: n.data})))"""


@pytest.fixture
def push_page(browser, app, vapid_keys):
    app.config.update(vapid_keys, VAPID_SUBJECT="mailto:push-admin@example.com")
    context = _phone_context(browser)
    context.grant_permissions(["notifications"])
    device_keys = {"p256dh": generate()["VAPID_PUBLIC_KEY"], "auth": "c2l4dGVlbiBieXRlcyBoZQ"}
    context.add_init_script(FAKE_PUSH_MANAGER % (json.dumps(device_keys), json.dumps(ENDPOINT)))
    page = context.new_page()
    page.set_default_timeout(10000)
    page.device_keys = device_keys
    yield page
    context.close()


def test_one_tap_asks_the_browser_and_posts_a_well_formed_subscription(
    push_page, live_server, alice, vapid_keys
):
    page = push_page
    browser_sign_in(page, live_server, alice)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Me").tap()
    page.get_by_role("link", name="Notifications").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    turn_on = page.get_by_role("button", name="Turn on notifications on this device")
    expect(turn_on).to_be_visible(timeout=30000)  # shown once the service worker is ready
    assert page.evaluate("window.__push.asked") == 0  # never asked before the tap

    turn_on.tap()

    expect(page.get_by_role("status").filter(has_text="Notifications are on")).to_be_visible()
    expect(page.get_by_role("button", name="Turn off notifications on this device")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Remove Chrome on "))).to_be_visible()
    asked = page.evaluate("window.__push")
    key = vapid_keys["VAPID_PUBLIC_KEY"]
    assert asked["asked"] == 1
    assert asked["subscribed"] == [
        {
            "userVisibleOnly": True,
            "key": list(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))),
        }
    ]
    device = PushSubscription.get()
    assert (device.person_id, device.endpoint) == (alice.id, ENDPOINT)
    assert (device.p256dh, device.auth) == (page.device_keys["p256dh"], page.device_keys["auth"])

    page.get_by_role("button", name="Turn off notifications on this device").tap()

    expect(page.get_by_role("status").filter(has_text="Notifications are off")).to_be_visible()
    expect(page.get_by_text("No device gets notifications yet.")).to_be_visible()
    assert PushSubscription.select().count() == 0


def test_on_an_iphone_the_screen_says_to_add_the_app_to_the_home_screen_first(
    browser, live_server, alice, app, vapid_keys
):
    app.config.update(vapid_keys)
    context = _phone_context(browser, user_agent=IPHONE)
    page = context.new_page()
    try:
        browser_sign_in(page, live_server, alice)
        page.goto(f"{live_server}/me/notifications")

        expect(
            page.get_by_text("notifications need the app on your Home Screen first")
        ).to_be_visible()
        expect(
            page.get_by_role("button", name="Turn on notifications on this device")
        ).to_be_hidden()
    finally:
        context.close()


def _registration_id(page, live_server) -> str:
    cdp = page.context.new_cdp_session(page)
    found = {}
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: found.update(
            {
                r["scopeURL"]: r["registrationId"]
                for r in event["registrations"]
                if not r["isDeleted"]
            }
        ),
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 30
    while f"{live_server}/" not in found and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    return cdp, found[f"{live_server}/"]


def test_the_worker_shows_a_delivered_push_and_a_tap_opens_its_screen(
    push_page, live_server, alice
):
    page = push_page
    browser_sign_in(page, live_server, alice)
    # Installing the worker fetches the whole precache: give a busy machine time. (Polled from
    # here: wait_for_function evaluates strings in the page, which the app's CSP forbids.)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()  # a page loaded after the worker activated is always controlled
    deadline = time.monotonic() + 30
    while not page.evaluate("navigator.serviceWorker.controller !== null"):
        assert time.monotonic() < deadline, "the service worker never took control of the page"
        page.wait_for_timeout(100)
    cdp, registration = _registration_id(page, live_server)
    note = Notification(
        title="Your story is the story of the week",
        body="“The Saturday Call” is pinned on your team's feed.",
        url="/challenge",
        tag="featured:story-1",
    )

    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server,
            "registrationId": registration,
            "data": note.payload(live_server).decode(),
        },
    )

    shown = None
    deadline = time.monotonic() + 10
    while not shown and time.monotonic() < deadline:
        shown = page.evaluate(SHOWN)
        page.wait_for_timeout(100)
    assert shown == [
        {
            "title": "Your story is the story of the week",
            "body": "“The Saturday Call” is pinned on your team's feed.",
            "tag": "featured:story-1",
            "data": {"url": f"{live_server}/challenge"},
        }
    ]
    (worker,) = page.context.service_workers
    # No DevTools command taps a notification: the worker gets the click event its handler listens for.
    worker.evaluate(
        """() => self.registration.getNotifications().then((all) => {
             try { self.dispatchEvent(new NotificationEvent("notificationclick", {notification: all[0]})); }
             catch (error) { /* waitUntil refuses events that did not come from the browser */ }
           })"""
    )

    page.wait_for_url(f"{live_server}/challenge")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_notifications_screen_has_no_wcag_violations_off_and_on(
    browser, live_server, alice, app, vapid_keys, scheme
):
    app.config.update(vapid_keys, VAPID_SUBJECT="mailto:push-admin@example.com")
    context = _phone_context(browser, color_scheme=scheme)
    context.grant_permissions(["notifications"])
    keys = {"p256dh": generate()["VAPID_PUBLIC_KEY"], "auth": "c2l4dGVlbiBieXRlcyBoZQ"}
    context.add_init_script(FAKE_PUSH_MANAGER % (json.dumps(keys), json.dumps(ENDPOINT)))
    page = context.new_page()
    try:
        audit = Audit(page, AXE.read_text())
        browser_sign_in(page, live_server, alice)
        page.goto(f"{live_server}/me/notifications")
        turn_on = page.get_by_role("button", name="Turn on notifications on this device")
        expect(turn_on).to_be_visible(timeout=30000)  # shown once the service worker is ready
        audit.check("notifications, off")
        turn_on.tap()
        expect(page.get_by_role("status").filter(has_text="Notifications are on")).to_be_visible()
        audit.check("notifications, on")
        page.goto(f"{live_server}/me/notifications?saved=1")
        audit.check("notifications, saved")
        page.get_by_label("Daily reminder at").select_option("08:30")
        page.get_by_role("button", name="Save notification settings").tap()
        expect(page.get_by_text("Saved.")).to_be_visible()
        audit.assert_clean()
    finally:
        context.close()
