"""Real-browser journeys at a phone viewport: accept an invite, sign in, check in, see the streak."""

from __future__ import annotations

import re
import time

import pytest
from flask import request
from playwright.sync_api import expect

from conftest import browser_sign_in, make_person, tap_answer
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
    # Tapping an answer leaves the note's message; cutting the note to size clears it.
    tap_answer(page, "After", "Yes")
    expect(page.get_by_text("2,000 at most, please")).to_be_visible()
    page.get_by_label("During note").fill("z" * 2000)
    expect(page.get_by_text("2,000 at most, please")).to_have_count(0)


def test_the_no_answer_message_goes_once_an_answer_is_tapped(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    page.get_by_text("Add a note to Before").tap()
    page.get_by_label("Before note").fill("Only a note.")
    page.get_by_role("button", name="Check in").tap()
    message = page.get_by_role("alert").filter(has_text="Tap an answer for at least one phase")
    expect(message).to_be_visible()
    tap_answer(page, "Before", "Partly")
    expect(message).to_have_count(0)


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


# Layout shifts as Lighthouse counts them (CLS): the sum of shifts not caused by a tap.
WATCH_SHIFTS = """
window.layoutShift = 0;
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { if (!e.hadRecentInput) window.layoutShift += e.value; });
}).observe({ type: "layout-shift", buffered: true });
"""


def _phone_in(browser, zone: str):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        timezone_id=zone,
        # Every load fetches the scripts anew (no service worker cache), as on a first visit.
        service_workers="block",
    )
    context.add_init_script(WATCH_SHIFTS)
    page = context.new_page()
    page.set_default_timeout(10000)
    return page


def test_a_phone_reporting_an_old_name_of_my_zone_shows_no_hint(browser, live_server, north):
    priya = make_person("Priya Sharma", "priya@example.com", team=north, tz="Asia/Kolkata")
    page = _phone_in(browser, "Asia/Kolkata")
    try:
        browser_sign_in(page, live_server, priya)
        page.goto(f"{live_server}/")
        page.wait_for_load_state("networkidle")
        # Chromium (ICU) reports India by tzdata's old name.
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Calcutta"
        expect(page.get_by_text(re.compile("Your phone is"))).to_be_hidden()
    finally:
        page.context.close()


def test_the_zone_hint_moves_nothing_and_keep_my_time_is_remembered(
    app, browser, live_server, alice
):
    @app.before_request
    def slow_network():
        # The scripts arrive well after the page is painted, as on a phone's slow network.
        if request.path.endswith("/app.js"):
            time.sleep(0.8)

    page = _phone_in(browser, "America/New_York")
    try:
        browser_sign_in(page, live_server, alice)
        page.context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.goto(f"{live_server}/")
        hint = page.get_by_role("region", name="Your phone is on New York time")
        expect(hint).to_be_visible()
        page.wait_for_timeout(300)
        assert page.evaluate("window.layoutShift") < 0.05
        hint.get_by_role("button", name="Keep Berlin time").tap()
        expect(page.get_by_role("status").filter(has_text="Keeping Berlin time")).to_be_visible()
        expect(hint).to_have_count(0)
        assert Person.get_by_id(alice.id).tz_kept == "America/New_York"
        page.reload()
        page.wait_for_load_state("networkidle")
        expect(page.get_by_text(re.compile("Your phone is"))).to_be_hidden()
    finally:
        page.context.close()


def test_the_zone_hint_can_be_put_aside_for_now_without_choosing(browser, live_server, alice):
    page = _phone_in(browser, "America/New_York")
    try:
        browser_sign_in(page, live_server, alice)
        page.goto(f"{live_server}/")
        hint = page.get_by_role("region", name="Your phone is on New York time")
        expect(hint).to_be_visible()
        hint.get_by_role("button", name="Not now").tap()
        expect(hint).to_have_count(0)
        expect(page.get_by_role("heading", level=1)).to_be_focused()
        assert not Person.get_by_id(alice.id).tz_kept  # nothing chosen: it asks again later
        page.reload()
        expect(page.get_by_role("region", name="Your phone is on New York time")).to_be_visible()
    finally:
        page.context.close()


def _reachable_without_scrolling(page, button) -> None:
    """The button sits whole inside the phone's screen, above the tab bar, and on top."""
    box = button.bounding_box()
    tabs = page.get_by_role("navigation", name="Main").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= tabs["y"], (box, tabs)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    assert page.evaluate(
        "([x, y, label]) => document.elementFromPoint(x, y).closest('button')?.textContent.trim() === label",
        [x, y, button.text_content().strip()],
    )


def test_once_an_answer_is_tapped_check_in_is_a_thumb_away(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    tap_answer(page, "Before", "Yes")
    scrolled = page.evaluate("window.scrollY")
    button = page.get_by_role("button", name="Check in")
    _reachable_without_scrolling(page, button)
    # Reading on and answering the last phase keeps it there.
    tap_answer(page, "After", "Partly")
    _reachable_without_scrolling(page, button)
    button.tap()
    expect(page.get_by_role("heading", name="Checked in for today")).to_be_visible()
    assert scrolled == 0
    row = CheckIn.get(CheckIn.person == alice)
    assert (row.before, row.during, row.after) == ("yes", None, "partly")


def test_a_newcomer_is_told_how_it_works_checks_in_and_every_edit_is_acknowledged(
    page, live_server, north, lena, clock
):
    token = Invite.issue(
        "nia@example.com", north, "employee", lena, clock.now().replace(tzinfo=None)
    )
    page.goto(f"{live_server}/invite/{token}")
    page.get_by_label("Your name").fill("Nia Novak")
    page.get_by_label("Choose a password").fill("a long password")
    page.get_by_label("The same password again").fill("a long password")
    page.get_by_role("button", name="Create my account").click()

    welcome = page.get_by_role("region", name="Welcome, Nia Novak")
    expect(welcome.get_by_role("listitem")).to_have_count(3)
    expect(welcome).to_contain_text("Days off never count and never break it.")
    expect(welcome).to_contain_text(
        "Your lead sees that you checked in, never your answers or notes."
    )
    streak_card = page.locator("#streak-card")
    expect(streak_card.get_by_role("heading", name="Start your streak today")).to_be_visible()
    expect(page.locator(".streak-number")).to_have_count(0)

    tap_answer(page, "Before", "Yes")
    _reachable_without_scrolling(page, page.get_by_role("button", name="Check in"))
    page.get_by_role("button", name="Check in").tap()
    expect(page.get_by_role("heading", name="Checked in for today")).to_be_visible()
    expect(page.locator(".streak-number")).to_have_text("1")

    page.get_by_role("link", name="Edit today's answers").tap()
    tap_answer(page, "During", "Not yet")
    page.get_by_role("link", name="Cancel").tap()
    expect(page.get_by_role("heading", name="Checked in for today")).to_be_visible()
    nia = Person.by_email("nia@example.com")
    assert CheckIn.get(CheckIn.person == nia).during is None

    page.get_by_role("link", name="Edit today's answers").tap()
    tap_answer(page, "During", "Partly")
    save = page.get_by_role("button", name="Save today's answers")
    _reachable_without_scrolling(page, save)
    save.tap()
    expect(page.get_by_role("status").filter(has_text="Your changes are saved.")).to_be_visible()
    assert CheckIn.get(CheckIn.person == nia).during == "partly"


def test_story_form_errors_go_away_as_each_is_fixed(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    page.goto(f"{live_server}/stories/new")
    page.get_by_label("The situation").fill("A call on a Saturday.")
    page.get_by_role("button", name="Publish story").tap()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("3 things to fix")
    expect(page.get_by_text("The One True Customer moment is needed.")).to_be_visible()

    page.get_by_label("The One True Customer moment").fill("She called back at once.")
    expect(page.get_by_text("The One True Customer moment is needed.")).to_have_count(0)
    expect(page.get_by_label("The One True Customer moment")).not_to_have_attribute(
        "aria-invalid", "true"
    )
    expect(summary).to_contain_text("2 things to fix")
    page.get_by_role("radio", name="External customer").check()
    expect(page.get_by_text("Tap External customer or Colleague.")).to_have_count(0)
    expect(summary).to_contain_text("1 thing to fix")
    page.get_by_role("radio", name="After").check()
    expect(page.get_by_text("Tap Before, During or After.")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)


def test_using_the_phones_zone_moves_my_days_there(browser, live_server, alice):
    page = _phone_in(browser, "Asia/Tokyo")
    try:
        browser_sign_in(page, live_server, alice)
        page.goto(f"{live_server}/")
        hint = page.get_by_role("region", name="Your phone is on Tokyo time")
        hint.get_by_role("button", name="Use Tokyo time").tap()
        expect(hint).to_have_count(0)
        assert Person.get_by_id(alice.id).tz == "Asia/Tokyo"
        page.reload()
        page.wait_for_load_state("networkidle")
        expect(page.get_by_text(re.compile("Your phone is"))).to_be_hidden()
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [1024, 1280, 1920])
def test_on_a_laptop_the_zone_hint_keeps_clear_of_the_check_in_and_says_this_device(
    browser, live_server, alice, width
):
    context = browser.new_context(
        viewport={"width": width, "height": 800},
        timezone_id="America/New_York",
        service_workers="block",
    )
    context.add_init_script(WATCH_SHIFTS)
    page = context.new_page()
    try:
        browser_sign_in(page, live_server, alice)
        hint = page.get_by_role("region", name="This device is on New York time")
        expect(hint).to_be_visible()
        expect(page.get_by_text("Your phone is")).to_be_hidden()
        # An answer clicked brings the Check in button up too.
        page.get_by_role("group", name=re.compile("^Before")).get_by_role(
            "radio", name="Yes", exact=True
        ).click()
        page.wait_for_timeout(300)
        box = hint.bounding_box()
        for part in (page.locator("#checkin"), page.get_by_role("button", name="Check in")):
            form = part.bounding_box()
            apart = box["x"] >= form["x"] + form["width"] or box["y"] >= form["y"] + form["height"]
            assert apart, (width, box, form)
        assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= 800
        assert page.evaluate("window.layoutShift") < 0.05
    finally:
        context.close()
