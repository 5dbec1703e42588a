"""GET /healthz, the JSON request log, and the 500 page whose reference is the log line's request id."""

from __future__ import annotations

import json
import logging
import re

import pytest

import models
from conftest import PASSWORD, sign_in
from pwa import create_app
from pwa.ops import JsonLines


@pytest.fixture
def app_config():
    return {"PROPAGATE_EXCEPTIONS": False}  # a server's view: errors become the 500 page


@pytest.fixture
def lines(caplog):
    """The request log's lines, as the JSON objects they are written as."""
    caplog.set_level(logging.INFO, logger="otc.requests")
    formatter = JsonLines()

    def read():
        return [
            json.loads(formatter.format(record))
            for record in caplog.records
            if record.name == "otc.requests"
        ]

    return read


def test_healthz_answers_ok_without_signing_in_and_writes_no_log_line(client, lines):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert lines() == []


def test_healthz_runs_one_statement(client, app, monkeypatch):
    statements = []
    real = models.db.obj.execute_sql

    def counted(sql, *args, **kwargs):
        statements.append(sql)
        return real(sql, *args, **kwargs)

    monkeypatch.setattr(models.db.obj, "execute_sql", counted)
    assert client.get("/healthz").status_code == 200
    assert statements == ["SELECT name FROM migratehistory"]


def test_healthz_says_503_when_a_migration_is_not_applied(client, app, lines):
    app.extensions["migration_files"] = app.extensions["migration_files"] | {"099_future"}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "migrations": "1 not applied: run manage.py migrate",
    }
    assert [line["status"] for line in lines()] == [503]  # a failing check is logged


def test_healthz_says_503_when_the_queue_is_unreachable(client, monkeypatch):
    from huey import RedisHuey

    from push import queue

    monkeypatch.setattr(queue, "huey", RedisHuey("otc", url="redis://127.0.0.1:1/0"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["queue"] == "ConnectionError"
    assert "database" not in response.get_json()


def test_healthz_says_503_when_the_database_does_not_answer(app, tmp_path, database_url):
    if database_url.startswith("sqlite"):
        broken = f"sqlite:///{tmp_path / 'no-such-folder' / 'otc.db'}"
    else:
        broken = "postgresql://postgres@127.0.0.1:1/otc"
    down = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": broken})
    try:
        response = down.test_client().get("/healthz")
    finally:
        models.db.close()
        models.open_database(database_url)
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert "database" in response.get_json()


def test_each_request_is_one_json_line_without_notes_passwords_or_tokens(
    client, alice, lines, caplog
):
    sign_in(client, alice)
    token = client.csrf_token()
    note = "a private note nobody else reads"
    response = client.post(
        "/checkin",
        data={"csrf_token": token, "key": "k1", "before": "yes", "before_note": note},
    )
    assert response.status_code == 303
    client.get("/invite/secret-token-in-the-path?token=secret-in-the-query")
    written = lines()
    check_in = [line for line in written if line["route"] == "/checkin"]
    assert len(check_in) == 1
    line = check_in[0]
    assert line["method"] == "POST" and line["status"] == 303 and line["user"] == alice.id
    assert line["event"] == "request" and line["level"] == "info"
    assert isinstance(line["duration_ms"], float) and re.fullmatch(
        r"[0-9a-f]{16}", line["request_id"]
    )
    sign_ins = [line for line in written if line["route"] == "/signin" and line["method"] == "POST"]
    assert sign_ins and sign_ins[0]["user"] is None
    invite = [line for line in written if line["route"] == "/invite/<token>"]
    assert invite and invite[0]["status"] == 404
    text = caplog.text + "".join(json.dumps(line) for line in written)
    for secret in (note, PASSWORD, "secret-token-in-the-path", "secret-in-the-query", token):
        assert secret not in text


def test_a_server_error_shows_a_friendly_page_whose_reference_is_in_the_log(app, lines):
    @app.get("/test-only-boom")
    def boom():
        raise RuntimeError("something broke inside")

    response = app.test_client().get("/test-only-boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert page.count("<h1") == 1 and "our fault, not yours" in page
    assert "something broke inside" not in page and "Traceback" not in page
    reference = re.search(r"<code data-reference>([0-9a-f]+)</code>", page).group(1)
    assert response.headers["X-Request-Id"] == reference
    written = lines()
    request_line = next(line for line in written if line["event"] == "request")
    assert request_line["request_id"] == reference
    assert (request_line["status"], request_line["level"]) == (500, "error")
    error_line = next(line for line in written if line["event"] == "error")
    assert error_line["request_id"] == reference
    assert "RuntimeError: something broke inside" in error_line["error"]


def test_the_proxys_request_id_is_kept_only_behind_a_trusted_proxy(app, database_url):
    given = {"X-Request-Id": "0123456789abcdef0123456789abcdef"}
    assert (
        app.test_client().get("/signin", headers=given).headers["X-Request-Id"]
        != (given["X-Request-Id"])
    )
    behind = create_app(
        {"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": database_url, "TRUST_PROXY": True}
    )
    response = behind.test_client().get("/signin", headers=given)
    assert response.headers["X-Request-Id"] == given["X-Request-Id"]
    forged = behind.test_client().get("/signin", headers={"X-Request-Id": 'x" injected'})
    assert forged.headers["X-Request-Id"] != 'x" injected'
