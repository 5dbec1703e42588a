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
from conftest import _phone_context, browser_sign_in, make_person

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
