"""Administration from the shell: database, people and teams, invites, demo data, serving."""

from __future__ import annotations

import errno
import os
import socket
import sys
import threading
from datetime import UTC, datetime

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


def _email(value: str) -> str:
    """The address checked and normalised, or a usage error."""
    from pwa.web import normal_email

    email, error = normal_email(value)
    if error:
        raise click.BadParameter(error, param_hint="EMAIL")
    return email


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
        people = demo_data.load(_now())  # with the badges its history earned, when it earned them
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
        # Team names are unique whatever their case (migration 005), so "north" finds North;
        # looked for inside the transaction, which SQLite starts with its write lock.
        try:
            with models.db.atomic():
                team = models.Team.named(name)
                created = team is None
                if created:
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
        email = _email(email)
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
        email = _email(email)
        team = None
        if team_name:
            team = models.Team.get_or_none(models.Team.name == team_name)
            if team is None:
                raise click.ClickException(f"No team called {team_name}.")
        now = _now().replace(tzinfo=None)
        token = models.Invite.issue(email, team, role, None, now, name=name)
        # The link is printed for whoever runs this to hand on: it counts as sent.
        models.Invite.update(sent_at=now).where(models.Invite.email == email.lower()).execute()
        from flask import url_for

        click.echo(url_for("account.accept_invite", token=token, _external=True))
    click.echo(f"Invited {email} as {role}.")


@cli.command("delete-person")
@click.argument("email")
@click.option(
    "--content",
    type=click.Choice(["keep", "delete"]),
    required=True,
    help="keep: their published stories and recognitions stay, anonymised; delete: they go too.",
)
@click.option("--yes", is_flag=True, help="Don't ask to confirm.")
def delete_person(email: str, content: str, yes: bool) -> None:
    """Delete a person: their private data goes, their published content is kept anonymised or deleted."""
    from pwa.rights import erase

    with _app().app_context():
        person = models.Person.by_email(email)
        if person is None or person.email == models.FORMER_EMAIL:
            raise click.ClickException(f"Nobody has the email {email}.")
        if not yes:
            click.confirm(
                f"Delete {person.name} <{person.email}> for good ({content} their published content)?",
                abort=True,
            )
        done = erase(person.id, content)
    if done is None:
        raise click.ClickException(f"{email} was deleted meanwhile.")
    click.echo(done.summary())


@cli.command("rebuild-streaks")
def rebuild_streaks() -> None:
    """Rebuild every person's summary (streak, freezes) from their check-ins."""
    with _app().app_context():
        rebuilt = models.PersonSummary.rebuild_all()
    click.echo(f"Rebuilt {rebuilt} summar{'y' if rebuilt == 1 else 'ies'}.")


@cli.command("award-badges")
def award_badges() -> None:
    """Give everyone each badge they already qualify for (safe to run again: nobody gets one twice)."""
    app = _app()
    with app.app_context():
        given = _award_everyone()
    click.echo(f"Awarded {given} badge(s).")


def _award_everyone() -> int:
    from pwa import events

    given = 0
    for person in models.Person.select().where(models.Person.active):
        given += len(events.award_badges(person))
    return given


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
@click.option(
    "--write", is_flag=True, help="Also keep them in the instance folder (embedded default)."
)
def vapid(write: bool) -> None:
    """Make a VAPID key pair for push and print it for the environment."""
    import json

    from push import keys

    app = _app()
    path = os.path.join(app.instance_path, keys.KEY_FILE)
    embedded = app.config["DATABASE_URL"].startswith("sqlite") and not os.environ.get(
        "VAPID_PRIVATE_KEY"
    )
    if embedded and os.path.exists(path) and not write:
        with open(path) as file:
            kept = json.load(file)
        for name, value in kept.items():
            click.echo(f"{name}={value}")
        click.echo(f"Kept the keys already in {path} (--write makes new ones).")
        return
    made = keys.generate()
    for name, value in made.items():
        click.echo(f"{name}={value}")
    if write or embedded:
        keys.write(app.instance_path, made)
        click.echo(f"Wrote {path}; keys in the environment win over it.")
    else:
        click.echo("Set both in the environment of every app server and worker.")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@cli.command("close-weeks")
@click.option("--weeks", default=12, type=click.IntRange(1, 520), help="How many weeks back.")
def close_weeks(weeks: int) -> None:
    """Store the dashboard figures of the closed weeks not stored yet (a backfill; the worker does it hourly)."""
    from pwa import dashboard

    with _app().app_context():
        closed = dashboard.close_weeks(weeks)
    click.echo(f"Stored the figures of {_plural(len(closed), 'closed week')}.")


@cli.command("send-due")
def send_due() -> None:
    """Send every push that is due now (one pass of what the worker does each minute)."""
    import push

    with _app().app_context():
        counts = push.send_due()
    if counts["push_off"]:
        click.echo(
            "Push is off: set VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY (manage.py vapid) and"
            " VAPID_SUBJECT (mailto:you@company.com or https://company.com)."
        )
    click.echo(
        f"Sent {_plural(counts.get('sent', 0), 'message')} ({counts['planned']} planned,"
        f" {counts.get('retry', 0)} to retry, {counts.get('dropped', 0)} dropped)."
    )


@cli.command()
@click.option("--workers", default=2, type=int, help="Tasks run at once.")
@click.option(
    "--periodic/--no-periodic",
    default=True,
    help="Also run the scheduled tasks (one worker does; start any further ones with --no-periodic).",
)
def worker(workers: int, periodic: bool) -> None:
    """Run the task queue: every queued task, and (unless --no-periodic) the push pass each minute."""
    import push
    from push import queue
    from pwa import closing  # noqa: F401  (registers the hourly close_weeks_task)

    app = _app()
    queue.use_app(app)
    with app.app_context():
        if not push.configured():
            click.echo(
                "Push is off: set VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY and VAPID_SUBJECT.", err=True
            )
    if periodic:
        # A restarted worker sends what is due now rather than at the next minute.
        queue.send_due_now()
    schedule = "with" if periodic else "without"
    click.echo(
        f"Worker started with {workers} workers on {type(queue.huey).__name__},"
        f" {schedule} the scheduled tasks."
    )
    queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic).run()
    click.echo("Worker stopped.")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
def backup(path: str) -> None:
    """Copy the database to PATH while the app runs, and check the copy."""
    from pwa import backup as backups

    with _app().app_context():
        try:
            done = backups.backup(current_app.config["DATABASE_URL"], path)
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {done.tables} tables to {done.path} ({done.size:,} bytes), checked.")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.confirmation_option(
    prompt="This replaces the database with the backup. Stop the app servers and workers first. Go on?"
)
def restore(path: str) -> None:
    """Replace the database with the backup at PATH (made by manage.py backup)."""
    from pwa import backup as backups

    with _app().app_context():
        url = current_app.config["DATABASE_URL"]
        if not models.db.is_closed():
            models.db.close()
        try:
            done = backups.restore(url, path)
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Restored {done.tables} tables from {path}.")


@cli.command("nginx-config")
@click.option(
    "--app",
    "apps",
    multiple=True,
    default=["127.0.0.1:8000"],
    show_default=True,
    help="An app server's address (give one --app per gunicorn).",
)
@click.option(
    "--listen", default="80", show_default=True, help="nginx's listen (443 ssl with --cert)."
)
@click.option("--server-name", default="_", show_default=True)
@click.option("--cert", help="TLS certificate file (then also --key).")
@click.option("--key", help="TLS key file.")
@click.option(
    "--public-root",
    help="Where manage.py publish-static put the hashed static files (instance/public by default).",
)
def nginx_config(apps, listen, server_name, cert, key, public_root) -> None:
    """Print deploy/nginx.conf filled in for these app servers."""
    click.echo(nginx_conf(apps, listen, server_name, cert, key, public_root), nl=False)


PUBLIC_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "instance", "public")


@cli.command("publish-static")
@click.option("--to", "target", default=PUBLIC_ROOT, show_default=True)
def publish_static(target: str) -> None:
    """Copy the static files under their hashed names for nginx (run at each release, before reloading)."""
    from pwa.static_files import StaticFiles

    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pwa", "static")
    files, new = StaticFiles(folder).publish(target)
    click.echo(f"Published {files} static files ({new} new) to {os.path.abspath(target)}.")


def nginx_conf(apps, listen="80", server_name="_", cert=None, key=None, public_root=None) -> str:
    """The shipped nginx config with its @...@ names filled in."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "deploy", "nginx.conf")) as file:
        text = file.read()
    if bool(cert) != bool(key):
        raise click.BadParameter("give both --cert and --key", param_hint="--cert")
    tls = f"    ssl_certificate {cert};\n    ssl_certificate_key {key};\n" if cert else ""
    for name, value in {
        "@UPSTREAM_SERVERS@": "\n".join(
            f"    server {address} max_fails=2 fail_timeout=5s;" for address in apps
        ),
        "@LISTEN@": listen,
        "@SERVER_NAME@": server_name,
        "@TLS@": tls,
        "@PUBLIC_ROOT@": os.path.abspath(public_root or PUBLIC_ROOT),
    }.items():
        text = text.replace(name, value)
    return text


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
    stop = _run_queued_tasks(app)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
    click.echo("Stopped.")


def _run_queued_tasks(app) -> threading.Event:
    """Run queued tasks (a forgotten password's email) in a thread of this development server.

    Production runs `manage.py worker` instead; the schedule (the push pass) stays the worker's.
    """
    from push import queue

    queue.use_app(app)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            # A mail task the server refused waits in the schedule for its next try.
            now = datetime.now(UTC).replace(tzinfo=None)
            for due in queue.huey.read_schedule(now):
                queue.huey.enqueue(due)
            queued = queue.huey.dequeue()
            if queued is None:
                stop.wait(0.5)
            else:
                queue.huey.execute(queued)

    threading.Thread(target=run, name="queued-tasks", daemon=True).start()
    return stop


if __name__ == "__main__":
    cli()
