"""The leaders' dashboard: who may see what, the figures it shows, closed weeks kept for good, CSV."""

from __future__ import annotations

import csv
import html
import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import models
from conftest import MADE, make_person, sign_in
from game.indicators import FEWER, INDICATORS
from game.summary import rebuild
from manage import cli
from push.queue import huey, use_app
from pwa import closing, dashboard

MONDAY = date(2026, 11, 16)  # the test clock's week (it is Wednesday 18 November)
LAST_WEEK = MONDAY - timedelta(days=7)
NOW = datetime(2026, 11, 18, 10, 0)
PROMPT = "What does this story teach others about One True Customer behaviour?"


@pytest.fixture
def dave(north):
    return make_person("Dave Diaz", "dave@example.com", team=north)


def check_in(person, day):
    models.CheckIn.record(person, day, {"before": "yes"}, None, NOW)


def story(author, when: datetime, moment="She called back within the hour.", **fields):
    return models.Story.create(
        author=author,
        member=author,
        team=author.team_id,
        day=when.date(),
        situation="A customer waited for an answer.",
        moment=moment,
        customer_kind="external",
        phase="during",
        created_at=when,
        updated_at=when,
        **fields,
    )


def recognise(giver, receiver, day: date, message="Thanks for the call."):
    return models.Recognition.create(
        giver=giver,
        receiver=receiver,
        team=receiver.team_id,
        message=message,
        customer_kind="colleague",
        day=day,
        week=day - timedelta(days=day.weekday()),
        created_at=datetime.combine(day, datetime.min.time()),
    )


@pytest.fixture
def north_week(alice, bob, lena, dave, carl):
    """North (four people) had a busy week; South is Carl alone."""
    for person, days in ((alice, 3), (bob, 2), (lena, 1), (dave, 0)):
        for n in range(days):
            check_in(person, MONDAY + timedelta(days=n))
    check_in(carl, MONDAY)
    story(alice, NOW - timedelta(hours=2), moment="Pure one\n  TRUE “customer” thinking.")
    story(bob, NOW - timedelta(hours=3), lesson=PROMPT)
    story(lena, NOW - timedelta(hours=4))
    story(dave, NOW - timedelta(hours=5), hidden=True, moment="One True Customer, hidden.")
    recognise(bob, alice, MONDAY, message='That was "One True Customer" at its best.')
    recognise(alice, bob, MONDAY)
    recognise(lena, dave, MONDAY + timedelta(days=1))
    models.Announcement.write(alice.team, MONDAY, lena, alice, "One True Customer in action.", NOW)
    for person in (alice, bob, lena):
        models.Challenge.create(person=person, start=MONDAY + timedelta(days=1))
        models.Pledge.create(person=person, signed_at=NOW - timedelta(hours=1))
    for person, kept in ((alice, True), (bob, True), (lena, False), (dave, None)):
        models.Commitment.create(
            person=person, week=MONDAY, behaviour="Call back", situation="Every call", kept=kept
        )
    return alice.team


def page_text(response) -> str:
    return response.get_data(as_text=True)


def csv_rows(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# Who may see it -----------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]


@pytest.mark.parametrize(
    "url", ["/dashboard", "/dashboard/weeks.csv", "/dashboard/teams.csv", "/dashboard?team=1"]
)
def test_an_employee_is_refused_every_dashboard(as_alice, url):
    assert as_alice.get(url).status_code == 403


def test_a_lead_sees_their_own_team_without_a_choice_of_teams(as_lena, north_week, south):
    response = as_lena.get("/dashboard")
    assert response.status_code == 200
    text = page_text(response)
    assert "<h1>North</h1>" in text
    assert 'id="dash-team"' not in text and "South" not in text
    assert "Every team" not in text


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/weeks.csv"])
def test_a_lead_asking_for_another_team_is_refused(as_lena, north_week, south, path):
    assert as_lena.get(f"{path}?team={south.id}").status_code == 403
    assert as_lena.get(f"{path}?team=987654").status_code == 403
    assert as_lena.get(f"{path}?team=org").status_code == 404


@pytest.mark.parametrize("asked", ["abc", "²", "-1", "1.5", "0x1", "99999999999999999999"])
def test_a_team_that_is_not_a_number_is_not_found(as_ada, north, asked):
    assert as_ada.get("/dashboard", query_string={"team": asked}).status_code == 404
    assert as_ada.get("/dashboard/weeks.csv", query_string={"team": asked}).status_code == 404


def test_a_lead_may_not_download_every_teams_table(as_lena, north):
    assert as_lena.get("/dashboard/teams.csv").status_code == 403


def test_a_lead_without_a_team_finds_no_dashboard(client, app):
    lead = make_person("Loose Lead", "loose@example.com", role="lead")
    sign_in(client, lead)
    assert client.get("/dashboard").status_code == 404


def test_an_admin_sees_the_organisation_and_may_choose_any_team(as_ada, north_week, south):
    text = page_text(as_ada.get("/dashboard"))
    assert "<h1>The whole organisation</h1>" in text
    assert '<label for="dash-team">Dashboard of</label>' in text
    assert f'<option value="{south.id}"' in text
    assert '<h2 id="teams-heading" class="card-title">Every team</h2>' in text
    assert "Week of Mon 16 Nov (so far)" in text
    south_page = as_ada.get(f"/dashboard?team={south.id}")
    assert "<h1>South</h1>" in page_text(south_page)
    assert as_ada.get("/dashboard?team=987654").status_code == 404


@pytest.mark.parametrize("week", ["yesterday", "2026-13-01", "2020-01-06", "2026-11-17"])
def test_a_week_outside_the_last_twelve_is_not_found(as_ada, north, week):
    assert as_ada.get("/dashboard", query_string={"week": week}).status_code == 404
    assert as_ada.get("/dashboard/teams.csv", query_string={"week": week}).status_code == 404


def test_the_team_and_admin_pages_link_to_the_dashboard(client, lena, ada, north):
    sign_in(client, lena)
    assert f'href="/dashboard?team={north.id}"' in page_text(client.get("/team"))
    client.post("/signout", data={"csrf_token": client.csrf_token()})
    sign_in(client, ada)
    assert 'href="/dashboard"' in page_text(client.get("/admin"))


# What it shows --------------------------------------------------------------------


def test_the_figures_of_the_week_so_far(app, north_week):
    found = models.week_counts([MONDAY], NOW.date(), prefilled=dashboard.PREFILLED)
    north = found[(north_week.id, MONDAY)]
    # Four members, Monday to Wednesday: 12 work days, 6 with a check-in.
    assert (north.members, north.workdays, north.checked) == (4, 12, 6)
    assert (north.stories, north.story_people) == (3, 3)  # the hidden one is not counted
    assert (north.recognitions, north.recognition_people) == (3, 3)
    assert (north.challenges_started, north.pledges) == (3, 3)
    assert (north.commitments_reviewed, north.commitments_kept) == (3, 2)
    # Six stories and recognitions; Alice's story and Bob's thanks say the phrase, Bob's
    # pasted prompt and the announcement do not.
    assert (north.words, north.words_people, north.phrase) == (6, 3, 2)
    assert north.streaking == 3


@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/Los_Angeles"])
def test_a_newcomer_owes_no_work_day_from_before_they_joined(app, north_week, tz):
    # Nia's account was made on Tuesday at 17:00 UTC: Tuesday in Berlin and in Los Angeles.
    nia = make_person("Nia Novak", "nia@example.com", team=north_week, tz=tz)
    models.Person.update(created_at=datetime(2026, 11, 17, 17, 0)).where(
        models.Person.id == nia.id
    ).execute()
    check_in(nia, MONDAY + timedelta(days=2))
    north = models.week_counts([MONDAY], NOW.date())[(north_week.id, MONDAY)]
    # The four of the week so far (12 days, 6 checked) and Nia's Tuesday and Wednesday.
    assert (north.members, north.workdays, north.checked) == (5, 14, 7)
    assert models.board_participation(north_week, NOW.date()) == (5, 14, 7)


def test_a_lead_reads_each_figure_with_how_it_is_computed(as_lena, north_week):
    text = page_text(as_lena.get("/dashboard"))
    assert '<span class="dash-value">50%</span>' in text  # participation
    assert '<span class="dash-value">33%</span>' in text  # the Ultimate Test, 2 of 6
    assert '<span class="dash-value">67%</span>' in text  # commitments kept, 2 of 3
    assert "The share of members&#39; work days this week that had a Daily Filter check-in" in text
    assert text.count('class="dash-how"') == 9


def test_charts_are_svg_with_a_title_and_a_description_in_words(as_lena, north_week):
    text = page_text(as_lena.get("/dashboard"))
    assert text.count('<svg class="chart"') == 9
    assert '<title id="chart-participation-title">Check-in participation, the last 12 weeks' in text
    assert "16 Nov: 50% so far" in text
    assert "<script" not in text.split('<svg class="chart"')[1].split("</svg>")[0]
    # The trend says what it compares: beside last week's figure it is not last week's change.
    assert text.count("4-week trend: <strong") == 9


def test_a_team_of_fewer_than_three_shows_no_participation(as_ada, north_week, south):
    text = page_text(as_ada.get(f"/dashboard?team={south.id}"))
    assert f'<span class="dash-value dash-few">{FEWER}</span>' in text
    assert "16 Nov: fewer than 3 so far" in text


def test_the_lagging_indicators_have_a_place_beside_the_charts(app, as_lena, north_week):
    source = app.jinja_env.loader.get_source(app.jinja_env, "dashboard/index.html")[0]
    assert '{% include "dashboard/_lagging.html" ignore missing %}' in source
    assert '{% include "dashboard/_lagging_beside.html" ignore missing %}' in source
    assert as_lena.get("/dashboard").status_code == 200  # without them, nothing breaks


# Closed weeks -----------------------------------------------------------------------


def test_closed_weeks_are_stored_once_and_the_current_week_never(app, north_week):
    check_in(models.Person.get(models.Person.email == "alice@example.com"), LAST_WEEK)
    with app.app_context():
        stored = dashboard.close_weeks()
        again = dashboard.close_weeks()
    assert stored[-1] == LAST_WEEK and len(stored) == 12 and MONDAY not in stored
    assert again == []
    rows = models.WeekFigure.select().where(models.WeekFigure.week == LAST_WEEK)
    assert {row.team_name for row in rows} == {"North", "South", "Organisation"}
    assert models.WeekFigure.select().count() == 12 * 3


def test_a_stored_week_does_not_change_when_a_person_is_deleted(as_ada, app, north_week, alice):
    for n in range(3):
        story(alice, datetime.combine(LAST_WEEK, datetime.min.time()) + timedelta(hours=n + 9))
    with app.app_context():
        dashboard.close_weeks()
    before = models.WeekFigure.get(
        (models.WeekFigure.week == LAST_WEEK) & (models.WeekFigure.team_id == north_week.id)
    )
    assert before.stories == 3 and before.story_people == 1

    alice.delete_instance(recursive=True)

    after = models.WeekFigure.get_by_id(before.id)
    assert after.__data__ == before.__data__
    rows = csv_rows(as_ada.get(f"/dashboard/weeks.csv?team={north_week.id}"))
    last = next(row for row in rows if row[0] == LAST_WEEK.isoformat())
    assert last[5] == ""  # three stories, but one person told them
    assert "Stories collected: fewer than 3 people" in last[-1]


def test_two_closing_passes_at_once_store_each_week_once(app, north_week):
    barrier = threading.Barrier(2)

    def close():
        with app.app_context():
            models.db.connect(reuse_if_open=True)
            barrier.wait()
            try:
                return dashboard.close_weeks()
            finally:
                models.db.close()

    with ThreadPoolExecutor(2) as pool:
        results = [f.result() for f in [pool.submit(close), pool.submit(close)]]
    assert sum(len(r) for r in results) >= 12
    assert models.WeekFigure.select().count() == 12 * 3


def test_the_worker_closes_weeks_every_hour(app, north_week):
    due = huey.read_periodic(datetime(2026, 11, 18, 9, 43))
    assert "close_weeks_task" in [task.name for task in due]
    use_app(app)
    try:
        assert closing.close_weeks_task.call_local() == 12
    finally:
        use_app(None)


def test_the_backfill_command_stores_a_year_of_closed_weeks(app, runner, north_week):
    with app.app_context():
        result = runner.invoke(cli, ["close-weeks", "--weeks", "52"])
        again = runner.invoke(cli, ["close-weeks", "--weeks", "52"])
    assert result.exit_code == 0, result.output
    assert "Stored the figures of 52 closed weeks." in result.output
    assert "Stored the figures of 0 closed weeks." in again.output


# CSV ----------------------------------------------------------------------------------


def test_the_weekly_table_downloads_as_csv_cell_by_cell(as_lena, north_week):
    response = as_lena.get("/dashboard/weeks.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == [
        "Week starting",
        "Week ending",
        "Team",
        "Status",
        "Check-in participation (%)",
        "Stories collected",
        "Recognitions given",
        "30-day challenges started",
        "30-day challenges completed",
        "Commitments kept (%)",
        "Pledges signed",
        "The Ultimate Test (%)",
        "On a streak",
        "Notes",
    ]
    assert len(rows) == 13
    assert rows[1] == [
        "2026-11-16",
        "2026-11-22",
        "North",
        "so far",
        "50",
        "3",
        "3",
        "3",
        "0",
        "67",
        "3",
        "33",
        "3",
        "",
    ]
    assert rows[2][:4] == ["2026-11-09", "2026-11-15", "North", "closed"]
    assert rows[2][4:9] == ["0", "0", "0", "0", "0"]
    assert rows[2][9] == "" and rows[2][-1] == "Commitments kept: nothing to measure; " + (
        "The Ultimate Test: nothing to measure"
    )


def test_every_teams_table_downloads_with_small_teams_hidden(as_ada, north_week, south):
    rows = csv_rows(as_ada.get("/dashboard/teams.csv"))
    assert rows[0][:3] == ["Team", "Week starting", "Status"]
    by_team = {row[0]: row for row in rows[1:]}
    assert by_team["North"][:5] == ["North", "2026-11-16", "so far", "50", "3"]
    assert by_team["South"][3] == ""  # Carl alone: no figure, and the note says why
    assert by_team["South"][-1].startswith("Check-in participation: fewer than 3 people; ")
    assert FEWER not in "".join(cell for row in rows for cell in row[3:-1])
    last = csv_rows(as_ada.get(f"/dashboard/teams.csv?week={LAST_WEEK.isoformat()}"))
    assert [row[:3] for row in last[1:]] == [
        ["North", "2026-11-09", "closed"],
        ["South", "2026-11-09", "closed"],
    ]


def test_text_a_spreadsheet_would_run_is_neutralised(as_ada, app, carl):
    team = models.Team.create(name='=HYPERLINK("http://x")', created_at=MADE)
    assert as_ada.get(f"/dashboard?team={team.id}").status_code == 200
    rows = csv_rows(as_ada.get("/dashboard/teams.csv"))
    assert [row[0] for row in rows[1:] if "HYPERLINK" in row[0]] == ['\'=HYPERLINK("http://x")']
    weekly = csv_rows(as_ada.get(f"/dashboard/weeks.csv?team={team.id}"))
    assert weekly[1][2] == '\'=HYPERLINK("http://x")'


def test_no_csv_ever_holds_one_persons_check_in_days(as_ada, north_week, alice):
    for path in ("/dashboard/weeks.csv", "/dashboard/teams.csv"):
        body = as_ada.get(path).get_data(as_text=True)
        assert alice.name not in body and alice.email not in body


def test_an_admin_sorts_every_teams_table_by_a_figure_small_teams_last(as_ada, north_week, south):
    east = models.Team.create(name="East", created_at=MADE)
    for n in range(3):
        make_person(f"East {n}", f"east{n}@example.com", team=east)
    text = page_text(as_ada.get("/dashboard?team=org&sort=participation&order=desc"))
    table = text.split('id="teams-heading"')[1]
    assert table.index(">North</a>") < table.index(">East</a>") < table.index(">South</a>")
    assert 'aria-sort="descending"' in table
    rows = csv_rows(as_ada.get("/dashboard/teams.csv?sort=participation&order=asc"))
    assert [row[0] for row in rows[1:]] == ["East", "North", "South"]
    by_name = csv_rows(as_ada.get("/dashboard/teams.csv?sort=team&order=desc"))
    assert [row[0] for row in by_name[1:]] == ["South", "North", "East"]
    assert as_ada.get("/dashboard?sort=nonsense&order=sideways").status_code == 200


def test_lagging_figures_an_admin_entered_show_beside_the_leading_ones(app, as_lena, ada, north):
    models.LaggingFigure.enter(
        None, date(2026, 10, 1), {"nps": -20, "csat": 81}, ada, datetime(2026, 11, 18)
    )
    models.LaggingFigure.enter(north, date(2026, 11, 1), {"nps": 35}, ada, datetime(2026, 11, 18))
    admin = sign_in(app.test_client(), ada)
    org = page_text(admin.get("/dashboard"))
    assert "Lagging indicators, on the same weeks" in org
    assert "Net Promoter Score" in org and "-20" in org and "81 %" in org
    assert "Bars above the zero line are positive, below it negative." in org
    assert 'class="chart-bar below"' in org and 'class="chart-zero"' in org  # −20 hangs below 0
    assert 'href="/admin/indicators"' in org
    team = page_text(as_lena.get(f"/dashboard?team={north.id}"))
    assert "Net Promoter Score" in team and ">35<" in team
    assert "Customer satisfaction" not in team  # the organisation's figure is not the team's
    assert 'href="/admin/indicators"' not in team


def test_a_dashboard_without_lagging_figures_shows_no_empty_charts(as_ada):
    assert "Lagging indicators" not in page_text(as_ada.get("/dashboard"))


# The every-team table: search, sort, paging ----------------------------------------------


@pytest.fixture
def many_teams(north_week, south):
    """North and South, and 28 more teams: 30 in all, two pages of the every-team table."""
    extra = [models.Team.create(name=f"Branch {n:02}", created_at=MADE) for n in range(1, 29)]
    for n in range(3):
        make_person(f"Branch One {n}", f"branch{n}@example.com", team=extra[0])
    return extra


def table_of(text: str) -> str:
    """The every-team table's fragment out of a page."""
    return text.split('id="teams-table"')[1]


def team_names(text: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/dashboard\?team=\d+">([^<]+)</a>', table_of(text))


def test_the_every_team_table_shows_twenty_five_teams_a_page(as_ada, many_teams):
    text = page_text(as_ada.get("/dashboard"))
    assert team_names(text) == sorted(f"Branch {n:02}" for n in range(1, 26))
    assert "<strong>1–25</strong> of 30 teams" in text
    assert "Page 1 of 2" in text
    assert 'href="/dashboard?page=2#teams-table" hx-get="/dashboard?page=2"' in text
    assert '<span class="button secondary" aria-disabled="true">← Previous' in text
    second = page_text(as_ada.get("/dashboard?page=2"))
    assert team_names(second) == ["Branch 26", "Branch 27", "Branch 28", "North", "South"]
    assert "<strong>26–30</strong> of 30 teams" in second
    assert 'rel="prev" href="/dashboard#teams-table"' in second


def test_a_search_finds_teams_by_any_part_of_their_name_in_any_case(as_ada, many_teams):
    text = page_text(as_ada.get("/dashboard?q=nORTh"))
    assert team_names(text) == ["North"]
    assert "<strong>1–1</strong> of 1 team matching “nORTh”" in text
    assert 'value="nORTh"' in text  # the box keeps what was typed
    assert 'class="pager"' not in text
    branches = page_text(as_ada.get("/dashboard?q=branch 1"))
    assert team_names(branches) == [f"Branch {n}" for n in range(10, 20)]


def test_a_search_that_finds_nothing_says_so_and_offers_every_team(as_ada, many_teams):
    text = page_text(as_ada.get("/dashboard?q=Atlantis&sort=stories"))
    assert "No team's name holds “Atlantis”." in text
    # A whole page, so the search box is emptied too (the sort is kept).
    assert '<a href="/dashboard?sort=stories#teams-heading">Show every team</a>' in text
    assert "<table" not in table_of(text) and "Download CSV of" not in text


def test_sorting_keeps_the_search_and_starts_again_at_page_one(as_ada, many_teams):
    text = page_text(as_ada.get("/dashboard?q=an&page=2"))  # "Branch …" and nothing else
    assert "Page 2 of 2" in text
    assert 'href="/dashboard?q=an&amp;sort=participation"' in text
    assert 'href="/dashboard?q=an&amp;order=desc"' in text  # Team, Z to A
    by_share = page_text(as_ada.get("/dashboard?q=an&sort=participation&page=1"))
    # Branch 01 has three members who checked in on none of their work days: 0% and first.
    assert team_names(by_share)[0] == "Branch 01"
    assert "sorted by Check-in participation, highest first" in by_share
    assert 'href="/dashboard?q=an&amp;sort=participation&amp;page=2#teams-table"' in by_share


def test_every_link_of_the_table_works_without_javascript(as_ada, many_teams):
    text = page_text(as_ada.get("/dashboard?q=branch&sort=stories&order=asc"))
    nxt = html.unescape(re.search(r'rel="next" href="([^"]+)"', text).group(1))
    assert nxt == "/dashboard?q=branch&sort=stories&order=asc&page=2#teams-table"  # at the table
    second = as_ada.get(nxt)
    assert second.status_code == 200 and "<html" in page_text(second)
    assert team_names(page_text(second)) == ["Branch 26", "Branch 27", "Branch 28"]
    # The form a browser sends without JavaScript: week and search, with the sort kept.
    sent = as_ada.get(
        "/dashboard",
        query_string={"week": MONDAY.isoformat(), "q": "south", "sort": "stories", "order": "asc"},
    )
    assert team_names(page_text(sent)) == ["South"]
    assert 'name="sort" value="stories" form="teams-search"' in page_text(sent)


def test_htmx_gets_only_the_table_and_a_boosted_visit_the_page(as_ada, many_teams):
    fragment = as_ada.htmx("GET", "/dashboard?q=north")
    body = page_text(fragment)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert body.lstrip().startswith('<div id="teams-table"')
    assert "<html" not in body and "<h1>" not in body and team_names(body) == ["North"]
    # The address pushed is the table's own: what the search form sent, defaults left out.
    sent = {"week": MONDAY.isoformat(), "q": "north", "sort": "team", "order": "asc"}
    assert as_ada.htmx("GET", "/dashboard", query_string=sent).headers["HX-Push-Url"] == (
        "/dashboard?q=north"
    )
    far = as_ada.htmx("GET", "/dashboard?sort=stories&page=999")
    assert far.headers["HX-Push-Url"] == "/dashboard?sort=stories&page=2"
    boosted = as_ada.htmx("GET", "/dashboard?q=north", headers={"HX-Boosted": "true"})
    assert "<html" in page_text(boosted)
    # A team's own dashboard has no such table: htmx gets the page.
    team = as_ada.htmx("GET", f"/dashboard?team={many_teams[0].id}")
    assert "<h1>Branch 01</h1>" in page_text(team)


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ({"page": "abc"}, 1),
        ({"page": "-1"}, 1),
        ({"page": "0"}, 1),
        ({"page": "²"}, 1),
        ({"page": "3"}, 2),
        ({"page": "99999999999999999999"}, 2),
        ({"page": "9" * 5000}, 2),
        ({"page": "1", "sort": "nonsense", "order": "sideways"}, 1),
        ({"sort": "__class__"}, 1),
    ],
)
def test_a_page_or_sort_that_cannot_be_is_brought_within_the_table(as_ada, many_teams, query, page):
    for get in (as_ada.get, lambda url, **kw: as_ada.htmx("GET", url, **kw)):
        response = get("/dashboard", query_string=query)
        assert response.status_code == 200
        assert f"Page {page} of 2" in page_text(response)


@pytest.mark.parametrize("typed", ["nor\x00th", "\x00", "north" + "x" * 500, "\u202enorth", "%"])
def test_a_search_with_control_characters_or_too_long_is_cleaned_never_a_500(
    as_ada, many_teams, typed
):
    response = as_ada.get("/dashboard", query_string={"q": typed})
    assert response.status_code == 200
    names = team_names(page_text(response))
    if typed in ("nor\x00th", "\u202enorth"):
        assert names == ["North"]
    csv_response = as_ada.get("/dashboard/teams.csv", query_string={"q": typed})
    assert csv_response.status_code == 200


def test_the_csv_holds_every_team_the_search_found_on_every_page_in_its_order(as_ada, many_teams):
    text = page_text(as_ada.get("/dashboard?q=branch&order=desc&page=2"))
    assert "Download CSV of the 28 teams found</a>" in text
    assert 'href="/dashboard/teams.csv?q=branch&amp;order=desc"' in text
    rows = csv_rows(as_ada.get("/dashboard/teams.csv?q=branch&order=desc&page=2"))
    assert [row[0] for row in rows[1:]] == [f"Branch {n:02}" for n in range(28, 0, -1)]
    every = page_text(as_ada.get("/dashboard"))
    assert "Download CSV of all 30 teams</a>" in every


# A closed week reads the same live and stored --------------------------------------

PAST = [MONDAY - timedelta(weeks=n) for n in range(4, 0, -1)]  # four closed weeks, oldest first
WORK_WEEKS = ["0,1,2,3,4", "0,1,2,3,4,5,6", "1,3", "5,6"]


def _weeks_table(text: str) -> list[str]:
    """The weekly figures table's rows, as text (every column of every week)."""
    table = text.split('<table class="dash-table">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>.*?</tr>", table.split("<tbody>", 1)[-1], re.S)


def _everything_shown(client, teams) -> dict:
    """Every past week's figures the dashboard and its downloads show, of every team and everyone."""
    shown = {}
    for team in [None, *teams]:
        query = {} if team is None else {"team": team.id}
        shown[("page", team and team.id)] = _weeks_table(
            page_text(client.get("/dashboard", query_string=query))
        )
        rows = csv_rows(client.get("/dashboard/weeks.csv", query_string=query))
        shown[("weeks.csv", team and team.id)] = [row for row in rows if row[3] != "so far"]
    for week in PAST:
        query = {"week": week.isoformat()}
        text = page_text(client.get("/dashboard", query_string=query))
        shown[("teams", week)] = text.split('id="teams-table"', 1)[1].split("</table>", 1)[0]
        shown[("teams.csv", week)] = csv_rows(
            client.get("/dashboard/teams.csv", query_string=query)
        )
    return shown


def _history(people):
    day_offsets = st.sets(st.integers(min_value=0, max_value=len(PAST) * 7 + 2), max_size=20)
    return st.tuples(
        st.lists(day_offsets, min_size=len(people), max_size=len(people)),
        st.lists(st.sampled_from(WORK_WEEKS), min_size=len(people), max_size=len(people)),
    )


def test_a_closed_week_shows_the_same_before_and_after_it_is_stored(
    app, as_ada, alice, bob, lena, dave, carl
):
    """Every column of every closed week, on the page and in both downloads, with random histories."""
    people = [alice, bob, lena, dave, carl]
    teams = [alice.team, carl.team]

    @settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(_history(people))
    def same(history):
        models.WeekFigure.delete().execute()
        models.CheckInKey.delete().execute()
        models.CheckIn.delete().execute()
        models.PersonSummary.delete().execute()
        for person, days, work in zip(people, *history, strict=True):
            models.Person.update(workdays=work).where(models.Person.id == person.id).execute()
            person = models.Person.get_by_id(person.id)
            for offset in sorted(days):
                day = PAST[0] + timedelta(days=offset)
                if day <= NOW.date():
                    check_in(person, day)
        # On a streak, as the kept summary's own walk says it after each last check-in of a week.
        expected = {}
        for person in people:
            person = models.Person.get_by_id(person.id)
            days = sorted(
                c.day for c in models.CheckIn.select().where(models.CheckIn.person == person)
            )
            for week in PAST:
                mine = [d for d in days if d < week + timedelta(days=7)]
                if mine and mine[-1] >= week:
                    run = rebuild(mine, person.work_week()).run
                    key = (person.team_id, week)
                    expected[key] = expected.get(key, 0) + (run > 0)
        counted = models.week_counts(PAST, NOW.date())
        assert {key: c.streaking for key, c in counted.items() if c.streaking} == {
            key: n for key, n in expected.items() if n
        }
        live = _everything_shown(as_ada, teams)
        with app.app_context():
            assert dashboard.close_weeks()
        stored = _everything_shown(as_ada, teams)
        assert stored == live
        # And a closed week knows who was on a streak (it is no longer left unknown).
        streaks = [row[-1] for row in live[("weeks.csv", None)] if row[0] == LAST_WEEK.isoformat()]
        assert streaks and streaks[0] != ""

    same()


def test_a_streak_in_a_closed_week_counts_the_check_ins_up_to_its_end(app, alice, bob, lena):
    """Alice and Lena had a streak going at the week's end; Bob checked in only the week before."""
    for n in range(5):
        check_in(alice, LAST_WEEK + timedelta(days=n))
    check_in(bob, LAST_WEEK - timedelta(days=7))  # his run ends on the missed Tuesday
    check_in(lena, LAST_WEEK + timedelta(days=4))  # Friday: a run of one, going at the week's end
    check_in(lena, MONDAY + timedelta(days=1))  # this week, after missing Monday: not last week's
    found = models.week_counts([LAST_WEEK], LAST_WEEK + timedelta(days=6), live=False)
    assert found[(alice.team_id, LAST_WEEK)].streaking == 2
    live = models.week_counts([LAST_WEEK, MONDAY], NOW.date())
    assert live[(alice.team_id, LAST_WEEK)].streaking == 2


def test_weeks_before_a_team_was_made_show_a_dash_that_says_why(as_ada):
    west = models.Team.create(name="West", created_at=datetime(2026, 11, 4, 9, 0))  # a Wednesday
    for n in range(3):
        check_in(make_person(f"West {n}", f"west{n}@example.com", team=west), date(2026, 11, 10))

    text = html.unescape(page_text(as_ada.get(f"/dashboard?team={west.id}")))

    def row(week: str) -> str:
        return text.split(f'<span class="dash-week-day">{week}</span>')[1].split("</tr>")[0]

    before = row("Mon 26 Oct")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", before)
    dash = (
        '<span aria-hidden="true" title="No data: the team did not exist yet">—</span>'
        '<span class="visually-hidden">No data: the team did not exist yet</span>'
    )
    assert cells == [dash] * len(INDICATORS)
    assert "0%" not in before and ">0<" not in before
    # The week it was made counts (nobody checked in yet: a real 0%), and so does every week after.
    assert "did not exist" not in row("Mon 2 Nov") and "<td>0%</td>" in row("Mon 2 Nov")
    assert "<td>20%</td>" in row("Mon 9 Nov")  # 3 of 15 work days
    assert "26 Oct: no data: the team did not exist yet" in text  # the chart's text alternative
    every = html.unescape(page_text(as_ada.get("/dashboard?team=org&week=2026-10-26")))
    west_row = every.split(">West</a></th>")[1].split("</tr>")[0]
    assert "No data: the team did not exist yet" in west_row and "0%" not in west_row
    # West is the organisation's first team: before it, the organisation had nothing to count.
    org = every.split('<span class="dash-week-day">Mon 26 Oct</span>')[1].split("</tr>")[0]
    assert org.count("No data: no team existed yet") == 2 * len(INDICATORS) and "0%" not in org


def test_team_names_sort_by_their_numbers_on_the_table_the_picker_and_the_csv(as_ada):
    for name in ("Team 10", "Team 2", "team 1", "Team 2b"):
        models.Team.create(name=name, created_at=MADE)
    natural = ["team 1", "Team 2", "Team 2b", "Team 10"]

    def names(query: str) -> list[str]:
        table = page_text(as_ada.get(f"/dashboard?team=org{query}")).split('id="teams-table"')[1]
        return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', table)

    assert names("") == natural
    assert names("&sort=team&order=desc") == natural[::-1]
    picker = page_text(as_ada.get("/dashboard")).split('id="dash-team"')[1].split("</select>")[0]
    assert re.findall(r'<option value="\d+" >([^<]+)</option>', picker) == natural
    rows = csv_rows(as_ada.get("/dashboard/teams.csv"))
    assert [row[0] for row in rows[1:]] == natural


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.sampled_from(["Team", "team", "TEAM"]))
def test_a_smaller_number_in_a_name_always_sorts_first(a, b, word):
    if a != b:
        low, high = sorted((a, b))
        assert models.name_order(f"{word} {low}") < models.name_order(f"Team {high}")
    assert models.name_order(f"{word} {a}") < models.name_order(f"Team {a} b")


def test_every_figure_column_of_a_csv_holds_numbers_or_nothing_and_the_notes_say_why(
    as_ada, north_week, south
):
    west = models.Team.create(name="West", created_at=datetime(2026, 11, 11, 9, 0))
    for path in (
        "/dashboard/weeks.csv",
        f"/dashboard/weeks.csv?team={south.id}",
        f"/dashboard/weeks.csv?team={west.id}",
        "/dashboard/teams.csv",
        f"/dashboard/teams.csv?week={LAST_WEEK.isoformat()}",
        "/dashboard/teams.csv?week=2026-11-02",
    ):
        rows = csv_rows(as_ada.get(path))
        header = rows[0]
        first = header.index("Check-in participation (%)")
        assert header[-1] == "Notes" and header[first:-1] == [
            f"{i.label} (%)" if i.unit == "share" else i.label for i in INDICATORS
        ]
        for row in rows[1:]:
            assert len(row) == len(header)
            figures, note = row[first:-1], row[-1]
            assert all(cell == "" or cell.isdigit() for cell in figures), (path, row)
            empty = [
                header[first + n].removesuffix(" (%)") for n, c in enumerate(figures) if c == ""
            ]
            if note.startswith("No data: "):
                assert note == "No data: the team did not exist yet" and len(empty) == len(figures)
            else:
                assert [part.split(": ")[0] for part in note.split("; ") if part] == empty, row
    west_rows = csv_rows(as_ada.get(f"/dashboard/weeks.csv?team={west.id}"))
    before = next(row for row in west_rows if row[0] == "2026-11-02")
    assert before[4:-1] == [""] * len(INDICATORS)
    assert before[-1] == "No data: the team did not exist yet"


def test_a_week_shows_the_lagging_figure_of_the_month_most_of_its_days_are_in(app, ada):
    models.LaggingFigure.enter(None, date(2026, 9, 1), {"nps": 10}, ada, datetime(2026, 11, 18))
    models.LaggingFigure.enter(None, date(2026, 10, 1), {"nps": -5}, ada, datetime(2026, 11, 18))
    org = html.unescape(page_text(sign_in(app.test_client(), ada).get("/dashboard")))
    words = org.split('id="chart-lagging-nps-desc"')[1].split("</desc>")[0]
    assert "21 Sep: 10;" in words  # 21 to 27 Sep
    assert "28 Sep: -5;" in words  # 28 Sep to 4 Oct: four of its days are October's
    assert "26 Oct: -5;" in words and "2 Nov: —;" in words
