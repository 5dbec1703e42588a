"""Real-browser journeys at a phone viewport: recognise a colleague, be recognised, announce the week."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_browser_stories import PHONE_SHARE_SHEET, share_tapped

from conftest import browser_sign_in, eventually
from models import Announcement, Badge, Recognition

pytestmark = pytest.mark.browser


def test_recognise_a_colleague_who_then_sees_it_the_badge_and_the_celebration(
    browser, page, live_server, alice, bob, carl
):
    browser_sign_in(page, live_server, alice)
    page.get_by_role("link", name=re.compile("Recognise a colleague")).tap()
    # Typed once htmx listens to the search box: after a boosted tap the box is in the page a
    # moment before htmx has set it up, and what is typed then filters nothing.
    eventually(
        page,
        "() => { const q = document.getElementById('q'); return !!(q && q['htmx-internal-data'] && q['htmx-internal-data'].initHash); }",
    )
    page.get_by_label("Find a colleague by name").fill("bo")
    expect(page.get_by_role("radio", name="Carl Jensen")).to_have_count(0, timeout=15000)
    page.get_by_role("radio", name="Bob Okafor").check()
    page.get_by_label("What did they do?").fill("Took my 4:45 call so I could make the school run.")
    page.get_by_role("radio", name="A colleague").check()
    page.get_by_role("button", name="Send the recognition").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("You recognised Bob Okafor")
    expect(page.get_by_text("Bob will see it in the app.")).to_be_visible()
    expect(page.get_by_role("heading", name="Badge earned: First thanks")).to_be_visible()
    assert Recognition.get().for_colleague

    bobs = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    browser_sign_in(bobs, live_server, bob)
    tab = bobs.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("Thanks"))
    expect(tab).to_have_text(re.compile("2 new"))
    tab.tap()
    news = bobs.get_by_role("region", name="New for you")
    expect(news.get_by_role("link", name="Alice Martin recognised you")).to_be_visible()
    expect(news.get_by_role("link", name="You earned a badge: Internal customer")).to_be_visible()
    moment = bobs.get_by_role("region", name="Celebrations")
    expect(moment.get_by_role("heading", name="Badge earned: Internal customer")).to_be_visible()
    expect(moment.get_by_role("link", name="Get the card")).to_have_attribute(
        "href", re.compile(r"^/badges/internal-customer/portrait-[0-9a-f]+\.png$")
    )
    moment.get_by_role("button", name="Close the celebration").tap()
    expect(moment.get_by_role("heading")).to_have_count(0)
    expect(tab).not_to_have_text(re.compile("new"))
    bobs.get_by_role("link", name="Took my 4:45 call so I could make the school run.").tap()
    bobs.get_by_role("button", name="Applaud Bob Okafor").tap()
    expect(bobs.get_by_text("You applauded.")).to_be_visible()
    bobs.goto(f"{live_server}/badges")
    earned = bobs.get_by_role("listitem").filter(has_text="Internal customer")
    expect(earned).to_contain_text("Earned")
    assert Badge.select().where(Badge.person == bob).count() == 1
    bobs.context.close()


def test_the_celebration_respects_reduced_motion_and_never_blocks_the_check_in(
    browser, live_server, alice
):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        reduced_motion="reduce",
    )
    page = context.new_page()
    browser_sign_in(page, live_server, alice)
    for phase in ("Before", "During", "After"):
        group = page.get_by_role("group", name=re.compile(f"^{phase}"))
        group.get_by_role("radio", name="Yes", exact=True).tap()
    page.get_by_role("button", name="Check in").tap()
    moment = page.get_by_role("region", name="Celebrations")
    expect(moment.get_by_role("heading", name="Badge earned: First check-in")).to_be_visible()
    expect(page.get_by_role("heading", name="Checked in for today")).to_be_visible()
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.moment')).transitionDuration"
    ) in ("0s", "")
    # It sits beside the page: the rest stays usable while it shows.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Challenge").tap()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    context.close()


def test_a_lead_writes_and_shares_the_weekly_announcement(page, live_server, lena, alice, bob):
    Recognition.create(
        giver=alice,
        receiver=bob,
        team=bob.team,
        message="Walked a borrower through every line item, then called the next day",
        customer_kind="external",
        day="2026-11-17",
        week="2026-11-16",
    )
    page.context.add_init_script(PHONE_SHARE_SHEET)
    browser_sign_in(page, live_server, lena)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").tap()
    page.get_by_role("link", name="Write this week's announcement").tap()
    text = page.get_by_label("The announcement")
    expect(text).to_have_value(
        re.compile(r"^This week's One True Customer recognition goes to Bob Okafor\. Walked")
    )
    text.fill(
        "This week's One True Customer recognition goes to Bob Okafor. He walked a borrower "
        "through every line item. The borrower wrote: 'I've never felt so taken care of.' "
        "That's One True Customer in action."
    )
    page.get_by_role("button", name="Pin the announcement").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This week's One True Customer recognition goes to Bob Okafor"
    )
    shared = share_tapped(page, page.get_by_role("button", name="Share", exact=True))
    announcement = Announcement.get()
    assert shared["url"].endswith(f"/a/{announcement.share_token}")
    [(name, kind, size, magic)] = shared["files"]
    assert kind == "image/png" and magic == [137, 80, 78, 71]
    page.get_by_role("link", name="Recognition feed").tap()
    expect(
        page.get_by_text("The borrower wrote: 'I've never felt so taken care of.'")
    ).to_be_visible()
    # The lead takes the public link back: asked once more, then the old link shows nothing.
    page.goto(f"{live_server}/announcements/{announcement.id}")
    page.get_by_text("Revoke link…").tap()
    page.get_by_role("button", name="Yes, revoke the public link").tap()
    expect(page.get_by_text("The share link is revoked")).to_be_visible()
    expect(page.get_by_role("button", name="Make a share link")).to_be_visible()
    response = page.request.get(f"{live_server}/a/{announcement.share_token}")
    assert response.status == 404


def check_in_first_time(page) -> None:
    for phase in ("Before", "During", "After"):
        group = page.get_by_role("group", name=re.compile(f"^{phase}"))
        group.get_by_role("radio", name="Yes", exact=True).tap()
    page.get_by_role("button", name="Check in").tap()
    expect(page.get_by_role("heading", name="Checked in for today")).to_be_visible()


def test_a_badge_card_goes_to_the_share_sheet_from_the_celebration_and_the_badges_page(
    page, live_server, alice
):
    page.context.add_init_script(PHONE_SHARE_SHEET)
    browser_sign_in(page, live_server, alice)
    check_in_first_time(page)
    moment = page.get_by_role("region", name="Celebrations")
    shared = share_tapped(page, moment.get_by_role("button", name="Share the card"))
    assert shared["title"] == "Badge earned: First check-in"
    [(name, kind, size, magic)] = shared["files"]
    assert (name, kind, magic) == ("one-true-customer-badge.png", "image/png", [137, 80, 78, 71])

    page.goto(f"{live_server}/badges")
    share = page.get_by_role("button", name="Share the card for First check-in")
    [(name, kind, size, magic)] = share_tapped(page, share)["files"]
    assert (name, kind) == ("one-true-customer-first-check-in.png", "image/png")
    assert size > 10_000 and magic == [137, 80, 78, 71]


def test_without_a_share_sheet_for_files_a_badge_card_falls_back_to_download(
    page, live_server, alice
):
    # A share sheet that takes links only: the badge card has no public link, so download it.
    page.context.add_init_script(
        "navigator.share = async () => {}; navigator.canShare = () => false;"
    )
    browser_sign_in(page, live_server, alice)
    check_in_first_time(page)
    page.goto(f"{live_server}/badges")
    badge = page.get_by_role("listitem").filter(has_text="First check-in")
    badge.get_by_role("button", name="Share the card for First check-in").tap()
    expect(badge.get_by_role("status")).to_contain_text("download it instead")
    download = badge.get_by_role("link", name="Download the card for First check-in")
    expect(download).to_be_focused()
    with page.expect_download() as got:
        download.tap()
    assert got.value.suggested_filename == "one-true-customer-first-check-in.png"
