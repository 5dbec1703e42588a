"""Running it: GET /healthz, one JSON log line per request, and the friendly 500 page with its reference."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Blueprint, Flask, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import InternalServerError

import models

bp = Blueprint("ops", __name__)
log = logging.getLogger("otc.requests")
# An id the proxy made (nginx's $request_id) is kept only when it looks like one.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonLines(logging.Formatter):
    """Each record as one JSON object on one line: time, level, message, and its `fields`."""

    encode = json.JSONEncoder(default=str).encode  # made once: json.dumps makes one per call

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return self.encode(line)


def request_id() -> str:
    """This request's id: the trusted proxy's, else one made here (the 500 page shows it)."""
    found = g.get("request_id")
    if found is None:
        given = current_app.config.get("TRUST_PROXY") and request.headers.get("X-Request-Id", "")
        found = g.request_id = given if given and REQUEST_ID.match(given) else secrets.token_hex(8)
    return found


def migration_files(folder=models.MIGRATIONS) -> frozenset[str]:
    """The names of the migrations shipped with this code (read once, when the app starts)."""
    return frozenset(path.stem for path in folder.glob("[0-9]*.py"))


def init_app(app: Flask) -> None:
    """Register /healthz, the request log and the 500 page."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    app.extensions["migration_files"] = migration_files()
    # Flask's own traceback is plain text; ours, below, is a JSON line with the request id.
    app.log_exception = lambda exc_info: None
    app.register_blueprint(bp)

    @app.before_request
    def start() -> None:
        g.setdefault("started", time.perf_counter())
        request_id()

    @app.after_request
    def log_request(response):
        reference = response.headers["X-Request-Id"] = request_id()
        asked, here = request._get_current_object(), g._get_current_object()
        if asked.endpoint == "ops.healthz" and response.status_code == 200:
            return response  # polled every few seconds: only a failing check is worth a line
        person = here.get("person")
        rule = asked.url_rule
        fields = {
            "request_id": reference,
            "method": asked.method,
            # The rule, never the path: paths hold invite, reset and share tokens, queries too.
            "route": rule.rule if rule else None,
            "status": response.status_code,
            "duration_ms": round(
                (time.perf_counter() - here.get("started", time.perf_counter())) * 1000, 1
            ),
            "user": person.id if person is not None else None,
        }
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        if log.isEnabledFor(level):
            # Straight to the handlers: the line names no source file, so none is looked up.
            record = log.makeRecord(log.name, level, "", 0, "request", (), None)
            record.fields = fields
            log.handle(record)
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error):
        reference = request_id()
        original = getattr(error, "original_exception", None) or error
        log.error(
            "error",
            exc_info=(type(original), original, original.__traceback__),
            extra={"fields": {"request_id": reference}},
        )
        with contextlib.suppress(Exception):  # the connection itself may be what failed
            models.db.rollback()
        try:
            body = render_template("errors/500.html", reference=reference)
        except Exception:
            # The page's layout needs the database; when that is what broke, a plain page.
            body = render_template("errors/500_plain.html", reference=reference)
        return body, 500


@bp.get("/healthz")
def healthz():
    """Say whether this server can serve: database answering, queue reachable, schema current."""
    from push import queue

    problems = {}
    try:
        models.db.connect(reuse_if_open=True)
        applied = {row[0] for row in models.db.execute_sql("SELECT name FROM migratehistory")}
        missing = current_app.extensions["migration_files"] - applied
        if missing:
            problems["migrations"] = f"{len(missing)} not applied: run manage.py migrate"
    except Exception as error:
        problems["database"] = type(error).__name__
    try:
        queue.huey.storage.queue_size()
    except Exception as error:
        problems["queue"] = type(error).__name__
    body = {"status": "ok" if not problems else "unavailable", **problems}
    response = jsonify(body)
    response.status_code = 503 if problems else 200
    response.headers["Cache-Control"] = "no-store"
    return response
