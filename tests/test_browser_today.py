"""Real-browser journeys at a phone viewport: accept an invite, sign in, check in, see the streak."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import browser_sign_in, tap_answer
from models import CheckIn, Invite, Person

pytestmark = pytest.mark.browser


def test_accept_an_invite_check_in_in_four_taps_and_see_the_streak(
    page, live_server, north, ada, clock
):
    token = Invite.issue(
        "nia@example.com", north, "employee", ada, clock.now().replace(tzinfo=None)
    )
    page.goto(f"{live_server}/invite/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to One True Customer")
    # The time zone comes from the phone (the context runs in Europe/Berlin).
    expect(page.get_by_label("Your time zone")).to_have_value("Europe/Berlin")
    page.get_by_label("Your name").fill("Nia Novak")
    page.get_by_label("Choose a password").fill("a long password")
    page.get_by_label("The same password again").fill("a long password")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Welcome, Nia Novak")).to_be_visible()

    # Four taps: one per phase, then Check in.
    tap_answer(page, "Before", "Yes")
    tap_answer(page, "During", "Yes")
    tap_answer(page, "After", "Partly")
    page.get_by_role("button", name="Check in").tap()

    expect(page.get_by_role("heading", name="Checked in for today")).to_be_visible()
    expect(page.locator(".streak-number")).to_have_text("1")
    # The new streak card celebrates: the event reaches it after the swap.
    expect(page.locator("#streak-card")).to_have_class(re.compile("grew"))
    person = Person.by_email("nia@example.com")
    assert person.tz == "Europe/Berlin"
    row = CheckIn.get(CheckIn.person == person)
    assert (row.before, row.during, row.after) == ("yes", "yes", "partly")


def test_edit_todays_answers_with_a_note(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    tap_answer(page, "Before", "Yes")
    page.get_by_role("button", name="Check in").tap()
    expect(page.get_by_role("heading", name="Checked in for today")).to_be_visible()
    page.get_by_role("link", name="Edit today's answers").tap()
    page.get_by_text("Add a note to After").tap()
    page.get_by_label("After note").fill("Followed up before they asked.")
    page.get_by_role("button", name="Save today's answers").tap()
    expect(page.get_by_text("Followed up before they asked.")).to_be_visible()
    assert CheckIn.select().count() == 1


def test_a_too_long_note_comes_back_with_the_message_and_the_text(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    page.get_by_text("Add a note to During").tap()
    page.get_by_label("During note").fill("z" * 2100)
    tap_answer(page, "During", "Yes")
    page.get_by_role("button", name="Check in").tap()
    expect(page.get_by_text("2,000 at most, please")).to_be_visible()
    expect(page.get_by_label("During note")).to_have_value("z" * 2100)
    assert CheckIn.select().count() == 0


def test_the_same_check_in_works_with_javascript_turned_off(nojs_page, live_server, alice):
    page = nojs_page
    browser_sign_in(page, live_server, alice)
    tap_answer(page, "Before", "Yes")
    tap_answer(page, "During", "Not yet")
    page.get_by_role("button", name="Check in").tap()
    expect(page.get_by_role("heading", name="Checked in for today")).to_be_visible()
    expect(page.locator(".streak-number")).to_have_text("1")
    row = CheckIn.get(CheckIn.person == alice)
    assert (row.before, row.during) == ("yes", "not_yet")


def test_sign_out_from_me(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Me", exact=True).tap()
    page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile("/signin"))


def test_a_check_in_without_a_connection_is_kept_and_says_it_waits(page, live_server, alice, clock):
    page.clock.set_fixed_time(clock.now())  # the phone's clock agrees with the server's
    browser_sign_in(page, live_server, alice)
    page.context.set_offline(True)
    tap_answer(page, "Before", "Yes")
    page.get_by_role("button", name="Check in").tap()
    expect(page.get_by_role("status").filter(has_text="Waiting to send")).to_be_visible()
    page.context.set_offline(False)
    expect(page.get_by_role("heading", name="Checked in for today")).to_be_visible()
    assert CheckIn.select().count() == 1
