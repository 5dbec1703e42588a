"""Calendar helpers: a person's local date, work days and weeks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


def local_today(instant: datetime, tz: str, not_before: date | None = None) -> date:
    """Return today's date in `tz`, but never a day before `not_before`.

    `not_before` is the day a person last changed time zone: moving west must not reopen
    yesterday, or a streak could be backfilled by switching zones.
    """
    today = local_date(instant, tz)
    return max(today, not_before) if not_before is not None else today


@dataclass(frozen=True)
class WorkWeek:
    """A person's work days now, and what they were before each change.

    Changing one's work days applies from that day on: past days keep the work days they had,
    so a streak already earned is never rewritten.
    """

    current: frozenset[int]
    # (until, weekdays): before `until`, the work days were `weekdays`; sorted by `until`.
    past: tuple[tuple[date, frozenset[int]], ...] = ()

    def on(self, d: date) -> frozenset[int]:
        """The work days in force on `d`."""
        for until, weekdays in self.past:
            if d < until:
                return weekdays
        return self.current

    def changed(self, today: date, weekdays: frozenset[int]) -> WorkWeek:
        """The work week after choosing `weekdays` on `today` (in force from today)."""
        if weekdays == self.current:
            return self
        past = self.past
        if not past or past[-1][0] < today:
            past = (*past, (today, self.current))
        return WorkWeek(current=weekdays, past=past)


Workdays = frozenset[int] | WorkWeek


def is_workday(d: date, workdays: Workdays) -> bool:
    """Return whether `d` falls on one of the person's work days (as they were on `d`)."""
    weekdays = workdays.on(d) if isinstance(workdays, WorkWeek) else workdays
    return d.weekday() in weekdays


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


def parse_past_workdays(text: str) -> tuple[tuple[date, frozenset[int]], ...]:
    """Parse the stored history "2026-11-23=0,1,2,3,4;..." of a WorkWeek."""
    if not text:
        return ()
    entries = []
    for entry in text.split(";"):
        until, _, weekdays = entry.partition("=")
        entries.append((date.fromisoformat(until), parse_workdays(weekdays)))
    return tuple(sorted(entries))


def format_past_workdays(past: Iterable[tuple[date, frozenset[int]]]) -> str:
    """Format a WorkWeek's history for storage."""
    return ";".join(f"{until.isoformat()}={format_workdays(days)}" for until, days in past)


# How far ahead of the server's clock a phone's clock may run and still be believed.
CLOCK_SKEW = timedelta(minutes=10)


def queued_day(
    tapped: datetime, now: datetime, tz: str, not_before: date | None = None
) -> date | None:
    """The local date a check-in tapped at `tapped` (and sent at `now`) counts for, or None.

    A check-in kept on the phone while offline counts for the day it was tapped, even when it
    arrives after midnight; but only today or yesterday, never a tap from the future, and never a
    day before the person last changed zone (so a queue reopens no backfill).
    """
    if tapped > now + CLOCK_SKEW:
        return None
    today = local_today(now, tz, not_before)
    day = local_date(min(tapped, now), tz)
    if day > today or day < today - timedelta(days=1):
        return None
    if not_before is not None and day < not_before:
        return None
    return day
