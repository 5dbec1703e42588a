"""The app factory: production settings it refuses, and a database connection that died in the pool."""

from __future__ import annotations

import pytest

import models
from conftest import BACKEND
from pwa import ConfigError, create_app


def _config(database_url, **settings):
    return {"TESTING": True, "DATABASE_URL": database_url, **settings}


def test_production_without_a_public_url_or_a_real_secret_does_not_start(database_url):
    with pytest.raises(ConfigError, match="PUBLIC_URL") as refused:
        create_app(_config(database_url, SESSION_COOKIE_SECURE=True, SECRET_KEY="s" * 40))
    assert "\n" not in str(refused.value)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(
            _config(database_url, SESSION_COOKIE_SECURE=True, PUBLIC_URL="https://otc.example")
        )


def test_production_with_both_starts(database_url):
    app = create_app(
        _config(
            database_url,
            SESSION_COOKIE_SECURE=True,
            SECRET_KEY="s" * 40,
            PUBLIC_URL="https://otc.example",
        )
    )
    assert app.config["PUBLIC_URL"] == "https://otc.example"


def test_development_starts_with_the_default_secret(database_url):
    assert create_app(_config(database_url)).config["SECRET_KEY"]


@pytest.mark.skipif(BACKEND != "postgres", reason="a pooled PostgreSQL connection")
def test_a_pooled_connection_killed_before_its_first_statement_is_replaced(app, as_alice):
    import psycopg2

    killer = psycopg2.connect(app.config["DATABASE_URL"])
    killer.autocommit = True

    def end_this_connection():
        pid = models.db.connection().get_backend_pid()
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))

    # Runs right after the request took its connection from the pool, before any statement.
    app.before_request_funcs.setdefault(None, []).insert(1, end_this_connection)
    try:
        response = as_alice.get("/")
    finally:
        app.before_request_funcs[None].remove(end_this_connection)
        killer.close()
    assert response.status_code == 200
    assert "Check in" in response.get_data(as_text=True)


@pytest.mark.skipif(BACKEND != "postgres", reason="a pooled PostgreSQL connection")
def test_pooled_connections_killed_while_idle_are_replaced(app, as_alice):
    import psycopg2

    as_alice.get("/")  # the connection goes back to the pool
    killer = psycopg2.connect(app.config["DATABASE_URL"])
    killer.autocommit = True
    with killer.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    killer.close()
    assert [as_alice.get("/").status_code for _ in range(3)] == [200] * 3


# The session cookie is verified once per process; its lifetime and signature still hold.


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_kept_cookie_still_signs_in(app, as_alice):
    as_alice.get("/")  # the first page adds the CSRF token: a new cookie
    assert as_alice.get("/").status_code == 200
    assert _cookie(as_alice) in app.session_interface._verified
    assert "Check in" in as_alice.get("/").get_data(as_text=True)


def test_a_kept_cookie_past_the_sessions_lifetime_is_refused(app, as_alice, monkeypatch):
    import time

    assert as_alice.get("/").status_code == 200  # verified and kept
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    response = as_alice.get("/")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]


def test_a_changed_cookie_is_checked_and_refused(app, as_alice):
    as_alice.get("/")
    value = _cookie(as_alice)
    forged = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    as_alice.set_cookie("session", forged)
    response = as_alice.get("/")
    assert response.status_code == 302
    assert forged not in app.session_interface._verified


def test_a_cookie_holding_a_list_is_never_kept(app, as_alice):
    # A flashed message is a list in the cookie: a request appends to it in place.
    with as_alice.session_transaction() as session:
        session["_flashes"] = [("success", "Saved.")]
    flashed = _cookie(as_alice)
    assert "Saved." in as_alice.get("/").get_data(as_text=True)
    assert flashed not in app.session_interface._verified
