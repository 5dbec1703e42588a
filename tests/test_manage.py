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


def test_create_team_finds_a_team_whatever_the_case_of_its_name(runner):
    assert "Created team North." in runner.invoke(cli, ["create-team", "North"]).output
    result = runner.invoke(cli, ["create-team", "north"])
    assert result.exit_code == 0, result.output
    assert "Found team North." in result.output
    assert models.Team.select().count() == 1
