"""The summary row: written with each check-in, rebuilt when what it was built from changes."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import psycopg2
import pytest

import models
from conftest import BACKEND, sign_in
from game import summary as summaries
from manage import cli
from models import CheckIn, Person, PersonSummary

ALL_YES = {"before": "yes", "during": "yes", "after": "yes"}
WEDNESDAY = date(2026, 11, 18)


def stored(person) -> summaries.Summary | None:
    return PersonSummary.of(person.id)[0]


def rebuilt(person) -> summaries.Summary:
    person = Person.get_by_id(person.id)
    return summaries.rebuild(CheckIn.days_of(person), person.work_week())


def streak_number(client) -> str | None:
    """The streak Today shows (None: no streak yet, the card invites to start one)."""
    page = client.get("/").get_data(as_text=True)
    if '<span class="streak-number">' not in page:
        return None
    return page.split('<span class="streak-number">')[1].split("<")[0]


def test_a_check_in_writes_the_summary_in_its_transaction(as_alice, alice):
    as_alice.post("/checkin", data=ALL_YES)
    summary = stored(alice)
    assert (summary.last_day, summary.run, summary.longest) == (WEDNESDAY, 1, 1)


def test_a_check_in_delivered_late_for_yesterday_is_counted(as_alice, alice, clock):
    as_alice.post("/checkin", data=ALL_YES)
    # The offline queue delivers Tuesday's check-in after Wednesday's.
    person = Person.get_by_id(alice.id)
    CheckIn.record(person, WEDNESDAY - timedelta(days=1), ALL_YES, "late", clock.now())
    assert stored(alice) == rebuilt(alice)
    assert stored(alice).run == 2
    assert streak_number(as_alice) == "2"


def test_changing_work_days_rebuilds_the_summary(as_alice, alice):
    as_alice.post("/checkin", data=ALL_YES)  # Wednesday
    assert streak_number(as_alice) == "1"
    # Mondays only, from today: today's check-in no longer counts.
    as_alice.post("/me", data={"name": alice.name, "tz": alice.tz, "workdays": ["0"]})
    assert stored(alice) == rebuilt(alice)
    assert stored(alice).run == 0
    assert streak_number(as_alice) is None


def test_moving_west_past_midnight_rebuilds_and_keeps_the_streak(client, alice, clock):
    # 23:30 UTC on Wednesday: Thursday in Berlin, where Alice checks in.
    clock.set(datetime(2026, 11, 18, 23, 30, tzinfo=UTC))
    sign_in(client, alice)
    CheckIn.create(person=alice, day=WEDNESDAY, before="yes")
    client.post("/checkin", data=ALL_YES)
    assert streak_number(client) == "2"
    before = PersonSummary.get_by_id(alice.id).revision
    client.post("/me/timezone", data={"tz": "America/Chicago"})  # still Wednesday there
    assert PersonSummary.get_by_id(alice.id).revision > before
    assert stored(alice) == rebuilt(alice)
    # Today stays Thursday after the move (the day is never before the last zone change).
    assert streak_number(client) == "2"


def test_a_summary_under_older_rules_is_rebuilt_before_it_is_used(as_alice, alice):
    as_alice.post("/checkin", data=ALL_YES)
    PersonSummary.update(rules=summaries.RULES - 1, run=40, longest=40).execute()
    assert streak_number(as_alice) == "1"
    assert PersonSummary.get_by_id(alice.id).rules == summaries.RULES


def test_migrating_rebuilds_summaries_under_older_rules(as_alice, alice):
    as_alice.post("/checkin", data=ALL_YES)
    PersonSummary.update(rules=summaries.RULES - 1, run=40).execute()
    models.migrate()
    row = PersonSummary.get_by_id(alice.id)
    assert (row.rules, row.run) == (summaries.RULES, 1)


def test_rebuild_streaks_rebuilds_every_summary(app, runner, alice, bob):
    CheckIn.create(person=alice, day=WEDNESDAY, before="yes")
    PersonSummary.rebuild(alice)
    PersonSummary.update(run=99, longest=99).execute()
    with app.app_context():
        result = runner.invoke(cli, ["rebuild-streaks"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Rebuilt 2 summaries."
    assert stored(alice) == rebuilt(alice) and stored(alice).run == 1
    assert stored(bob) == summaries.EMPTY


def test_an_edit_does_not_celebrate_the_streak_again(as_alice):
    first = as_alice.htmx("POST", "/checkin", data=ALL_YES)
    assert "streak-grew" in first.headers["HX-Trigger-After-Settle"]
    edit = as_alice.htmx("POST", "/checkin", data={**ALL_YES, "during": "partly"})
    assert "streak-grew" not in edit.headers["HX-Trigger-After-Settle"]
    assert "checked-in" in edit.headers["HX-Trigger-After-Settle"]


def test_someone_elses_key_neither_shows_their_check_in_nor_loses_mine(client, alice, bob):
    sign_in(client, alice)
    client.post("/checkin", data={**ALL_YES, "after_note": "Alice's own", "key": "k1"})
    client.post("/signout")
    sign_in(client, bob)
    page = client.htmx("POST", "/checkin", data={"before": "partly", "key": "k1"})
    assert page.status_code == 200
    assert "Alice&#39;s own" not in page.get_data(as_text=True)
    assert CheckIn.get(CheckIn.person == bob).before == "partly"
    assert CheckIn.get(CheckIn.person == alice).after_note == "Alice's own"


def test_check_ins_for_many_days_at_once_leave_the_summary_right(app, alice, clock):
    # The offline queue sending a week of check-ins at once: each request read the summary with
    # its sign-in before any of them wrote it.
    days = [WEDNESDAY - timedelta(days=n) for n in range(6)]
    everyone_read = threading.Barrier(len(days))
    PersonSummary.rebuild(alice)

    def record(day):
        person = Person.get_by_id(alice.id)
        try:
            person.known_summary()
            everyone_read.wait(timeout=10)
            return CheckIn.record(person, day, ALL_YES, f"key-{day}", clock.now()).day
        finally:
            models.db.close()

    with ThreadPoolExecutor(max_workers=len(days)) as pool:
        assert sorted(pool.map(record, days)) == sorted(days)
    models.db.connect(reuse_if_open=True)
    assert stored(alice) == rebuilt(alice)
    assert stored(alice).last_day == WEDNESDAY


@pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL's row locks")
def test_a_rebuild_holds_the_person_before_the_summary_as_a_deletion_does(app, database_url, alice):
    # A deletion holds the person, then deletes their summary. A rebuild that locked the
    # summary first and then needed the person (the foreign key check of its second write)
    # deadlocked with it: a colleague's recognition of someone being deleted failed, or the
    # deletion did.
    models.PersonSummary.rebuild(alice)
    models.db.close()
    deletion = psycopg2.connect(database_url)
    held = deletion.cursor()
    held.execute("SELECT id FROM person WHERE id = %s FOR UPDATE", (alice.id,))

    def rebuild():
        try:
            with app.app_context():
                return models.PersonSummary.rebuild(models.Person.get_by_id(alice.id))
        except models.PersonGone as gone:
            return gone
        finally:
            models.db.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        rebuilding = pool.submit(rebuild)
        held.execute("SELECT pg_backend_pid()")
        mine = held.fetchone()[0]
        for _ in range(100):  # until the rebuild waits on the deletion's lock
            held.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND %s = ANY(pg_blocking_pids(pid))",
                (mine,),
            )
            if held.fetchone()[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the rebuild never waited for the deletion")
        # The summary is free while the rebuild waits: the deletion takes it at once.
        held.execute(
            "SELECT person_id FROM person_summary WHERE person_id = %s FOR UPDATE NOWAIT",
            (alice.id,),
        )
        held.execute("DELETE FROM person_summary WHERE person_id = %s", (alice.id,))
        held.execute("DELETE FROM person WHERE id = %s", (alice.id,))
        deletion.commit()
        assert isinstance(rebuilding.result(timeout=30), models.PersonGone)
    deletion.close()
