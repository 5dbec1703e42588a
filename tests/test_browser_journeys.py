"""Real-browser journeys at a phone viewport: the challenge, the commitment, the pledge, a lead's day."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from werkzeug.security import check_password_hash

from conftest import browser_sign_in
from models import Challenge, Commitment, Person, Pledge

pytestmark = pytest.mark.browser


def test_start_the_challenge_and_reflect_at_the_end(page, live_server, alice, clock):
    browser_sign_in(page, live_server, alice)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Challenge").tap()
    page.get_by_role("button", name="Start the challenge today").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Day 1 of 30")
    expect(page.get_by_role("list", name="30 days").get_by_role("listitem")).to_have_count(30)
    clock.travel(days=29)
    page.reload()
    page.get_by_label("What changed? What did you notice?").fill(
        "I put the phone down. Calls got shorter."
    )
    page.get_by_role("button", name="Complete the challenge").tap()
    expect(page.get_by_role("heading", name="Challenge complete")).to_be_visible()
    assert Challenge.get(Challenge.person == alice).completed_at is not None


def test_restarting_the_challenge_asks_first(page, live_server, alice, clock):
    Challenge.create(person=alice, start=clock.now().date().replace(day=10))
    browser_sign_in(page, live_server, alice)
    page.goto(f"{live_server}/challenge")
    expect(page.get_by_role("button", name="Yes, restart from today")).to_be_hidden()
    page.get_by_text("Restart the challenge…").tap()
    page.get_by_role("button", name="Yes, restart from today").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Day 1 of 30")


def test_commit_for_the_week_and_say_you_kept_it(page, live_server, alice, clock):
    browser_sign_in(page, live_server, alice)
    page.get_by_role("link", name=re.compile("This week's commitment")).tap()
    page.get_by_label("One specific behaviour I will change this week").fill(
        "Give a time, not 'later'"
    )
    page.get_by_label("One situation where I'll apply the filter").fill("Every callback promise")
    page.get_by_role("button", name="Commit to it").tap()
    expect(page.get_by_text("Give a time, not 'later'")).to_be_visible()
    clock.travel(days=2)  # Friday: the week's last work day
    page.goto(f"{live_server}/")
    page.get_by_role("link", name=re.compile("Did you keep it?")).tap()
    page.get_by_role("button", name="Yes, I kept it").tap()
    expect(page.get_by_text("Commitments kept so far: 1")).to_be_visible()
    assert Commitment.get(Commitment.person == alice).kept is True


def test_sign_the_pledge_once(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    page.get_by_role("link", name=re.compile("The pledge")).tap()
    page.get_by_role("button", name="Sign the pledge").tap()
    expect(page.get_by_text("Signed by Alice Martin")).to_be_visible()
    expect(page.get_by_role("button", name="Sign the pledge")).to_have_count(0)
    assert Pledge.select().count() == 1


def test_a_lead_starts_the_team_challenge_and_an_admin_makes_a_reset_link(
    page, live_server, browser, lena, alice, ada
):
    browser_sign_in(page, live_server, lena)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("North")
    page.get_by_role("button", name="Start the challenge for North").tap()
    expect(
        page.get_by_role("status").filter(has_text="30-day challenge starts today")
    ).to_be_visible()
    assert Challenge.select().count() == 2
    # Without a mail server a lead makes no reset links; an admin does, shown to them alone.
    expect(page.get_by_text("only an admin can make a reset link")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Me").tap()
    page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    browser_sign_in(page, live_server, ada)
    page.goto(f"{live_server}/admin")
    page.get_by_role("button", name="Make a reset link for Alice Martin").tap()
    link = page.get_by_role("textbox", name="Link to send").input_value()
    assert "/reset/" in link

    other = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = other.new_page()
    phone.goto(link)
    phone.get_by_label("New password").fill("my new password")
    phone.get_by_label("The same password again").fill("my new password")
    phone.get_by_role("button", name="Save password and sign in").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        re.compile("If this were my only customer")
    )
    other.close()
    assert check_password_hash(Person.get_by_id(alice.id).password_hash, "my new password")


def test_a_lead_invites_a_new_colleague_who_joins_the_team(page, live_server, browser, lena, north):
    browser_sign_in(page, live_server, lena)
    page.goto(f"{live_server}/team")
    page.get_by_label("Their email").fill("nia@example.com")
    page.get_by_label("Their name (optional)").fill("Nia")
    page.get_by_role("button", name="Make an invite link").tap()
    link = page.get_by_role("textbox", name="Link to send").input_value()
    page.reload()
    expect(page.get_by_role("textbox", name="Link to send")).to_have_count(0)
    waiting = page.get_by_role("region", name="Invited, not joined yet")
    expect(waiting).to_contain_text("nia@example.com")  # the link is gone; who was invited stays

    other = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        timezone_id="Asia/Tokyo",
    )
    phone = other.new_page()
    phone.goto(link)
    expect(phone.get_by_label("Your name")).to_have_value("Nia")
    phone.get_by_label("Choose a password").fill("a long password")
    phone.get_by_label("The same password again").fill("a long password")
    phone.get_by_role("button", name="Create my account").tap()
    expect(phone.get_by_text("Welcome, Nia")).to_be_visible()
    other.close()
    nia = Person.by_email("nia@example.com")
    assert (nia.team_id, nia.tz) == (north.id, "Asia/Tokyo")
    page.reload()
    expect(waiting).to_have_count(0)  # she joined: no longer waiting
