"""Count the statements the database driver sends, so nothing is missed (a pool's ping included).

    with Statements() as sent:
        client.get("/")
    sent.data  # the SELECT/INSERT/UPDATE/DELETE statements, transaction control left out

While active, every new connection is made with a counting cursor: a `sqlite3.Connection`
subclass (`factory`) or a psycopg2 `cursor_factory`. Connections already open are closed first
(a pool's too), so each statement of the requests that follow goes through the counter. The
counting is at the cursor rather than `sqlite3`'s trace callback, which reports a statement once
more for each trigger program it runs: those run inside the one statement, with no round trip.
"""

from __future__ import annotations

import sqlite3
import time

import models

# EXECUTE runs a statement prepared once per connection (models.run): it counts as what it runs.
DATA = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "EXECUTE")
_active: list[Statements] = []


def _record(sql: str, began: float) -> None:
    for statements in _active:
        statements.sent.append(((time.perf_counter() - began) * 1000, sql))


class _SqliteCursor(sqlite3.Cursor):
    def execute(self, sql, parameters=(), /):
        began = time.perf_counter()
        try:
            return super().execute(sql, parameters)
        finally:
            _record(sql, began)


class _SqliteConnection(sqlite3.Connection):
    def cursor(self, factory=_SqliteCursor):
        return super().cursor(factory)


def _postgres_cursor():
    import psycopg2.extensions

    class Cursor(psycopg2.extensions.cursor):
        def execute(self, query, vars=None):
            began = time.perf_counter()
            try:
                return super().execute(query, vars)
            finally:
                _record(query if isinstance(query, str) else query.decode(), began)

    return Cursor


def _reconnect(database) -> None:
    if not database.is_closed():
        database.close()
    close_all = getattr(database, "close_all", None)
    if close_all:
        close_all()


class Statements:
    """The statements (ms in the driver, SQL) sent through the bound database while active."""

    def __init__(self):
        self.sent: list[tuple[float, str]] = []

    @property
    def data(self) -> list[tuple[float, str]]:
        """The data statements: SELECT, INSERT, UPDATE, DELETE (transaction control left out)."""
        return [
            (ms, sql) for ms, sql in self.sent if sql.lstrip().split(None, 1)[0].upper() in DATA
        ]

    def __enter__(self) -> Statements:
        database = models.db.obj
        if models.is_sqlite():
            self._param, factory = "factory", _SqliteConnection
        else:
            self._param, factory = "cursor_factory", _postgres_cursor()
        _reconnect(database)
        database.connect_params[self._param] = factory
        _active.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _active.remove(self)
        database = models.db.obj
        database.connect_params.pop(self._param, None)
        _reconnect(database)
