"""Web push: the one door to pywebpush (send), the event call (notify), and one delivery pass (send_due)."""

from __future__ import annotations

import os
from datetime import UTC

from flask import current_app

from push.events import EVENT_KINDS, notify
from push.service import InvalidSubscription, Notification, PushError, Settings, send

__all__ = [
    "EVENT_KINDS",
    "InvalidSubscription",
    "Notification",
    "PushError",
    "Settings",
    "init_app",
    "notify",
    "send",
    "send_due",
]


def init_app(app) -> None:
    """Read the VAPID keys and push settings into the app's config."""
    from push import keys

    keys.configure(app)
    app.config.setdefault("PUSH_CONCURRENCY", int(os.environ.get("PUSH_CONCURRENCY", 64)))
    app.config.setdefault("PUSH_TIMEOUT", 10)


def send_due() -> dict[str, int]:
    """One pass: write the daily pushes now due, then send every due message row; count what happened."""
    from push import delivery, outbox, planner  # noqa: F401  (delivery registers the push sender)

    clock = current_app.config["CLOCK"]
    planned = planner.plan(clock.now())
    counts = outbox.run_due(lambda: clock.now().astimezone(UTC).replace(tzinfo=None))
    return {"planned": planned, **counts}
