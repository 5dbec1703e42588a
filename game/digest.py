"""When the weekly digest email is due: the last work day of the person's week, at their time.

Like the other rules it takes the instant it is asked about and reads no clock.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from game.days import Workdays, is_workday, week_start
from game.reminders import WINDOW_END, WINDOW_START
from game.weeks import last_workday


def digest_due(instant: datetime, tz: str, at: time, workdays: Workdays) -> date | None:
    """The Monday of the week whose digest is due at instant, or None.

    Due on the last work day of the week (in the person's zone), from `at` (never before the window
    opens) until the window closes; the caller sends it once per week.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")
    local = instant.astimezone(ZoneInfo(tz))
    day = local.date()
    if not is_workday(day, workdays) or last_workday(day, workdays) != day:
        return None
    if max(at, WINDOW_START) <= local.time().replace(fold=0) < WINDOW_END:
        return week_start(day)
    return None


def digest_expiry(week: date, tz: str) -> datetime:
    """The instant a digest not sent yet is given up: when the next week begins in the zone."""
    return datetime.combine(week + timedelta(days=7), time(0, 0), tzinfo=ZoneInfo(tz))
