"""Real-browser journey at a phone viewport: a forgotten password, by email, back to Today."""

from __future__ import annotations

import email
import os
import re
import time
from email import policy

import pytest
from playwright.sync_api import expect
from test_account import LONG_NAME

from conftest import browser_sign_in, make_person
from models import Invite, Person

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOTS_DIR")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def newest_mail(outbox, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not list(outbox.glob("*.eml")) and time.monotonic() < deadline:
        time.sleep(0.05)
    (path,) = outbox.glob("*.eml")
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_forgot_password_then_email_then_new_password_lands_on_today(
    page, live_server, north, outbox, queue_at_once
):
    alice = make_person("Alice Martin", "alice@example.com", team=north)
    page.goto(f"{live_server}/signin")
    shot(page, "signin")
    page.get_by_role("link", name="Forgot your password?").tap()
    page.get_by_label("Email").fill("Alice@Example.com")
    shot(page, "forgot")
    page.get_by_role("button", name="Send me a reset link").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text("your admin can pass it on")).to_be_visible()
    expect(page.get_by_text(str(outbox))).to_have_count(0)
    shot(page, "forgot-sent")

    message = newest_mail(outbox)
    assert message["To"] == "alice@example.com"
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/reset/\S+", text).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password").fill("a brand new password")
    page.get_by_label("The same password again").fill("a brand new password")
    shot(page, "reset")
    page.get_by_role("button", name="Save password and sign in").tap()
    page.wait_for_url(f"{live_server}/")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Today")
    ).to_have_attribute("aria-current", "page")
    shot(page, "today-after-reset")
    assert Person.get_by_id(alice.id).password_hash != alice.password_hash


def test_an_invite_on_a_phone_reporting_an_old_zone_name_preselects_its_city(
    browser, live_server, north, ada, clock
):
    token = Invite.issue(
        "nia@example.com", north, "employee", ada, clock.now().replace(tzinfo=None)
    )
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        timezone_id="Asia/Kolkata",
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server}/invite/{token}")
        # Chromium (ICU) reports India by tzdata's old name, which the list no longer offers.
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Calcutta"
        zone = page.get_by_label("Your time zone")
        expect(zone).to_have_value("Asia/Kolkata")
        expect(zone.locator("option:checked")).to_have_text("Kolkata")
        shot(page, "invite-zone")
        page.get_by_label("Your name").fill("Nia New")
        page.get_by_label("Choose a password").fill("long enough pw")
        page.get_by_label("The same password again").fill("long enough pw")
        page.get_by_role("button", name="Create my account").tap()
        page.wait_for_url(f"{live_server}/?welcome=1")
        assert Person.get(Person.email == "nia@example.com").tz == "Asia/Kolkata"
    finally:
        context.close()


def test_a_name_too_long_on_me_is_refused_with_every_letter_kept(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    page.goto(f"{live_server}/me")
    page.get_by_label("Name").fill(LONG_NAME)
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your name is 91 characters; 80 at most, please.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value(LONG_NAME)
    assert Person.get_by_id(alice.id).name == "Alice Martin"
