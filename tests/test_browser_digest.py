"""Real-browser journey at a phone viewport: the weekly email's unsubscribe link, signed out."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from test_browser_accounts import newest_mail

import push
from models import PushPreference

pytestmark = pytest.mark.browser


def test_the_weekly_emails_link_stops_it_from_a_signed_out_phone(
    app, page, live_server, clock, alice, outbox
):
    clock.set(datetime(2026, 11, 20, 8, 0, tzinfo=UTC))  # Friday 09:00 in Berlin
    with app.app_context():
        push.send_due()
    message = newest_mail(outbox)
    link = re.search(r"<([^>]+)>", message["List-Unsubscribe"]).group(1)

    page.goto(live_server + urlsplit(link).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly email")
    page.get_by_role("button", name="Stop the weekly email").tap()
    expect(page.get_by_role("status")).to_contain_text("no more weekly emails")
    assert PushPreference.of(alice).weekly_email is False
