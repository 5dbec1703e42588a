"""Online backups that are checked, and restores: SQLite's backup API, pg_dump and pg_restore for PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


class BackupError(RuntimeError):
    """A backup or restore that did not happen, and why (a sentence for the operator)."""


@dataclass(frozen=True)
class Summary:
    """What a backup or restore did: the file, its size, and the tables it holds."""

    path: str
    size: int
    tables: int


def sqlite_path(url: str) -> str | None:
    """The file of a sqlite:/// URL, or None for any other database."""
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None


def backup(url: str, path: str) -> Summary:
    """Copy the database at url to path while it runs, then check the copy."""
    if (source := sqlite_path(url)) is not None:
        return _sqlite_backup(source, path)
    return _pg_backup(url, path)


def restore(url: str, path: str) -> Summary:
    """Replace the database at url with the backup at path (checked first)."""
    if not os.path.isfile(path):
        raise BackupError(f"There is no backup at {path}.")
    if (target := sqlite_path(url)) is not None:
        return _sqlite_restore(path, target)
    return _pg_restore(url, path)


def _sqlite_check(path: str) -> int:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchall()
            (tables,) = conn.execute(
                "SELECT COUNT(*) FROM sqlite_master"
                " WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database ({error}).") from None
    if verdict != [("ok",)]:
        raise BackupError(f"{path} fails SQLite's integrity check: {verdict[:3]}")
    if not tables:
        raise BackupError(f"{path} holds no tables.")
    return tables


def _sqlite_backup(source: str, path: str) -> Summary:
    if not os.path.isfile(source):
        raise BackupError(f"There is no database at {source}.")
    partial = f"{path}.partial"
    with contextlib.suppress(FileNotFoundError):
        os.remove(partial)
    # One step (pages=-1): the copy is the database at one moment, however busy the writers.
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as conn,
        contextlib.closing(sqlite3.connect(partial)) as copy,
    ):
        conn.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    tables = _sqlite_check(partial)
    os.replace(partial, path)
    return Summary(path, os.path.getsize(path), tables)


def _sqlite_restore(path: str, target: str) -> Summary:
    tables = _sqlite_check(path)
    folder = os.path.dirname(os.path.abspath(target))
    os.makedirs(folder, exist_ok=True)
    with (
        contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source,
        contextlib.closing(sqlite3.connect(target, timeout=30)) as conn,
    ):
        source.backup(conn, pages=-1)
        conn.execute("PRAGMA journal_mode = WAL")
    return Summary(target, os.path.getsize(target), tables)


def _pg_environ(url: str, database: str | None = None) -> dict[str, str]:
    """libpq's environment for url: the password never appears on a command line."""
    parts = urlsplit(url)
    environ = dict(os.environ)
    for name, value in (
        ("PGHOST", parts.hostname),
        ("PGPORT", str(parts.port) if parts.port else None),
        ("PGUSER", unquote(parts.username) if parts.username else None),
        ("PGPASSWORD", unquote(parts.password) if parts.password else None),
        ("PGDATABASE", database or unquote(parts.path.lstrip("/")) or None),
    ):
        if value:
            environ[name] = value
    return environ


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client of the server's version"
            " (Debian: apt-get install postgresql-client)."
        )
    return found


def _major(text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    return int(match.group(1)) if match else 0


def _run(args: list[str], environ: dict[str, str]) -> str:
    done = subprocess.run(args, env=environ, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{os.path.basename(args[0])} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def _psql(sql: str, environ: dict[str, str]) -> str:
    return _run([_tool("psql"), "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], environ).strip()


def _pg_server_version(environ: dict[str, str]) -> int:
    return int(_psql("SHOW server_version_num", environ)) // 10000


def _pg_backup(url: str, path: str) -> Summary:
    environ = _pg_environ(url)
    pg_dump = _tool("pg_dump")
    client = _major(_run([pg_dump, "--version"], environ))
    server = _pg_server_version(environ)
    if client < server:
        raise BackupError(
            f"pg_dump is version {client} and the server {server}: install postgresql-client-{server}."
        )
    partial = f"{path}.partial"
    # -Fc: compressed, and pg_restore can check and restore it; one snapshot of the whole database.
    _run([pg_dump, "-Fc", "--no-owner", "--no-privileges", "-f", partial], environ)
    tables = _pg_check(environ, partial)
    os.replace(partial, path)
    return Summary(path, os.path.getsize(path), tables)


def _pg_check(environ: dict[str, str], path: str) -> int:
    """Restore the dump into a scratch database, count its tables, drop it."""
    scratch = f"otc_backup_check_{secrets.token_hex(4)}"
    _psql(f'CREATE DATABASE "{scratch}"', environ)
    try:
        _pg_restore_into({**environ, "PGDATABASE": scratch}, path, clean=False)
        return int(
            _psql(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
                {**environ, "PGDATABASE": scratch},
            )
        )
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)', environ)


def _pg_restore_into(environ: dict[str, str], path: str, clean: bool) -> None:
    args = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
    args += ["--single-transaction", "-d", environ["PGDATABASE"]]
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, path], environ)


def _pg_restore(url: str, path: str) -> Summary:
    environ = _pg_environ(url)
    _pg_restore_into(environ, path, clean=True)
    tables = int(
        _psql(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'", environ
        )
    )
    return Summary(url.rsplit("/", 1)[-1], os.path.getsize(path), tables)
