"""manage.py: schema, demo data, admin, invites."""

from __future__ import annotations

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


def test_create_admin_and_invite_refuse_an_address_that_is_not_one(runner):
    result = runner.invoke(
        cli, ["create-admin", "boss@localhost", "--name", "Boss", "--password", "long enough pw"]
    )
    assert result.exit_code == 2 and "Enter an email address" in result.output
    result = runner.invoke(cli, ["invite", "new at example.com"])
    assert result.exit_code == 2
    assert models.Person.select().count() == 0 and models.Invite.select().count() == 0
