"""Real browser on a laptop (1440×900) and a phone: the admin's people table and lagging indicators."""

from __future__ import annotations

import os
import re
from datetime import date, datetime

import pytest
from playwright.sync_api import expect

from conftest import browser_sign_in, eventually, make_person
from models import LaggingFigure, PersonSummary
from test_accessibility import AXE, Audit

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOTS_DIR")
NOW = datetime(2026, 11, 18, 10, 0)


def shot(page, name: str, full_page: bool = False) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=full_page)


@pytest.fixture
def laptop(browser):
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, timezone_id="Europe/London"
    )
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


@pytest.fixture
def laptop_nojs(browser):
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


FIRST = (
    "Amara",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Élodie",
    "Farah",
    "Gustav",
    "Hana",
    "Idris",
    "Jonas",
)
LAST = ("Nowak", "Okafor", "Pereira", "Quinn", "Rossi", "Sato")


@pytest.fixture
def organisation(ada, north, south):
    """Sixty people on two teams, some leads, most checked in at some point."""
    for n in range(60):
        name = f"{FIRST[n % 10]} {LAST[n % 6]} {n:02d}"
        person = make_person(
            name,
            f"{name.split()[0].lower()}.{n:02d}@example.com",
            role="lead" if n % 15 == 0 else "employee",
            team=(north, south, None)[n % 3] if n % 15 else north,
        )
        if n % 4:
            PersonSummary.create(person=person, last_day=date(2026, 11, 1 + n % 18))
    return ada


def live_search_ready(page, form_id: str) -> None:
    """Wait until htmx has set up a live-search form, so what is typed in its box filters.

    A boosted page's new content is in the page a moment before htmx processes it; typing
    before then sends nothing (and a full load is processed only at DOMContentLoaded).
    """
    eventually(
        page,
        f"() => !!document.getElementById('{form_id}')?.['htmx-internal-data']?.initHash",
        what=f"htmx never set up #{form_id}",
    )


def people_names(page) -> list[str]:
    return page.locator("#people-table .person-name").all_inner_texts()


def test_an_admin_searches_sorts_and_pages_the_people_table_in_place(
    laptop, live_server, organisation
):
    page = laptop
    browser_sign_in(page, live_server, organisation)
    page.goto(f"{live_server}/admin")
    count = page.get_by_role("status").filter(has_text="people")
    expect(count).to_contain_text("1–25 of 61 people")
    expect(page.get_by_role("table")).to_be_visible()
    page.evaluate("window.stayed = true")  # gone if anything below reloads the page
    shot(page, "admin-people-1440")

    page.get_by_role("link", name="Next page").click()
    expect(count).to_contain_text("26–50 of 61 people")
    # The new page is read from the table's top, not from the pager at its foot.
    eventually(
        page,
        "() => { const top = document.getElementById('people-table').getBoundingClientRect().top;"
        " return top >= 0 && top < 40; }",
        what="page 2 did not land at the table's top",
    )
    page.get_by_role("link", name="Next page").click()
    expect(count).to_contain_text("51–61 of 61 people")
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    page.get_by_role("link", name="Previous page").click()
    expect(count).to_contain_text("26–50 of 61 people")
    assert page.url.endswith("/admin?page=2")

    live_search_ready(page, "people-search")
    page.get_by_label("Search people").fill("hana")
    expect(count).to_contain_text("of 6 people matching “hana”")
    assert all(name.startswith("Hana") for name in people_names(page))
    assert "q=hana" in page.url

    page.get_by_role("link", name="Last check-in, sort by this").click()
    expect(count).to_contain_text("sorted by Last check-in, oldest first")
    page.get_by_role("link", name="Last check-in, sort the other way").click()
    expect(count).to_contain_text("sorted by Last check-in, newest first")
    header = page.get_by_role("columnheader", name=re.compile("^Last check-in"))
    expect(header).to_have_attribute("aria-sort", "descending")
    times = page.locator("#people-table tbody time").evaluate_all(
        "els => els.map(e => e.getAttribute('datetime'))"
    )
    assert times == sorted(times, reverse=True) and len(times) >= 3

    # A new search keeps the sort the table shows.
    page.get_by_label("Search people").fill("example.com")
    expect(count).to_contain_text("1–25 of 61 people matching")
    expect(count).to_contain_text("newest first")
    page.get_by_role("link", name="Role, sort by this").click()
    expect(count).to_contain_text("sorted by Role")
    assert people_names(page)[0] == "Ada Admin"
    page.get_by_role("link", name="Team, sort by this").click()
    expect(count).to_contain_text("sorted by Team")
    shot(page, "admin-people-sorted-1440")
    assert page.evaluate("window.stayed") is True

    # Changing someone comes back to the same search, sort and page, with the row in view.
    where = page.url
    first = people_names(page)[0]
    page.get_by_text(f"Change team or role of {first}").click()
    row = page.locator("#people-table tbody tr").first
    row.get_by_label("Role").select_option("lead")
    shot(page, "admin-people-change-1440")
    row.get_by_role("button", name=f"Save {first}").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_contain_text(
        f"Saved {first}: lead"
    )
    assert page.url.split("#")[0] == where
    expect(count).to_contain_text("sorted by Team")


def test_without_javascript_the_table_is_searched_sorted_and_paged_by_plain_links(
    laptop_nojs, live_server, organisation, clock
):
    page = laptop_nojs
    page.goto(f"{live_server}/signin")
    page.get_by_label("Email").fill(organisation.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(f"{live_server}/admin")
    page.get_by_label("Search people").fill("okafor")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status").filter(has_text="people")).to_contain_text(
        "1–10 of 10 people matching “okafor”"
    )
    page.get_by_role("link", name="Name, sort the other way").click()
    expect(page.get_by_role("status").filter(has_text="people")).to_contain_text("Z to A")
    assert page.url.endswith("/admin?q=okafor&sort=-name")
    names = people_names(page)
    assert names == sorted(names, key=str.lower, reverse=True)

    # Without JavaScript a row's form is a page of its own, and back to the same list.
    first = names[0]
    page.get_by_text(f"Change team or role of {first}").click()
    page.get_by_role("link", name=f"Change {first}'s team, role or sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first)
    page.get_by_label("Role", exact=True).select_option("lead")
    page.get_by_role("button", name=f"Save {first}").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_contain_text(
        f"Saved {first}: lead"
    )
    assert page.url.split("#")[0].endswith("/admin?q=okafor&sort=-name")


def test_an_admin_enters_a_months_lagging_figures_and_fixes_a_typo(laptop, live_server, ada, north):
    page = laptop
    LaggingFigure.enter(None, date(2026, 9, 1), {"nps": 31, "csat": 84, "engagement": 68}, ada, NOW)
    browser_sign_in(page, live_server, ada)
    page.goto(f"{live_server}/admin")
    page.get_by_role("navigation", name="Admin").get_by_role(
        "link", name="Lagging indicators"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lagging indicators")
    page.get_by_label("For").select_option(label="North")
    page.get_by_label("Month").fill("2026-10")
    page.get_by_label(re.compile("^Net Promoter Score")).fill("140")
    page.get_by_label(re.compile("^Customer satisfaction")).fill("88,5")
    page.get_by_role("button", name="Save the figures").click()
    expect(
        page.get_by_text("Net Promoter Score is −100 to 100; 140 is outside that.")
    ).to_be_visible()
    expect(page.get_by_label(re.compile("^Customer satisfaction"))).to_have_value("88,5")
    shot(page, "lagging-error-1440")
    page.get_by_label(re.compile("^Net Promoter Score")).fill("41")
    page.get_by_role("button", name="Save the figures").click()
    expect(page.get_by_role("status").filter(has_text="Saved 2 figures")).to_contain_text(
        "Saved 2 figures for North, October 2026."
    )
    row = page.get_by_role("row", name=re.compile("Oct 2026 North"))
    expect(row).to_contain_text("88.5 %")
    shot(page, "lagging-1440", full_page=True)
    assert {
        (f.team_id, f.kind, f.value)
        for f in LaggingFigure.select().where(LaggingFigure.team == north)
    } == {
        (north.id, "nps", 41),
        (north.id, "csat", 88.5),
    }


def test_the_admin_pages_read_as_cards_on_a_phone(page, live_server, organisation):
    LaggingFigure.enter(None, date(2026, 10, 1), {"nps": 38, "csat": 86.5}, organisation, NOW)
    browser_sign_in(page, live_server, organisation)
    # As an admin gets there on a phone: boosted taps, then typing straight into the search.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Me").tap()
    page.get_by_role("link", name="Admin: teams and invites").tap()
    expect(page.get_by_role("link", name="Name, sort the other way")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    # The people and their search come first on a phone, the set-up forms after them.
    search = page.get_by_label("Search people").bounding_box()
    invite = page.get_by_role("heading", name="Invite someone").bounding_box()
    assert search["y"] < 844 < invite["y"], (search, invite)
    shot(page, "admin-390", full_page=True)
    live_search_ready(page, "people-search")
    page.get_by_label("Search people").fill("farah")
    expect(page.get_by_role("status").filter(has_text="people")).to_contain_text("matching “farah”")
    if SHOTS:
        page.locator(".sheet-card").screenshot(path=os.path.join(SHOTS, "admin-people-390.png"))
    page.goto(f"{live_server}/admin/indicators")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lagging indicators")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "lagging-390", full_page=True)


@pytest.fixture(scope="module")
def axe_js() -> str:
    return AXE.read_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width,height", [(1440, 900), (390, 844)])
def test_axe_finds_nothing_on_the_admin_sheets(
    browser, axe_js, live_server, organisation, north, scheme, width, height
):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(10000)
    LaggingFigure.enter(None, date(2026, 10, 1), {"nps": 38, "csat": 86.5}, organisation, NOW)
    LaggingFigure.enter(north, date(2026, 10, 1), {"complaints": 4}, organisation, NOW)
    audit = Audit(page, axe_js)
    browser_sign_in(page, live_server, organisation)
    for path in (
        "/admin",
        "/admin?q=nobody-at-all",
        "/admin?sort=-last&page=2",
        "/admin/indicators",
    ):
        audit.visit(live_server + path, f"{path} {width} {scheme}")
    page.goto(f"{live_server}/admin")
    page.get_by_text("Change team or role of Ada Admin").click()
    expect(page.locator("#people-table tbody tr").first.get_by_label("Role")).to_be_visible()
    audit.check(f"/admin, a row's change form open, {width} {scheme}")
    page.goto(f"{live_server}/admin/indicators")
    page.get_by_label(re.compile("^Net Promoter Score")).fill("nine")
    page.get_by_role("button", name="Save the figures").click()
    expect(page.get_by_text("“nine” isn't one")).to_be_visible()
    audit.check(f"/admin/indicators refused, {width} {scheme}")
    context.close()
    audit.assert_clean()


def test_on_a_1280_laptop_every_column_of_the_entered_figures_fits(
    browser, live_server, ada, north
):
    from test_browser_dashboard import CLIPPED

    LaggingFigure.enter(
        None, date(2026, 11, 1), {"nps": -12, "csat": 87.5, "complaints": 4}, ada, NOW
    )
    LaggingFigure.enter(
        north,
        date(2026, 10, 1),
        {"nps": 100, "csat": 100, "referral": 100, "complaints": 1234, "engagement": 100},
        ada,
        NOW,
    )
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        browser_sign_in(page, live_server, ada)
        page.goto(f"{live_server}/admin/indicators")
        expect(page.get_by_role("link", name="Edit North, October 2026")).to_be_visible()
        shot(page, "lagging-1280")
        problems = page.evaluate(CLIPPED)
        assert not problems, "; ".join(problems)
    finally:
        context.close()
