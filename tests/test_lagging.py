"""Lagging indicators: the pure checks, the admin's page, the upsert under concurrent saves."""

from __future__ import annotations

import html
import re
from datetime import date

import requests
from hypothesis import given
from hypothesis import strategies as st
from test_concurrency import _at_once, _signed_in

from conftest import sign_in
from game import lagging
from models import LaggingFigure

NPS = lagging.BY_KEY["nps"]
CSAT = lagging.BY_KEY["csat"]
COMPLAINTS = lagging.BY_KEY["complaints"]
TODAY = date(2026, 11, 18)


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# The pure checks ----------------------------------------------------------------------


def test_a_week_that_starts_at_the_end_of_a_month_belongs_to_the_next_one():
    assert lagging.week_month(date(2026, 11, 30)) == date(2026, 12, 1)  # 30 Nov to 6 Dec
    assert lagging.week_month(date(2026, 10, 26)) == date(2026, 10, 1)  # 26 Oct to 1 Nov
    assert lagging.week_month(date(2026, 9, 28)) == date(2026, 10, 1)  # 28 Sep to 4 Oct


@given(st.dates(date(2000, 1, 3), date(2099, 12, 28)))
def test_a_weeks_month_holds_most_of_its_days(day):
    from datetime import timedelta

    monday = day - timedelta(days=day.weekday())
    month = lagging.week_month(monday)
    days = [monday + timedelta(days=n) for n in range(7)]
    assert sum(lagging.month_start(d) == month for d in days) >= 4


def test_values_in_range_are_read_with_a_sign_or_a_decimal_comma():
    assert lagging.parse_value(NPS, "-35") == (-35, None)
    assert lagging.parse_value(NPS, "−35") == (-35, None)  # a typographic minus
    assert lagging.parse_value(NPS, "+12") == (12, None)
    assert lagging.parse_value(CSAT, "87,5") == (87.5, None)
    assert lagging.parse_value(CSAT, " 100 ") == (100, None)
    assert lagging.parse_value(COMPLAINTS, "3") == (3, None)
    assert lagging.parse_value(CSAT, "") == (None, None)


def test_out_of_range_or_odd_values_get_a_message_saying_what_is_wanted():
    for kind, typed in (
        (NPS, "101"),
        (NPS, "-100.5"),
        (CSAT, "-1"),
        (CSAT, "100.01"),
        (COMPLAINTS, "-2"),
        (COMPLAINTS, "2.5"),
        (COMPLAINTS, "99999999"),
        (CSAT, "nan"),
        (CSAT, "inf"),
        (CSAT, "1e2"),
        (CSAT, "8_0"),
        (CSAT, "٣"),
        (CSAT, "80%"),
        (NPS, "--5"),
    ):
        value, error = lagging.parse_value(kind, typed)
        assert value is None and error, (kind.key, typed)
        assert kind.name in error


@given(st.sampled_from(lagging.KINDS), st.text(max_size=12))
def test_any_text_is_a_value_in_range_or_a_message(kind, typed):
    value, error = lagging.parse_value(kind, typed)
    if value is None:
        assert error or not typed.strip()
    else:
        assert error is None
        highest = lagging.MOST_COMPLAINTS if kind.highest is None else kind.highest
        assert kind.lowest <= value <= highest
        assert not kind.whole or value == int(value)


@given(st.integers(-100, 100))
def test_every_whole_nps_is_kept_as_typed(score):
    assert lagging.parse_value(NPS, str(score)) == (score, None)


def test_a_month_is_its_first_day_and_a_future_one_is_refused():
    assert lagging.parse_month("2026-10", TODAY) == (date(2026, 10, 1), None)
    assert lagging.parse_month("2026-11", TODAY) == (date(2026, 11, 1), None)
    month, error = lagging.parse_month("2026-12", TODAY)
    assert month is None and "hasn't started" in error
    for typed in ("", "2026-13", "2026-00", "11/2026", "2026-1", "1999-12", "２０２６-１０"):
        month, error = lagging.parse_month(typed, TODAY)
        assert month is None and error, typed


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(-300, 300))
def test_adding_months_lands_on_a_first_day_that_many_months_away(day, count):
    moved = lagging.add_months(lagging.month_start(day), count)
    assert moved.day == 1
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == count


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 40))
def test_the_series_has_every_month_in_order_for_every_kind(first, span):
    last = lagging.add_months(lagging.month_start(first), span)
    series = lagging.series([], first, last)
    assert set(series) == {k.key for k in lagging.KINDS}
    for points in series.values():
        assert len(points) == span + 1
        assert [m for m, _ in points] == sorted(m for m, _ in points)
        assert all(v is None for _, v in points)


def test_the_series_puts_each_value_in_its_month_and_leaves_gaps_empty():
    rows = [(date(2026, 9, 1), "nps", 30.0), (date(2026, 11, 1), "nps", 34.0)]
    rows.append((date(2026, 11, 1), "csat", 88.5))
    rows.append((date(2025, 1, 1), "nps", 1.0))  # outside the range
    series = lagging.series(rows, date(2026, 9, 14), date(2026, 11, 2))
    assert series["nps"] == [
        (date(2026, 9, 1), 30.0),
        (date(2026, 10, 1), None),
        (date(2026, 11, 1), 34.0),
    ]
    assert [v for _, v in series["csat"]] == [None, None, 88.5]
    assert [v for _, v in series["complaints"]] == [None, None, None]


def test_values_are_shown_with_their_unit():
    assert lagging.show(CSAT, 87.5) == "87.5 %"
    assert lagging.show(NPS, -12.0) == "-12"
    assert lagging.show(COMPLAINTS, 1200) == "1,200"
    assert lagging.show(NPS, None) == "—"


# The model -----------------------------------------------------------------------------


def test_entering_a_figure_again_replaces_it_for_a_team_or_the_organisation(app, north, ada):
    october = date(2026, 10, 1)
    LaggingFigure.enter(None, october, {"nps": 30, "csat": 80}, ada, _now())
    LaggingFigure.enter(None, october, {"nps": 32}, ada, _now())
    LaggingFigure.enter(north, october, {"nps": 10}, ada, _now())
    LaggingFigure.enter(north, october, {"nps": 12}, ada, _now())
    assert LaggingFigure.select().count() == 3
    assert LaggingFigure.series(None, october, october)["nps"] == [(october, 32)]
    assert LaggingFigure.series(None, october, october)["csat"] == [(october, 80)]
    assert LaggingFigure.series(north, october, october)["nps"] == [(october, 12)]
    assert LaggingFigure.series(north.id, october, october)["csat"] == [(october, None)]


def test_the_series_of_a_team_is_per_month_from_first_to_last(app, north, ada):
    LaggingFigure.enter(north, date(2026, 8, 1), {"engagement": 70}, ada, _now())
    LaggingFigure.enter(north, date(2026, 10, 1), {"engagement": 74.5}, ada, _now())
    LaggingFigure.enter(None, date(2026, 9, 1), {"engagement": 60}, ada, _now())
    series = LaggingFigure.series(north, date(2026, 8, 20), date(2026, 11, 18))
    assert series["engagement"] == [
        (date(2026, 8, 1), 70),
        (date(2026, 9, 1), None),
        (date(2026, 10, 1), 74.5),
        (date(2026, 11, 1), None),
    ]


def _now():
    from datetime import datetime

    return datetime(2026, 11, 18, 10, 0)


# The page --------------------------------------------------------------------------------


def test_an_admin_enters_a_month_for_the_organisation_and_sees_it_listed(as_ada):
    response = as_ada.post(
        "/admin/indicators",
        data={"team": "", "month": "2026-10", "nps": "42", "csat": "87,5", "complaints": "3"},
    )
    assert response.status_code == 303 and response.location.endswith("/admin/indicators")
    page = page_of(as_ada.get("/admin/indicators"))
    assert "Saved 3 figures for the organisation, October 2026." in page
    assert page.count("<h1>") == 1
    row = re.search(r"<tr class=\"org-row\">.*?</tr>", page, re.S).group(0)
    assert "Oct 2026" in row and "The whole organisation" in row
    assert "42" in row and "87.5 %" in row and ">3<" in row
    assert {(f.kind, f.value) for f in LaggingFigure.select()} == {
        ("nps", 42),
        ("csat", 87.5),
        ("complaints", 3),
    }
    assert all(f.team_id is None for f in LaggingFigure.select())


def test_an_admin_enters_a_teams_month_and_an_empty_box_keeps_what_was_there(as_ada, north):
    data = {"team": str(north.id), "month": "2026-09", "nps": "10", "engagement": "71"}
    as_ada.post("/admin/indicators", data=data)
    as_ada.post("/admin/indicators", data={"team": str(north.id), "month": "2026-09", "nps": "15"})
    figures = {(f.team_id, f.kind): f.value for f in LaggingFigure.select()}
    assert figures == {(north.id, "nps"): 15, (north.id, "engagement"): 71}


def test_the_edit_link_fills_the_form_with_the_months_figures(as_ada, north, ada):
    LaggingFigure.enter(north, date(2026, 9, 1), {"nps": -5, "csat": 91.25}, ada, _now())
    page = page_of(as_ada.get(f"/admin/indicators?team={north.id}&month=2026-09"))
    assert 'name="month" type="month" value="2026-09"' in page
    assert f'<option value="{north.id}" selected>North</option>' in page
    assert 'name="nps" type="text" value="-5"' in page
    assert 'name="csat" type="text" value="91.25"' in page
    assert 'name="referral" type="text" value=""' in page
    for query in ("team=999&month=2026-09", "team=x&month=2026-09", "month=2027-01", "month=x"):
        assert as_ada.get(f"/admin/indicators?{query}").status_code == 404, query


def test_bad_figures_are_refused_with_a_message_and_the_text_kept(as_ada):
    response = as_ada.post(
        "/admin/indicators",
        data={"team": "", "month": "2026-10", "nps": "150", "csat": "lots", "complaints": "1.5"},
    )
    assert response.status_code == 422
    page = page_of(response)
    assert "Net Promoter Score is −100 to 100; 150 is outside that." in page
    assert "Customer satisfaction is a number (0 to 100 %); “lots” isn't one." in page
    assert "Complaints about communication is a whole count, like 3." in page
    assert 'value="150"' in page and 'value="lots"' in page and 'value="1.5"' in page
    assert 'aria-invalid="true" aria-describedby="nps-error"' in page
    assert LaggingFigure.select().count() == 0


def test_a_future_month_a_forged_team_or_no_figure_is_refused(as_ada, north):
    cases = (
        ({"team": "", "month": "2026-12", "nps": "5"}, "hasn't started yet"),
        ({"team": "", "month": "next month", "nps": "5"}, "Pick a month, like 2026-11."),
        ({"team": "999", "month": "2026-10", "nps": "5"}, "Pick a team from the list"),
        ({"team": "²", "month": "2026-10", "nps": "5"}, "Pick a team from the list"),
        ({"team": "99999999999999999999", "month": "2026-10", "nps": "5"}, "Pick a team"),
        ({"team": str(north.id), "month": "2026-10"}, "Enter at least one figure"),
    )
    for data, message in cases:
        response = as_ada.post("/admin/indicators", data=data)
        assert response.status_code == 422, data
        page = page_of(response)
        assert message in page, data
        assert f'value="{data["month"]}"' in page
    assert LaggingFigure.select().count() == 0


def test_an_admin_removes_a_months_figures(as_ada, north, ada):
    LaggingFigure.enter(north, date(2026, 9, 1), {"nps": 5, "csat": 80}, ada, _now())
    LaggingFigure.enter(None, date(2026, 9, 1), {"nps": 7}, ada, _now())
    response = as_ada.post(
        "/admin/indicators/remove", data={"team": str(north.id), "month": "2026-09"}
    )
    assert response.status_code == 303
    assert "Removed 2 figures of North for September 2026." in page_of(
        as_ada.get("/admin/indicators")
    )
    assert [(f.team_id, f.kind) for f in LaggingFigure.select()] == [(None, "nps")]
    for data in ({"team": "999", "month": "2026-09"}, {"team": "", "month": "soon"}):
        assert as_ada.post("/admin/indicators/remove", data=data).status_code == 404


def test_only_admins_see_or_enter_lagging_figures(client, app, alice, lena):
    data = {"team": "", "month": "2026-10", "nps": "5"}
    assert client.get("/admin/indicators").status_code == 302  # to the sign-in page
    for person in (alice, lena):
        signed_in = sign_in(app.test_client(), person)
        assert signed_in.get("/admin/indicators").status_code == 403
        assert signed_in.post("/admin/indicators", data=data).status_code == 403
        assert signed_in.post("/admin/indicators/remove", data=data).status_code == 403
    assert LaggingFigure.select().count() == 0


def test_a_post_without_the_csrf_token_is_refused(as_ada):
    response = as_ada.post(
        "/admin/indicators", data={"team": "", "month": "2026-10", "nps": "5"}, csrf=False
    )
    assert response.status_code == 400
    assert LaggingFigure.select().count() == 0


def test_an_empty_page_says_where_to_start(as_ada):
    page = page_of(as_ada.get("/admin/indicators"))
    assert "Nothing entered yet." in page
    assert 'value="2026-10"' in page  # last month is offered first
    assert 'max="2026-11"' in page


def test_the_same_month_saved_at_once_by_two_admins_makes_one_row_per_kind(live_server, ada, north):
    session, csrf = _signed_in(live_server, ada.email)
    for scope in ("", str(north.id)):
        values = iter(["40", "41", "42", "43"])

        def save(session=session, scope=scope, values=values):
            return session.post(
                f"{live_server}/admin/indicators",
                data={"team": scope, "month": "2026-10", "nps": next(values), "csrf_token": csrf},
                allow_redirects=False,
            )

        responses: list[requests.Response] = _at_once(4, save)
        assert [r.status_code for r in responses] == [303] * 4
    rows = list(LaggingFigure.select())
    assert sorted((r.team_id or 0, r.kind) for r in rows) == [(0, "nps"), (north.id, "nps")]
    assert all(r.value in (40, 41, 42, 43) for r in rows)
