"""The task queue (huey) for every area: SQLite storage by default, Redis when REDIS_URL or HUEY_URL says so.

Define a background job with `@task()` or a scheduled one with `@periodic(crontab(...))`; both run
inside the app (its database, its config). `manage.py worker` runs them. The push pass runs every
minute from here; other areas (the weekly digest, closing weeks) add theirs the same way.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def make_huey(environ=os.environ):
    """The queue the environment asks for: HUEY_URL (redis://, sqlite:///path, memory://), else REDIS_URL, else SQLite."""
    url = environ.get("HUEY_URL") or environ.get("REDIS_URL") or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("otc", url=url)
    if url == "memory://":
        return MemoryHuey("otc")
    if url.startswith("sqlite:///"):
        return SqliteHuey("otc", filename=url.removeprefix("sqlite:///"))
    if url:
        raise ValueError(f"HUEY_URL must be redis://, sqlite:/// or memory://, not {url!r}")
    INSTANCE.mkdir(exist_ok=True)
    return SqliteHuey("otc", filename=str(INSTANCE / "huey.db"))


huey = make_huey()
_app = None


def use_app(app) -> None:
    """Run tasks inside this app (the worker's, or a test's)."""
    global _app
    _app = app


def current():
    """The app tasks run in: the one given to use_app, else one made from the environment."""
    global _app
    if _app is None:
        from pwa import create_app

        _app = create_app()
    return _app


def _in_app(function):
    @functools.wraps(function)
    def run(*args, **kwargs):
        with current().app_context():
            return function(*args, **kwargs)

    return run


def task(**options):
    """A background task that runs inside the app."""
    return lambda function: huey.task(**options)(_in_app(function))


def periodic(schedule, **options):
    """A task the worker runs on a schedule (a huey crontab), inside the app."""
    return lambda function: huey.periodic_task(schedule, **options)(_in_app(function))


@periodic(crontab(minute="*"))
def send_due_pushes() -> dict[str, int]:
    """Every minute: the push pass (see push.send_due)."""
    import push

    return push.send_due()


@task()
def send_due_now() -> dict[str, int]:
    """The same pass, queued to run at once (after an event, so it need not wait for the minute)."""
    import push

    return push.send_due()
