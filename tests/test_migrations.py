"""Upgrades keep every row: a database made by an earlier release is migrated with its data intact."""

from __future__ import annotations

from datetime import date

import pytest

import models
from conftest import BACKEND, fresh_postgres_database

ROWS = [
    "INSERT INTO team (name, created_at) VALUES ('North', '2026-01-01 09:00:00')",
    "INSERT INTO person (email, name, role, team_id, tz, workdays, active, created_at)"
    " VALUES ('alice@example.com', 'Alice', 'employee', 1, 'Europe/Berlin', '0,1,2,3,4', TRUE,"
    " '2026-01-01 09:00:00')",
    "INSERT INTO check_in (person_id, day, before, before_note, during_note, after_note,"
    " created_at, updated_at) VALUES (1, '2026-01-02', 'yes', 'a private note', '', '',"
    " '2026-01-02 09:00:00', '2026-01-02 09:00:00')",
    "INSERT INTO challenge (person_id, start, reflection, created_at)"
    " VALUES (1, '2026-01-02', '', '2026-01-02 09:00:00')",
    "INSERT INTO story (author_id, member_id, team_id, day, title, situation, moment, impact,"
    " lesson, customer_kind, phase, hidden, created_at, updated_at) VALUES (1, 1, 1,"
    " '2026-01-02', 'The Saturday Call', 'A question', 'She called back', '', '', 'external',"
    " 'during', FALSE, '2026-01-02 09:00:00', '2026-01-02 09:00:00')",
]


@pytest.fixture
def empty_database(tmp_path):
    """A database with no tables at all, on the backend under test."""
    if BACKEND != "postgres":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    yield fresh_postgres_database("otc_upgrade")
    models.db.close()
    models.db.obj.close_all()
    fresh_postgres_database("otc_upgrade", drop=True)


def test_upgrading_from_the_stories_release_keeps_every_row(empty_database):
    models.open_database(empty_database)
    models.router().run("002_stories")
    for sql in ROWS:
        models.db.execute_sql(sql)

    applied = models.migrate()

    assert "003_past_workdays" in applied
    counts = {
        table: models.db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("team", "person", "check_in", "challenge", "story")
    }
    assert counts == {"team": 1, "person": 1, "check_in": 1, "challenge": 1, "story": 1}
    alice = models.Person.by_email("alice@example.com")
    assert (alice.team.name, alice.past_workdays) == ("North", "")
    assert models.CheckIn.get(models.CheckIn.person == alice).before_note == "a private note"
    assert models.migrate() == []


def test_the_recognition_release_upgrade_starts_everyone_with_nothing_new(empty_database):
    models.open_database(empty_database)
    models.router().run("004_story_submit_key")
    models.db.execute_sql(ROWS[0])
    models.db.execute_sql(
        "INSERT INTO person (email, name, role, team_id, tz, workdays, past_workdays, active,"
        " created_at) VALUES ('alice@example.com', 'Alice', 'employee', 1, 'Europe/Berlin',"
        " '0,1,2,3,4', '', TRUE, '2026-01-01 09:00:00')"
    )

    assert "008_recognition" in models.migrate()

    alice = models.Person.by_email("alice@example.com")
    assert alice.news_unseen == 0
    assert models.Badge.of(alice) == {}
    assert models.Recognition.select().count() == 0


def _indexes() -> set[str]:
    if BACKEND == "postgres":
        rows = models.db.execute_sql(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
        ).fetchall()
    else:
        rows = models.db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
    return {name for (name,) in rows}


def test_upgrading_from_the_submit_key_release_keeps_rows_indexes_and_references(empty_database):
    models.open_database(empty_database)
    models.router().run("004_story_submit_key")
    for sql in ROWS:
        # Since 003 a person has past work days (a NOT NULL column without a database default).
        sql = sql.replace("workdays, active", "workdays, past_workdays, active")
        models.db.execute_sql(sql.replace("'0,1,2,3,4', TRUE", "'0,1,2,3,4', '', TRUE"))
    # A challenge started twice on one day by a double tap, before it was unique.
    models.db.execute_sql(
        "INSERT INTO challenge (person_id, start, reflection, created_at)"
        " VALUES (1, '2026-01-02', '', '2026-01-02 09:00:01')"
    )
    before = _indexes()

    applied = models.migrate()
    assert applied[0] == "005_hardening" and "009_tz_kept" in applied  # and any other release's
    assert "006_person_summary" in applied

    counts = {
        table: models.db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("team", "person", "check_in", "challenge", "story")
    }
    assert counts == {"team": 1, "person": 1, "check_in": 1, "challenge": 1, "story": 1}
    after = _indexes()
    dropped = {name for name in before - after if not name.endswith("_pkey")}
    assert dropped == {"loginattempt_at", "loginattempt_email", "loginattempt_ip"}
    assert {"challenge_person_id_start", "team_name_lower"} <= after
    story = models.Story.get()
    assert (story.author.email, story.team.name, story.title) == (
        "alice@example.com",
        "North",
        "The Saturday Call",
    )
    assert models.Person.get().tz_changed_on is None
    # Every person's summary is built as the migrations finish, from the check-ins they had.
    summary = models.PersonSummary.get()
    assert (summary.last_day, summary.run, summary.longest) == (date(2026, 1, 2), 1, 1)
    assert models.Person.get().tz_kept == ""
    assert "sign_in_limit" in models.db.get_tables()
    assert "login_attempt" not in models.db.get_tables()
    if BACKEND != "postgres":
        assert models.db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
        for table in ("team", "person", "story", "commitment", "challenge"):
            (sql,) = models.db.execute_sql(
                "SELECT sql FROM sqlite_master WHERE name = ?", (table,)
            ).fetchone()
            assert "AUTOINCREMENT" in sql, table


def test_a_deleted_storys_id_is_never_given_to_another(app, alice):
    from test_stories import tell

    first = tell(alice)
    newest = tell(alice)
    newest.remove()
    again = tell(alice)
    assert again.id not in (first.id, newest.id)
    person = models.Person.create(name="Gone", email="gone@example.com")
    person.delete_instance()
    assert models.Person.create(name="New", email="new@example.com").id != person.id


def test_upgrading_to_accounts_keeps_invites_as_sent_and_resets_recorded(empty_database):
    models.open_database(empty_database)
    models.router().run("004_story_submit_key")
    for sql in [
        ROWS[0],
        "INSERT INTO person (email, name, role, team_id, tz, workdays, past_workdays, active,"
        " created_at) VALUES ('alice@example.com', 'Alice', 'employee', 1, 'Europe/Berlin',"
        " '0,1,2,3,4', '', TRUE, '2026-01-01 09:00:00')",
        "INSERT INTO invite (email, name, team_id, role, token_digest, created_at, expires_at)"
        " VALUES ('nia@example.com', 'Nia', 1, 'employee', 'abc', '2026-01-03 09:00:00',"
        " '2026-01-17 09:00:00')",
        "INSERT INTO password_reset (person_id, token_digest, expires_at)"
        " VALUES (1, 'def', '2026-01-05 09:00:00')",
    ]:
        models.db.execute_sql(sql)

    applied = models.migrate()

    assert "011_accounts" in applied
    invite = models.Invite.get()
    assert invite.sent_at == invite.created_at
    reset = models.PasswordReset.get()
    assert (reset.person.email, reset.told_at, reset.created_at) == (
        "alice@example.com",
        None,
        None,
    )
    assert models.CompanyIdentity.select().count() == 0
    assert models.migrate() == []
