"""manage.py: schema, demo data, admin, invites."""

from __future__ import annotations

import socket

import pytest

import models
from manage import cli


@pytest.fixture(autouse=True)
def in_app(app):
    with app.app_context():
        yield


def test_migrate_is_idempotent(runner):
    result = runner.invoke(cli, ["migrate"])
    assert result.exit_code == 0
    assert "Applied 0 migration(s)" in result.output


def test_demo_loads_two_teams_people_and_history_once(runner):
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "alice@example.com" in result.output
    assert models.Team.select().count() == 2
    assert models.Person.select().where(models.Person.role == "lead").count() >= 1
    assert models.CheckIn.select().count() > 50
    again = runner.invoke(cli, ["demo", "--if-empty"])
    assert again.exit_code == 0
    assert "already present" in again.output


def test_create_admin_and_invite_print_a_link(runner):
    result = runner.invoke(
        cli, ["create-admin", "boss@example.com", "--name", "Boss", "--password", "long enough pw"]
    )
    assert result.exit_code == 0, result.output
    assert models.Person.by_email("boss@example.com").role == "admin"
    runner.invoke(cli, ["create-team", "East"])
    result = runner.invoke(cli, ["invite", "new@example.com", "--team", "East"])
    assert result.exit_code == 0, result.output
    assert "/invite/" in result.output
    assert models.Invite.get().team.name == "East"
    assert models.Invite.get().sent_at is not None  # not listed as "not sent"


def test_create_team_finds_a_team_whatever_the_case_of_its_name(runner):
    assert "Created team North." in runner.invoke(cli, ["create-team", "North"]).output
    result = runner.invoke(cli, ["create-team", "north"])
    assert result.exit_code == 0, result.output
    assert "Found team North." in result.output
    assert "Created team Ølsen." in runner.invoke(cli, ["create-team", "Ølsen"]).output
    # Beyond A to Z too, where SQLite's own LOWER() would tell them apart.
    assert "Found team Ølsen." in runner.invoke(cli, ["create-team", "ølsen"]).output
    assert models.Team.select().count() == 2


@pytest.fixture
def serve_once(monkeypatch):
    """serve binds as usual, then returns instead of serving forever; records the bound port."""
    from werkzeug.serving import BaseWSGIServer

    bound = []

    def serve_forever(server, *args, **kwargs):
        with socket.create_connection(("127.0.0.1", server.port), timeout=2):
            bound.append(server.port)

    monkeypatch.setattr(BaseWSGIServer, "serve_forever", serve_forever)
    return bound


def test_serve_on_a_taken_port_says_so_names_port_and_announces_no_url(runner):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"Port {port} on 127.0.0.1 is taken" in result.output
    assert "PORT=" in result.output
    assert "http://" not in result.output


def test_serve_announces_the_url_once_bound_and_no_demo_sign_ins_on_a_real_database(
    runner, serve_once, alice
):
    result = runner.invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert len(serve_once) == 1
    assert f"One True Customer is at http://127.0.0.1:{serve_once[0]}/" in result.output
    assert "Demo sign-ins" not in result.output
    assert "one-true-customer" not in result.output


def test_serve_names_the_demo_sign_ins_when_the_demo_data_is_there(runner, serve_once):
    runner.invoke(cli, ["demo"])
    result = runner.invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "Demo sign-ins: ada@example.com (admin), lena@example.com (lead)," in result.output
    assert "alice@example.com (employee); password 'one-true-customer'" in result.output


def test_serve_on_every_address_says_how_a_phone_reaches_it(runner, serve_once):
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "On a phone on the same network, open http://" in result.output


def test_create_admin_and_invite_refuse_an_address_that_is_not_one(runner):
    result = runner.invoke(
        cli, ["create-admin", "boss@localhost", "--name", "Boss", "--password", "long enough pw"]
    )
    assert result.exit_code == 2 and "Enter an email address" in result.output
    result = runner.invoke(cli, ["invite", "new at example.com"])
    assert result.exit_code == 2
    assert models.Person.select().count() == 0 and models.Invite.select().count() == 0


def test_the_development_server_runs_queued_tasks_itself(app, client, alice, outbox):
    import time

    from manage import _run_queued_tasks
    from push.queue import huey, use_app

    huey.flush()
    client.post("/forgot", data={"email": alice.email})
    assert huey.pending_count() == 1 and not list(outbox.glob("*.eml"))
    stop = _run_queued_tasks(app)
    try:
        deadline = time.monotonic() + 10
        while not list(outbox.glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        use_app(None)
    (saved,) = outbox.glob("*.eml")
    assert b"alice@example.com" in saved.read_bytes()


def test_demo_badges_are_dated_by_the_demo_story_and_already_seen(runner, app):
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    alice = models.Person.get(models.Person.email == "alice@example.com")
    held = models.Badge.of(alice)
    assert held["pledge"] == models.Pledge.get(models.Pledge.person == alice).signed_at
    first_day = min(models.CheckIn.days_of(alice))
    assert held["first-check-in"].date() == first_day  # her evening check-in, Berlin time
    assert len({earned.date() for earned in held.values()}) == len(held)  # not all "today"
    unseen = models.Notice.select().where(models.Notice.seen_at.is_null())
    assert unseen.count() == 0
    assert sum(models.Person.select(models.Person.news_unseen).scalars()) == 0
    assert "Awarded 0 badge(s)." in runner.invoke(cli, ["award-badges"]).output
