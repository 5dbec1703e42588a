"""The team board in a real browser on a 1920×1080 screen: it rotates, refreshes, and rides out a dropped network."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from playwright.sync_api import expect
from test_board import thank

from conftest import eventually
from models import CheckIn, TeamBoard
from test_accessibility import AXE, Audit
from test_stories import tell

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 18, 10, 0)


@pytest.fixture
def screen(browser):
    """A wall screen: 1920×1080, nobody signed in, timers under the test's hand (page.clock)."""
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080},
        reduced_motion="reduce",
        timezone_id="Europe/Berlin",
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.clock.install()
    yield page
    context.close()


def test_the_board_rotates_its_cards_and_refreshes_without_a_reload(
    screen, live_server, north, lena, alice, bob
):
    tell(alice, bob, title="The Saturday Call", featured_week=date(2026, 11, 16))
    tell(bob, title="A second story")
    thank(alice, bob, "Took my 4:45 call.")
    thank(bob, alice, "Stayed late with the borrower.")
    CheckIn.create(person=alice, day=date(2026, 11, 18))
    token = TeamBoard.make(north, lena, NOW)

    screen.goto(f"{live_server}/board/{token}")

    expect(screen.get_by_role("heading", level=1)).to_have_text("North")
    expect(screen.get_by_role("heading", name="The Saturday Call")).to_be_visible()
    cards = screen.get_by_role("region", name="Recent stories and recognitions")
    first = cards.get_by_role("group", name="1 of 3")
    expect(
        first.get_by_role("img", name=re.compile("^Recognition card: Bob Okafor recognised"))
    ).to_be_visible()
    expect(cards.get_by_role("group", name="2 of 3")).to_be_hidden()
    figure = screen.get_by_role("region", name="Participation this week")
    expect(figure).to_contain_text("11%")  # 1 of 9 work days (3 members, Monday to Wednesday)
    screen.evaluate("window.sameDocument = true")

    screen.clock.run_for(12_000)
    expect(cards.get_by_role("group", name="2 of 3")).to_be_visible()
    expect(first).to_be_hidden()
    # A fresh copy of the live part keeps the card on show (the same card, not the first again).
    screen.evaluate(
        """() => {
            document.getElementById("board-now").dataset.old = "yes";
            htmx.ajax("GET", location.pathname, {target: "#board-now", swap: "outerHTML"});
        }"""
    )
    expect(screen.locator("#board-now[data-old]")).to_have_count(0)
    expect(cards.get_by_role("group", name="2 of 3")).to_be_visible()
    screen.clock.run_for(12_000)
    expect(cards.get_by_role("group", name="3 of 3")).to_be_visible()

    # Bob checks in and is thanked again: the next poll brings both (the cards rotate meanwhile).
    CheckIn.create(person=bob, day=date(2026, 11, 18))
    thank(lena, bob, "Covered the phones at lunch.")
    screen.clock.run_for(60_000)
    expect(figure).to_contain_text("22%")
    expect(cards.get_by_role("group", name=re.compile(r"^\d of 4$"))).to_have_count(1)
    assert screen.evaluate("window.sameDocument") is True  # swapped in place, not reloaded

    # The network drops: the board keeps what it shows and says it is reconnecting.
    screen.context.set_offline(True)
    screen.clock.run_for(60_000)
    expect(screen.get_by_role("status")).to_have_text(re.compile("Reconnecting"))
    expect(screen.get_by_role("heading", name="The Saturday Call")).to_be_visible()
    expect(figure).to_contain_text("22%")
    screen.context.set_offline(False)
    screen.clock.run_for(60_000)
    expect(screen.get_by_role("status")).to_be_hidden()
    expect(figure).to_contain_text("22%")


def test_a_changed_link_tells_the_screen_at_the_next_poll(screen, live_server, north, lena, alice):
    tell(alice, title="Shown until the link changes")
    token = TeamBoard.make(north, lena, NOW)
    screen.goto(f"{live_server}/board/{token}")
    expect(screen.get_by_role("heading", name="Shown until the link changes")).to_be_visible()

    TeamBoard.make(north, lena, NOW)
    screen.clock.run_for(60_000)

    expect(screen.get_by_text("This board's link was changed")).to_be_visible()
    expect(screen.get_by_role("heading", name="Shown until the link changes")).to_have_count(0)


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_axe_finds_nothing_on_the_board(browser, live_server, north, lena, alice, bob, size):
    tell(alice, bob, title="The Saturday Call", featured_week=date(2026, 11, 16))
    thank(alice, bob, "Took my 4:45 call.")
    token = TeamBoard.make(north, lena, NOW)
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    audit = Audit(page, AXE.read_text())
    audit.visit(f"{live_server}/board/{token}", f"board {size[0]}x{size[1]}")
    context.close()
    audit.assert_clean()


# The smallest type a person reads across a room: 2.6% of the screen's short side (28 px on 1080 lines).
SMALLEST = 0.026


@pytest.mark.parametrize(("width", "height", "share"), [(1920, 1080, 0.4), (1080, 1920, 0.5)])
def test_the_board_is_large_print_and_its_card_fills_its_side(
    browser, live_server, north, lena, alice, bob, width, height, share
):
    tell(alice, bob, title="The Saturday Call", featured_week=date(2026, 11, 16))
    tell(bob, title="A second story")
    thank(alice, bob, "Took my 4:45 call.")
    CheckIn.create(person=alice, day=date(2026, 11, 18))
    token = TeamBoard.make(north, lena, NOW)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server}/board/{token}")
    card = page.get_by_role("group", name="1 of 2").get_by_role("img")
    expect(card).to_be_visible()
    eventually(page, "() => document.querySelector('.is-current img').complete", 10, "card")

    box = card.bounding_box()
    assert box["width"] >= share * width, box
    # Nothing stands empty: no recognition was announced, so there is no panel for one.
    expect(page.get_by_role("region", name="Recognised this week")).to_have_count(0)
    expect(page.get_by_role("region", name="Participation this week")).to_contain_text("11%")
    small = page.evaluate(
        """(least) => [...document.querySelectorAll("body *")]
            .filter((el) => el.checkVisibility() && [...el.childNodes].some(
                (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
            .map((el) => [el.textContent.trim().slice(0, 40), parseFloat(getComputedStyle(el).fontSize)])
            .filter(([, size]) => size < least)""",
        SMALLEST * min(width, height),
    )
    assert small == []
    # Every panel fits the screen: nothing is cut off at its edge.
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll(".board-panel")]
            .filter((el) => el.scrollHeight > el.clientHeight + 1).map((el) => el.className)"""
    )
    assert overflowing == []
    context.close()
