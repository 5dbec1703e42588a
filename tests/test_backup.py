"""manage.py backup and restore: a consistent copy taken while people write, restored into a fresh database."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading

import pytest

import models
from conftest import BACKEND, fresh_postgres_database, make_person
from manage import cli
from pwa import backup as backups
from pwa import create_app


def _connect(url: str):
    path = backups.sqlite_path(url)
    if path is not None:
        return sqlite3.connect(path)
    import psycopg2

    return psycopg2.connect(url)


def table_checksums(url: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of its rows in id order (read through the bare driver)."""
    found = {}
    with contextlib.closing(_connect(url)) as conn:
        cur = conn.cursor()
        if backups.sqlite_path(url) is not None:
            cur.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        else:
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema='public'"
            )
        for (table,) in sorted(cur.fetchall()):
            cur.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            rows = cur.fetchall()
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            found[table] = (len(rows), digest)
    return found


def _fresh_url(tmp_path) -> str:
    if BACKEND == "postgres":
        return fresh_postgres_database("otc_restore")
    return f"sqlite:///{tmp_path / 'fresh' / 'otc.db'}"


def test_a_backup_taken_while_people_write_restores_as_one_moment(
    app, runner, north, tmp_path, database_url
):
    # Each write makes a team and its first member in one transaction, numbered in order: a copy
    # of one moment holds teams 1..k and their members, nothing half-made.
    stop = threading.Event()
    written = []

    def write():
        n = 0
        while not stop.is_set() or n < 20:
            n += 1
            with models.db.connection_context(), models.db.atomic():
                team = models.Team.create(name=f"Busy {n:05d}")
                make_person(f"Writer {n}", f"writer{n}@example.com", team=team)
            written.append(n)

    writer = threading.Thread(target=write)
    writer.start()
    path = tmp_path / "otc.backup"
    try:
        with app.app_context():
            result = runner.invoke(cli, ["backup", str(path)])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "checked" in result.output
    assert len(written) >= 20

    fresh = _fresh_url(tmp_path)
    restored_app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": fresh})
    try:
        with restored_app.app_context():
            done = restored_app.test_cli_runner().invoke(cli, ["restore", str(path), "--yes"])
        assert done.exit_code == 0, done.output
    finally:
        models.db.close()
        models.open_database(database_url)

    restored = table_checksums(fresh)
    if BACKEND == "postgres":
        fresh_postgres_database("otc_restore", drop=True)
    teams = restored["team"][0] - 1  # North, made before the writes
    assert 0 <= teams <= len(written)
    assert restored["person"][0] == teams
    # The source as it was at that moment: the later writes taken away.
    models.db.connect(reuse_if_open=True)
    later = models.Team.select(models.Team.id).where(
        models.Team.name.startswith("Busy ") & (models.Team.name > f"Busy {teams:05d}")
    )
    models.Person.delete().where(models.Person.team.in_(later)).execute()
    models.Team.delete().where(models.Team.id.in_(later)).execute()
    models.db.close()
    assert restored == table_checksums(database_url)


def test_restore_refuses_a_file_that_is_not_a_backup(app, runner, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    with app.app_context():
        result = runner.invoke(cli, ["restore", str(junk), "--yes"])
    assert result.exit_code != 0
    assert "Error" in result.output
    assert models.Person.select().count() == 0  # the database is still there, and still answers


def test_restore_says_when_there_is_no_backup(app, runner, tmp_path):
    with app.app_context():
        result = runner.invoke(cli, ["restore", str(tmp_path / "none.backup"), "--yes"])
    assert result.exit_code != 0
    assert "There is no backup at" in result.output


@pytest.mark.skipif(BACKEND != "sqlite", reason="the SQLite copy's own check")
def test_a_sqlite_backup_is_one_file_that_passes_the_integrity_check(app, runner, alice, tmp_path):
    path = tmp_path / "copy.db"
    with app.app_context():
        result = runner.invoke(cli, ["backup", str(path)])
    assert result.exit_code == 0, result.output
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT email FROM person").fetchall() == [("alice@example.com",)]
    assert not (tmp_path / "copy.db-wal").exists()
