"""The laptop layout (from 1024 px): navigation at the side instead of the tab bar; phones keep the tab bar."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import browser_sign_in
from test_accessibility import AXE, Audit

pytestmark = pytest.mark.browser


@pytest.fixture
def laptop(browser):
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, timezone_id="Europe/Berlin"
    )
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def test_on_a_laptop_the_navigation_is_a_rail_at_the_side(laptop, live_server, lena, alice):
    browser_sign_in(laptop, live_server, lena)

    nav = laptop.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    box = nav.bounding_box()
    # A rail down the left edge, the full height of the window: no tab bar along the bottom.
    assert (box["x"], box["y"], box["height"]) == (0, 0, 900)
    assert box["width"] < 300
    links = nav.get_by_role("link")
    expect(links).to_have_count(6)
    tops = [links.nth(n).bounding_box()["y"] for n in range(6)]
    assert tops == sorted(tops) and len(set(tops)) == 6  # one above the other
    heading = laptop.get_by_role("heading", level=1)
    assert heading.bounding_box()["x"] > box["x"] + box["width"]
    today = nav.get_by_role("link", name="Today")
    expect(today).to_have_attribute("aria-current", "page")

    # The Daily Filter and the rest of the day sit side by side.
    filter_card = laptop.get_by_role("heading", name="The Daily Filter")
    tile = laptop.get_by_role("link", name=re.compile("^30-day challenge"))
    assert tile.bounding_box()["x"] > filter_card.bounding_box()["x"] + 400

    nav.get_by_role("link", name="Team").click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text("North")
    expect(nav.get_by_role("link", name="Team")).to_have_attribute("aria-current", "page")
    members = laptop.get_by_role("region", name="Members")
    invite = laptop.get_by_role("heading", name="Invite someone to North")
    assert (
        invite.bounding_box()["x"] > members.bounding_box()["x"] + members.bounding_box()["width"]
    )

    # The lead puts the team on a wall screen from here.
    laptop.get_by_role("link", name="Board", exact=True).click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Put North on the wall")
    laptop.get_by_role("button", name="Make the board link").click()
    expect(laptop.get_by_role("img", name="QR code of the board's link")).to_be_visible()
    opened = laptop.get_by_role("link", name="Open the board")
    expect(opened).to_have_attribute("href", re.compile(r"/board/[A-Za-z0-9_-]{40,}$"))
    expect(nav.get_by_role("link", name="Team")).to_have_attribute("aria-current", "page")


def test_an_admin_opens_the_admin_page_from_the_rail(laptop, live_server, ada, lena):
    browser_sign_in(laptop, live_server, ada)
    nav = laptop.get_by_role("navigation", name="Main")
    admin = nav.get_by_role("link", name="Admin")
    expect(admin).to_be_visible()
    team = nav.get_by_role("link", name="Team")
    assert admin.bounding_box()["y"] > team.bounding_box()["y"]  # under Team, in the rail

    admin.click()

    expect(laptop.get_by_role("heading", level=1)).to_have_text("Teams and people")
    expect(admin).to_have_attribute("aria-current", "page")
    expect(nav.locator("[aria-current]")).to_have_count(1)


def test_a_lead_has_no_admin_item_in_the_rail(laptop, live_server, lena):
    browser_sign_in(laptop, live_server, lena)
    nav = laptop.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Team")).to_be_visible()
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)


def test_on_a_phone_an_admin_keeps_six_tabs_and_the_admin_page_lights_team(page, live_server, ada):
    browser_sign_in(page, live_server, ada)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_count(6)
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)  # hidden: no room on a phone
    lit = nav.get_by_role("link", name="Today").evaluate("el => getComputedStyle(el).color")
    page.goto(f"{live_server}/admin")
    team = nav.get_by_role("link", name="Team")
    assert team.evaluate("el => getComputedStyle(el).color") == lit


def test_on_a_phone_the_tab_bar_stays(page, live_server, lena):
    browser_sign_in(page, live_server, lena)

    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    box = nav.bounding_box()
    # Along the bottom edge, the full width of the phone, one row of tabs.
    assert (box["x"], box["width"]) == (0, 390)
    assert box["y"] + box["height"] == pytest.approx(844, abs=1)
    assert box["height"] < 100
    links = nav.get_by_role("link")
    tops = {round(links.nth(n).bounding_box()["y"]) for n in range(links.count())}
    assert len(tops) == 1


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_laptop_pages(browser, live_server, north, lena, alice, scheme):
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, color_scheme=scheme, timezone_id="Europe/Berlin"
    )
    page = context.new_page()
    browser_sign_in(page, live_server, lena)
    audit = Audit(page, AXE.read_text())
    audit.check("today (laptop)")
    audit.visit(f"{live_server}/team", "team (laptop)")
    audit.visit(f"{live_server}/team/{north.id}/board", "board link, none yet (laptop)")
    page.get_by_role("button", name="Make the board link").click()
    expect(page.get_by_role("img", name="QR code of the board's link")).to_be_visible()
    audit.check("board link (laptop)")
    context.close()
    audit.assert_clean()


def test_axe_finds_nothing_on_the_board_link_page_on_a_phone(page, live_server, north, lena):
    browser_sign_in(page, live_server, lena)
    page.goto(f"{live_server}/team/{north.id}/board")
    page.get_by_role("button", name="Make the board link").tap()
    # Judged once the link is there, not while the page is on its way (a colour mid-fade).
    expect(page.get_by_role("img", name="QR code of the board's link")).to_be_visible()
    audit = Audit(page, AXE.read_text())
    audit.check("board link (phone)")
    audit.assert_clean()
