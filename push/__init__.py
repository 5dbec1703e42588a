"""Web push: the one door to pywebpush (send), the event call (notify), and one delivery pass (send_due)."""

from __future__ import annotations

import os
from datetime import UTC

from flask import current_app

from push.events import EVENT_KINDS, notify, notify_people
from push.service import (
    InvalidSubscription,
    Notification,
    PushError,
    Settings,
    send,
    valid_subject,
)

__all__ = [
    "EVENT_KINDS",
    "InvalidSubscription",
    "Notification",
    "PushError",
    "Settings",
    "configured",
    "init_app",
    "notify",
    "notify_people",
    "send",
    "send_due",
]


def init_app(app) -> None:
    """Read the VAPID keys and push settings into the app's config."""
    from push import keys

    keys.configure(app)
    app.config.setdefault("PUSH_CONCURRENCY", int(os.environ.get("PUSH_CONCURRENCY", 64)))
    app.config.setdefault("PUSH_TIMEOUT", 10)


def configured() -> bool:
    """Whether this app can send pushes (a VAPID key pair and a contact)."""
    config = current_app.config
    return bool(config.get("VAPID_PRIVATE_KEY")) and valid_subject(config.get("VAPID_SUBJECT", ""))


def send_due() -> dict[str, int]:
    """One pass: write the daily pushes now due, then send every due message row; count what happened.

    Without VAPID keys and a contact push is off: no push rows are made or sent (other channels still go).
    """
    from push import delivery, outbox, planner  # noqa: F401  (delivery registers the push sender)

    clock = current_app.config["CLOCK"]
    on = configured()
    planned = planner.plan(clock.now()) if on else 0
    channels = [channel for channel in outbox.SENDERS if on or channel != "push"]
    counts = outbox.run_due(
        lambda: clock.now().astimezone(UTC).replace(tzinfo=None), channels=channels
    )
    return {"planned": planned, "push_off": int(not on), **counts}
