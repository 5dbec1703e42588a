"""The app's clock: real time in production, replaceable in tests (config CLOCK)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app


class SystemClock:
    """Reads the real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return current_app.config["CLOCK"].now()


def naive_now() -> datetime:
    """The current instant as naive UTC, the way timestamps are stored."""
    return now().replace(tzinfo=None)
