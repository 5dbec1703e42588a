"""The yardstick for bench/today.py: a bare Flask + peewee app whose one page reads one row.

It opens the database exactly as the app does (`pwa._init_database`): the same
`models.open_database`, connect before each request, and the same closing policy, which is
`pwa.CONNECTION_POLICY`: on SQLite each thread keeps its connection open, on PostgreSQL the
connection goes back to the pool after each request. Serve it the way the app is served:
    DATABASE_URL=... gunicorn --pythonpath bench "yardstick:create_app()"
"""

from __future__ import annotations

import os
import sys
import time

from flask import Flask, g

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import models  # noqa: E402
from pwa import connection_policy  # noqa: E402


def create_app() -> Flask:
    """A Flask app that opens the database as the real one does and serves one row at /."""
    app = Flask(__name__)
    models.open_database(os.environ["DATABASE_URL"])
    keep_open = connection_policy(testing=False) == "kept open per thread"

    @app.before_request
    def connect() -> None:
        g.started = time.perf_counter()
        models.db.connect(reuse_if_open=True)

    @app.teardown_request
    def close(exc) -> None:
        if not keep_open and not models.db.is_closed():
            models.db.close()

    @app.after_request
    def server_timing(response):
        elapsed = (time.perf_counter() - g.started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
        return response

    @app.route("/")
    def one_row():
        """Read one person's name."""
        name = models.Person.select(models.Person.name).where(models.Person.id == 1).scalar()
        return f"<!doctype html><title>Yardstick</title><p>{name}</p>"

    return app
