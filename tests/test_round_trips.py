"""Round trips, counted at the database driver: Today in two statements, a check-in in three.

Today seen again from the same sign-in, in the same zone, takes one: its facts come with the
sign-in's row, for the day it was in that zone last time.

The budgets hold for what later pages need on every request too (badge facts, the count of what
is new): those belong on the summary row read with the sign-in, not in statements of their own.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from bench.statements import Statements
from game.days import week_start
from models import Badge, Challenge, CheckIn, Commitment, Person, Pledge, SignIn

TODAY_BUDGET = 2
CHECK_IN_BUDGET = 3
ALL_YES = {"before": "yes", "during": "yes", "after": "yes"}


@pytest.fixture
def with_history(alice):
    """Alice with a year of check-ins, a challenge, a pledge and a commitment to review."""
    start = date(2025, 11, 17)
    days = [start + timedelta(days=n) for n in range(366)]
    CheckIn.insert_many(
        [{"person": alice.id, "day": d, "before": "yes"} for d in days if d.weekday() < 5]
    ).execute()
    Challenge.create(person=alice, start=date(2026, 11, 9))
    Pledge.create(person=alice)
    Commitment.create(person=alice, week=date(2026, 11, 9), behaviour="Call back", situation="x")
    return alice


def data_statements(sent: Statements) -> list[str]:
    return [sql for _, sql in sent.data]


def test_today_takes_two_statements(as_alice, with_history):
    as_alice.get("/")  # the first visit builds the summary from the history
    with Statements() as sent:
        page = as_alice.get("/")
    assert page.status_code == 200
    assert "Did you keep it?" in page.get_data(as_text=True)
    assert len(data_statements(sent)) <= TODAY_BUDGET, data_statements(sent)


def test_today_after_checking_in_still_takes_two_statements(as_alice, with_history):
    as_alice.post("/checkin", data=ALL_YES)
    with Statements() as sent:
        page = as_alice.get("/").get_data(as_text=True)
    assert "Checked in for today" in page
    assert len(data_statements(sent)) <= TODAY_BUDGET, data_statements(sent)


def test_today_seen_again_reads_its_facts_with_the_sign_in(as_alice, with_history):
    as_alice.get("/")  # the first visit: the sign-in's zone is learnt
    with Statements() as sent:
        page = as_alice.get("/").get_data(as_text=True)
    # The commitment to review, the challenge and the pledge, all from the one statement.
    assert "Did you keep it?" in page and "Day 10 of 30" in page
    assert len(data_statements(sent)) == 1, data_statements(sent)
    as_alice.post("/checkin", data=ALL_YES)
    with Statements() as sent:
        page = as_alice.get("/").get_data(as_text=True)
    assert "Checked in for today" in page
    assert len(data_statements(sent)) == 1, data_statements(sent)


def _rows(facts: dict) -> dict:
    return {name: getattr(value, "__data__", value) for name, value in facts.items()}


@pytest.mark.parametrize("day", [date(2026, 11, 18), date(2026, 11, 16), date(2026, 11, 23)])
def test_facts_read_with_the_sign_in_are_those_read_alone(app, with_history, day):
    # With a check-in on the day, a challenge, the pledge, and commitments this week and before.
    CheckIn.create(person=with_history, day=date(2026, 11, 23), before="partly", during_note="Hm")
    Commitment.create(person=with_history, week=date(2026, 11, 16), behaviour="Ask", situation="y")
    now = datetime(2026, 11, 18, 9, 0)
    token = SignIn.start(with_history, now)
    person, _ = Person.signed_in(token, now, day)
    ahead = person.today_facts(week_start(day), day)
    alone = Person.get_by_id(with_history.id).today_facts(week_start(day), day)
    assert _rows(ahead) == _rows(alone)
    assert ahead["challenge"] is not None and ahead["pledged"]
    assert (ahead["check_in"] is None) == (day == date(2026, 11, 18))  # the history ends the 17th
    # Read ahead for one day, asked for another: read again, for the day asked.
    person, _ = Person.signed_in(token, now, day)
    other = day + timedelta(days=7)
    assert _rows(person.today_facts(week_start(other), other)) == _rows(
        Person.get_by_id(with_history.id).today_facts(week_start(other), other)
    )


def test_a_zone_changed_elsewhere_shows_the_new_day_at_once(as_alice, with_history):
    as_alice.post("/checkin", data=ALL_YES)  # Wednesday in Berlin
    assert "Checked in for today" in as_alice.get("/").get_data(as_text=True)
    # Another phone moves Alice to Kiritimati (UTC+14), where it is already Thursday.
    Person.get_by_id(with_history.id).change_zone("Pacific/Kiritimati", date(2026, 11, 18))
    with Statements() as sent:
        page = as_alice.get("/").get_data(as_text=True)
    assert "Thursday" in page and "Checked in for today" not in page
    assert len(data_statements(sent)) == 2, data_statements(sent)  # the guess was Wednesday
    with Statements() as sent:
        as_alice.get("/")
    assert len(data_statements(sent)) == 1, data_statements(sent)  # the zone is learnt again


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain form"])
def test_a_check_in_takes_three_statements(as_alice, with_history, htmx):
    as_alice.get("/")
    token = as_alice.csrf_token()
    form = {**ALL_YES, "key": "first-tap", "csrf_token": token}
    with Statements() as sent:
        response = (
            as_alice.htmx("POST", "/checkin", data=form)
            if htmx
            else as_alice.post("/checkin", data=form)
        )
    assert response.status_code == (200 if htmx else 303)
    assert len(data_statements(sent)) <= CHECK_IN_BUDGET, data_statements(sent)


def test_an_edit_and_a_replay_take_three_statements_each(as_alice, with_history):
    as_alice.post("/checkin", data={**ALL_YES, "key": "first"})
    token = as_alice.csrf_token()
    for key in ("second", "first"):  # an edit, then a replay of the first submit
        form = {**ALL_YES, "during": "partly", "key": key, "csrf_token": token}
        with Statements() as sent:
            response = as_alice.htmx("POST", "/checkin", data=form)
        assert response.status_code == 200
        assert len(data_statements(sent)) <= CHECK_IN_BUDGET, (key, data_statements(sent))


def test_no_liveness_query_is_sent_when_a_connection_is_taken_from_the_pool(as_alice):
    as_alice.get("/")
    with Statements() as sent:
        for _ in range(3):
            as_alice.get("/")
    statements = [" ".join(sql.split()).upper() for _, sql in sent.sent]
    assert "SELECT 1" not in statements
    assert len(sent.data) <= 3 * TODAY_BUDGET


def test_the_counter_sees_what_the_driver_sends(as_alice):
    with Statements() as sent:
        CheckIn.select().count()
    assert [sql for _, sql in sent.data][-1].startswith("SELECT COUNT")


def test_a_kept_template_url_is_the_url_url_for_builds(app):
    from flask import url_for

    from pwa.web import template_url_for

    for root in ("", "/otc"):
        with app.test_request_context("/", base_url=f"http://localhost{root}"):
            for _ in range(2):  # built, then kept
                assert template_url_for("stories.feed", scope="org", before=3) == url_for(
                    "stories.feed", scope="org", before=3
                )
                assert template_url_for("today.index") == f"{root}/"


def test_a_page_keeps_its_urls_hashed_static_names_included(as_alice, app):
    as_alice.get("/")
    kept = app.extensions["kept_urls"]
    static = [url for key, url in kept.items() if key[1] == "static"]
    assert static and all(re.fullmatch(r"/static/.+\.[0-9a-f]{12}\.\w+", url) for url in static)
    assert ("", "today.index") in kept


def test_a_check_in_without_javascript_and_the_page_it_leads_to_keep_their_budgets(
    as_alice, with_history
):
    as_alice.get("/")
    form = {**ALL_YES, "key": "plain-tap", "csrf_token": as_alice.csrf_token()}
    with Statements() as posted:
        response = as_alice.post("/checkin", data=form)
    assert response.status_code == 303
    with Statements() as shown:
        page = as_alice.get(response.headers["Location"]).get_data(as_text=True)
    assert "Checked in for today" in page
    assert len(data_statements(posted)) <= CHECK_IN_BUDGET, data_statements(posted)
    assert len(data_statements(shown)) <= TODAY_BUDGET, data_statements(shown)


def test_a_check_in_that_may_earn_a_badge_reads_the_streak_from_the_summary(as_alice, alice):
    # The very first check-in looks at every badge: its facts come from counts and the summary
    # row, never from every check-in day read back.
    as_alice.get("/")  # the first visit builds the (empty) summary
    with Statements() as sent:
        response = as_alice.post("/checkin", data={**ALL_YES, "key": "first-ever"})
    assert response.status_code == 303
    assert Badge.get(Badge.person == alice).key == "first-check-in"
    whole_history = [
        sql
        for sql in data_statements(sent)
        if re.search(r"FROM check_in WHERE person_id = \S+$", sql)
    ]
    assert whole_history == []
