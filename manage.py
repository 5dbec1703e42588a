"""Administration from the shell: database, people and teams, invites, demo data, serving."""

from __future__ import annotations

import os
import sys

import click
from flask import current_app, has_app_context
from werkzeug.security import generate_password_hash

import models
from pwa import create_app


def _app():
    """The running app (tests push theirs), or a new one from the environment."""
    return current_app._get_current_object() if has_app_context() else create_app()


def _now():
    return current_app.config["CLOCK"].now()


@click.group()
def cli() -> None:
    """One True Customer administration."""


@cli.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    with _app().app_context():
        applied = models.migrate()
    click.echo(
        f"Applied {len(applied)} migration(s){': ' + ', '.join(applied) if applied else ''}."
    )


@cli.command()
@click.argument("name")
def makemigration(name: str) -> None:
    """Write a new migration from the difference between models.py and the migrations."""
    with _app().app_context():
        models.migrate()
        created = models.router().create(name, auto=models)
    click.echo(f"Wrote migrations/{created}.py." if created else "No changes.")


@cli.command()
@click.option("--if-empty", is_flag=True, help="Do nothing when people already exist.")
def demo(if_empty: bool) -> None:
    """Load the demo organisation (two teams, history, sample stories)."""
    from pwa import demo as demo_data

    with _app().app_context():
        models.migrate()
        if models.Person.select().exists():
            if if_empty:
                click.echo("Demo data already present.")
                return
            click.echo(
                "The database already has people; demo data goes into an empty one.", err=True
            )
            sys.exit(1)
        people = demo_data.load(_now())
    click.echo(
        f"Loaded the demo organisation: {len(people)} people, password '{demo_data.PASSWORD}'."
    )
    for key in people:
        click.echo(f"  {key}@example.com")


@cli.command("create-team")
@click.argument("name")
def create_team(name: str) -> None:
    """Create a team."""
    with _app().app_context():
        team, created = models.Team.get_or_create(name=name)
    click.echo(f"{'Created' if created else 'Found'} team {team.name}.")


@cli.command("create-admin")
@click.argument("email")
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin who can sign in and invite everyone else."""
    if len(password) < 10:
        raise click.BadParameter("use at least 10 characters", param_hint="--password")
    with _app().app_context():
        if models.Person.by_email(email):
            raise click.ClickException(f"{email} already has an account.")
        models.Person.create(
            email=email.strip().lower(),
            name=name,
            role="admin",
            password_hash=generate_password_hash(password),
        )
    click.echo(f"Created admin {email}.")


@cli.command()
@click.argument("email")
@click.option("--team", "team_name", help="The team they join.")
@click.option("--role", type=click.Choice(models.ROLES), default="employee")
@click.option("--name", default="")
def invite(email: str, team_name: str | None, role: str, name: str) -> None:
    """Print an invite link for a new person."""
    app = _app()
    with (
        app.app_context(),
        app.test_request_context(base_url=os.environ.get("PUBLIC_URL") or "http://localhost:5000"),
    ):
        team = None
        if team_name:
            team = models.Team.get_or_none(models.Team.name == team_name)
            if team is None:
                raise click.ClickException(f"No team called {team_name}.")
        token = models.Invite.issue(email, team, role, None, _now().replace(tzinfo=None), name=name)
        from flask import url_for

        click.echo(url_for("account.accept_invite", token=token, _external=True))
    click.echo(f"Invited {email} as {role}.")


@cli.command("rebuild-streaks")
def rebuild_streaks() -> None:
    """Rebuild every person's summary (streak, freezes) from their check-ins."""
    with _app().app_context():
        rebuilt = models.PersonSummary.rebuild_all()
    click.echo(f"Rebuilt {rebuilt} summar{'y' if rebuilt == 1 else 'ies'}.")


@cli.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve(host: str, port: int) -> None:
    """Serve the app for development (use gunicorn in production)."""
    click.echo(f"One True Customer is at http://{host}:{port}/")
    click.echo(
        "Demo sign-ins: alice@example.com (employee), lena@example.com (lead), "
        "ada@example.com (admin); password 'one-true-customer'."
    )
    _app().run(host=host, port=port, debug=False)


if __name__ == "__main__":
    cli()
