"""Administration from the shell: database, people and teams, invites, demo data, serving."""

from __future__ import annotations

import errno
import os
import socket
import sys

import click
from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

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
        # Team names are unique whatever their case (migration 005), so "north" finds North.
        team = models.Team.get_or_none(models.fn.LOWER(models.Team.name) == name.lower())
        created = team is None
        if created:
            try:
                with models.db.atomic():
                    team = models.Team.create(name=name)
            except models.IntegrityError:
                raise click.ClickException(f"A team called {name} was just created.") from None
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
        try:
            with models.db.atomic():
                models.Person.create(
                    email=email.strip().lower(),
                    name=name,
                    role="admin",
                    password_hash=generate_password_hash(password),
                )
        except models.IntegrityError:
            raise click.ClickException(f"{email} already has an account.") from None
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


def _demo_sign_ins() -> list[str]:
    """The demo people who can still sign in with the demo password (none on a real database)."""
    from pwa import demo as demo_data

    shown: dict[str, str] = {}  # one person of each role
    for email, _name, role, *_rest in demo_data.PEOPLE:
        if role in shown:
            continue
        person = models.Person.by_email(email)
        if person and check_password_hash(person.password_hash, demo_data.PASSWORD):
            shown[role] = email
    return [f"{email} ({role})" for role, email in shown.items()]


@cli.command()
@click.option("--host", default="127.0.0.1", help="0.0.0.0 to be reachable from a phone.")
@click.option("--port", default=5000, type=int)
def serve(host: str, port: int) -> None:
    """Serve the app for development (use gunicorn in production)."""
    from werkzeug.serving import make_server

    from pwa import demo as demo_data

    app = _app()
    try:
        # Binding first: the address is announced only once it is ours.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.create_server((host, port), family=family, backlog=128)
    except OSError as error:
        taken = error.errno == errno.EADDRINUSE
        reason = "is taken by another program" if taken else f"cannot be used ({error.strerror})"
        raise click.ClickException(
            f"Port {port} on {host} {reason}: choose another with make run PORT=5001 "
            f"(or manage.py serve --port 5001)."
        ) from None
    with listener:
        server = make_server(
            host, listener.getsockname()[1], app, threaded=True, fd=listener.fileno()
        )
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"One True Customer is at http://{shown}:{server.port}/")
    if host in ("0.0.0.0", "::"):
        click.echo(
            f"On a phone on the same network, open http://<this computer's address>:{server.port}/"
        )
    with app.app_context():
        sign_ins = _demo_sign_ins()
    if sign_ins:
        click.echo(f"Demo sign-ins: {', '.join(sign_ins)}; password '{demo_data.PASSWORD}'.")
    click.echo("Press Ctrl+C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    click.echo("Stopped.")


if __name__ == "__main__":
    cli()
