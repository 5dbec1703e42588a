"""Real-browser journeys: a lead opens their team's dashboard on a phone; an admin compares teams on a laptop."""

from __future__ import annotations

import os
import random
import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from test_dashboard import MONDAY, NOW, check_in, recognise, story

import models
from conftest import MADE, _phone_context, browser_sign_in, eventually, make_person

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOTS")  # a folder to keep screenshots in, when set


@pytest.fixture
def history(north, south, lena, ada):
    """Twelve weeks of North and South: check-ins, stories, recognitions, commitments."""
    rng = random.Random(3)
    people = {
        team: [
            make_person(f"{team.name} {n}", f"{team.name.lower()}{n}@example.com", team=team)
            for n in range(6)
        ]
        for team in (north, south)
    }
    people[north].append(lena)
    for members in people.values():
        for week in range(12):
            monday = MONDAY - timedelta(weeks=week)
            for person in members:
                for day in range(5):
                    when = monday + timedelta(days=day)
                    if when <= NOW.date() and rng.random() < 0.55 + week * 0.02:
                        check_in(person, when)
                if rng.random() < 0.3:
                    moment = rng.choice(["Called back at once.", "Pure One True Customer."])
                    at = datetime.combine(monday, datetime.min.time()) + timedelta(hours=10)
                    story(person, min(at, NOW - timedelta(hours=1)), moment=moment)
                if rng.random() < 0.4:
                    recognise(person, rng.choice(members), monday)
                models.Commitment.create(
                    person=person,
                    week=monday,
                    behaviour="Call back",
                    situation="Every call",
                    kept=rng.random() < 0.7,
                )
    return people


def test_a_lead_opens_the_team_dashboard_from_the_team_page_on_a_phone(
    page, live_server, history, lena
):
    browser_sign_in(page, live_server, lena)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").tap()
    page.get_by_role("link", name="Dashboard", exact=True).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("North")
    chart = page.get_by_role("img", name=re.compile("^Check-in participation, the last 12 weeks"))
    expect(chart).to_be_visible()
    expect(page.get_by_role("heading", name="The Ultimate Test")).to_be_visible()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "dashboard-390.png"))
    table = page.get_by_role("table").first
    expect(table.get_by_role("row")).to_have_count(13)
    # Too wide for a phone: its box scrolls, is named and takes focus so keys can scroll it.
    scroller = page.get_by_role("region", name="Week-by-week figures")
    expect(scroller).to_have_attribute("tabindex", "0")
    assert scroller.evaluate("box => box.scrollWidth > box.clientWidth")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV of the weekly figures").tap()
    assert download.value.suggested_filename.startswith("dashboard-team-")
    if SHOTS:
        page.get_by_role("heading", name="Week by week").scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, "dashboard-390-table.png"))


def test_an_admin_compares_teams_and_opens_one_on_a_laptop(browser, live_server, history, ada):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        browser_sign_in(page, live_server, ada)
        page.goto(f"{live_server}/admin")
        page.get_by_role("link", name=re.compile("Dashboard of every team")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("The whole organisation")
        teams = page.get_by_role("table", name=re.compile("Each team's indicators"))
        expect(teams.get_by_role("row")).to_have_count(3)
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, "dashboard-1440.png"))
            page.get_by_role("heading", name=re.compile("Every team")).scroll_into_view_if_needed()
            page.screenshot(path=os.path.join(SHOTS, "dashboard-1440-teams.png"))
        page.get_by_label("Dashboard of").select_option(label="South")
        page.get_by_role("button", name="Show", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("South")
    finally:
        context.close()


def test_the_dashboard_has_no_wcag_violations(browser, live_server, history, ada, scheme):
    from test_accessibility import AXE, Audit

    context = _phone_context(browser, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        audit = Audit(page, AXE.read_text())
        browser_sign_in(page, live_server, ada)
        for path in ("/dashboard", f"/dashboard?team={history_team(history)}"):
            audit.visit(live_server + path, path)
        audit.assert_clean()
    finally:
        context.close()


def history_team(history) -> int:
    return next(iter(history)).id


@pytest.fixture(params=["light", "dark"])
def scheme(request) -> str:
    return request.param


@pytest.fixture
def branches(north, south, ada):
    """Thirty teams (North, South and 28 branches), two pages of the every-team table."""
    teams = [models.Team.create(name=f"Branch {n:02}", created_at=MADE) for n in range(1, 29)]
    for n, team in enumerate(teams[:6]):
        for m in range(3):
            person = make_person(f"{team.name} {m}", f"b{n}-{m}@example.com", team=team)
            if m <= n % 3:
                check_in(person, MONDAY)
    return teams


def team_names(page) -> list[str]:
    return page.locator("#teams-table tbody th").all_inner_texts()


def test_an_admin_searches_and_pages_every_team_in_place_on_a_laptop(
    browser, live_server, branches, ada
):
    from test_browser_admin import live_search_ready

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        browser_sign_in(page, live_server, ada)
        page.goto(f"{live_server}/admin")
        page.get_by_role("link", name=re.compile("Dashboard of every team")).click()  # boosted
        expect(page.get_by_role("heading", level=1)).to_have_text("The whole organisation")
        count = page.get_by_role("status").filter(has_text="teams")
        expect(count).to_contain_text("1–25 of 30 teams")
        page.evaluate("window.stayed = true")  # gone if anything below reloads the page

        pages = page.get_by_role("navigation", name="Pages of teams")
        pages.get_by_role("link", name="Next page").click()
        expect(count).to_contain_text("26–30 of 30 teams")
        assert team_names(page) == ["Branch 26", "Branch 27", "Branch 28", "North", "South"]
        assert page.url.endswith("/dashboard?page=2")
        # Back to the long page 1 from page 2's foot: it is shown from the table's top.
        pages.get_by_role("link", name="Previous page").click()
        expect(count).to_contain_text("1–25 of 30 teams")
        eventually(
            page,
            "() => { const top = document.getElementById('teams-table').getBoundingClientRect().top;"
            " return top >= 0 && top < 40; }",
            what="page 1 did not land at the table's top",
        )
        pages.get_by_role("link", name="Next page").click()
        expect(count).to_contain_text("26–30 of 30 teams")

        live_search_ready(page, "teams-search")
        page.get_by_label("Search teams").fill("branch 0")
        expect(count).to_contain_text("1–9 of 9 teams matching “branch 0”")
        assert page.url.endswith("/dashboard?q=branch+0")  # the table's own address
        page.get_by_role("link", name="Check-in participation, sort high to low").click()
        expect(count).to_contain_text("sorted by Check-in participation, highest first")
        table = page.get_by_role("table", name=re.compile("^Each team's indicators"))
        header = table.get_by_role("columnheader", name=re.compile("^Check-in participation"))
        expect(header).to_have_attribute("aria-sort", "descending")
        # Branch 03 and 06's three members all had Monday's check-in; the small ones show none.
        assert team_names(page)[:2] == ["Branch 03", "Branch 06"]
        if SHOTS:
            page.get_by_role("heading", name="Every team").scroll_into_view_if_needed()
            page.screenshot(path=os.path.join(SHOTS, "dashboard-teams-1280.png"))

        page.get_by_label("Search teams").fill("atlantis")
        expect(page.get_by_text("No team's name holds “atlantis”.")).to_be_visible()
        page.go_back()  # the address was pushed: back is the sorted search again
        expect(count).to_contain_text("of 9 teams matching “branch 0”")
        # The sorted table's words hold the unsorted one's too: wait for the restored form itself.
        page.evaluate("document.getElementById('teams-search').dataset.before = 'back'")
        page.go_back()
        eventually(
            page,
            "() => document.getElementById('teams-search')?.dataset.before !== 'back'",
            what="the history restore never replaced the search form",
        )
        expect(count).to_contain_text("1–9 of 9 teams")
        expect(count).to_contain_text("sorted by Team")
        assert page.evaluate("window.stayed") is True

        live_search_ready(page, "teams-search")  # the page restored from history is new content
        page.get_by_label("Search teams").fill("atlantis")
        page.get_by_role("link", name="Show every team").click()
        expect(count).to_contain_text("1–25 of 30 teams")
        expect(page.get_by_label("Search teams")).to_have_value("")
    finally:
        context.close()


def test_without_javascript_every_team_is_searched_and_paged_by_plain_links(
    browser, live_server, branches, ada
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        page.goto(f"{live_server}/signin")
        page.get_by_label("Email").fill(ada.email)
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.goto(f"{live_server}/dashboard")
        count = page.get_by_role("status").filter(has_text="team")
        page.get_by_role("link", name="Team, sort Z to A").click()
        expect(count).to_contain_text("sorted by Team, Z to A")
        page.get_by_role("link", name="Next page").click()
        expect(count).to_contain_text("26–30 of 30 teams")
        assert page.url.endswith("/dashboard?order=desc&page=2#teams-table")  # at the table
        assert team_names(page) == ["Branch 05", "Branch 04", "Branch 03", "Branch 02", "Branch 01"]
        page.get_by_label("Search teams").fill("south")
        page.get_by_role("button", name="Show teams").click()
        expect(count).to_contain_text("1–1 of 1 team matching “south”")
        assert team_names(page) == ["South"]
        assert "order=desc" in page.url  # the search kept the order
    finally:
        context.close()


# Each problem a reader would see in the tables on the page: a table wider than its box (so it
# scrolls or is cut off), or a cell whose words reach past its own edges (under a neighbour).
CLIPPED = """() => {
  const problems = [];
  for (const table of document.querySelectorAll('main table')) {
    const box = table.closest('.dash-scroll, .sheet-scroll') || table.parentElement;
    const card = table.closest('section');
    const name = card.querySelector('h2').textContent.trim();
    if (box.scrollWidth > box.clientWidth) problems.push(`${name}: scrolls ${box.scrollWidth} > ${box.clientWidth}`);
    const inner = card.getBoundingClientRect().right - parseFloat(getComputedStyle(card).paddingRight);
    if (table.getBoundingClientRect().right > inner + 1) problems.push(`${name}: past the card`);
    for (const cell of table.querySelectorAll('th, td')) {
      const edges = cell.getBoundingClientRect();
      const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let text = walk.nextNode(); text; text = walk.nextNode()) {
        if (text.parentElement.closest('.visually-hidden, details:not([open]) > :not(summary)')) continue;
        const range = document.createRange();
        range.selectNodeContents(text);
        const words = range.getBoundingClientRect();
        if (words.width && (words.left < edges.left - 1 || words.right > edges.right + 1))
          problems.push(`${name}: "${text.textContent.trim()}" reaches past its cell`);
      }
    }
  }
  return problems;
}"""


def test_on_a_laptop_every_column_of_the_dashboard_tables_fits(
    browser, live_server, history, lena, ada
):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        browser_sign_in(page, live_server, lena)
        page.goto(f"{live_server}/dashboard?team={history_team(history)}")
        expect(page.get_by_role("heading", name="Week by week")).to_be_visible()
        if SHOTS:
            page.get_by_role("heading", name="Week by week").scroll_into_view_if_needed()
            page.screenshot(path=os.path.join(SHOTS, "dashboard-lead-table-1280.png"))
        problems = page.evaluate(CLIPPED)
        assert not problems, "; ".join(problems)
        page.context.clear_cookies()
        browser_sign_in(page, live_server, ada)
        page.goto(f"{live_server}/dashboard")
        expect(page.get_by_role("heading", name="Every team")).to_be_visible()
        if SHOTS:
            page.get_by_role("heading", name="Every team").scroll_into_view_if_needed()
            page.screenshot(path=os.path.join(SHOTS, "dashboard-admin-teams-1280.png"))
        problems = page.evaluate(CLIPPED)
        assert not problems, "; ".join(problems)
    finally:
        context.close()
