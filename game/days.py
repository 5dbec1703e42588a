"""Calendar helpers: a person's local date, work days and weeks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_WORKDAYS: frozenset[int] = frozenset({0, 1, 2, 3, 4})

_WEEKDAYS = "0123456"


def local_date(instant: datetime, tz: str) -> date:
    """Return the calendar date of an aware instant in the IANA zone `tz`."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        # A naive time could mean any of ~26 hours' worth of dates; refuse to guess.
        raise ValueError("instant must be timezone-aware")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone: {tz!r}") from error
    return instant.astimezone(zone).date()


def is_workday(d: date, workdays: frozenset[int]) -> bool:
    """Return whether `d` falls on one of the person's work days."""
    return d.weekday() in workdays


def week_start(d: date) -> date:
    """Return the Monday of the week that holds `d`."""
    return d - timedelta(days=d.weekday())


def parse_workdays(text: str) -> frozenset[int]:
    """Parse the stored form "0,1,2,3,4" (Monday=0) into a set of weekdays."""
    items = [item.strip() for item in text.split(",")]
    # Checking against the literal digits keeps out "+1", "01" and non-ASCII digits int() accepts.
    if not text.strip() or any(len(item) != 1 or item not in _WEEKDAYS for item in items):
        raise ValueError(f"work days must be weekday numbers 0-6 separated by commas: {text!r}")
    return frozenset(int(item) for item in items)


def format_workdays(workdays: Iterable[int]) -> str:
    """Format weekdays in the stored form "0,1,2,3,4"."""
    return ",".join(str(day) for day in sorted(set(workdays)))
