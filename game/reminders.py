"""When a push is due: the daily reminder, streak at risk, and event pushes held over quiet hours.

Every rule takes the instant it is asked about; none reads a clock. "Due" compares the wall clock in
the person's zone with the chosen time, so a time that a DST change skips is due at the first minute
after it, and a time that a DST change repeats is due twice, which the one message row per local date
turns into one push.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from game.days import Workdays, is_workday
from game.streaks import Streak

WINDOW_START = time(8, 0)  # nothing is sent before this, local time
WINDOW_END = time(20, 0)  # nor from this time on
DEFAULT_REMINDER = time(9, 0)
STREAK_RISK_AT = time(16, 0)
STREAK_RISK_MIN = 3  # a streak shorter than this is not worth a push
EVENT_MAX_AGE = timedelta(days=3)
# The reminder times a person can pick: every quarter hour inside the window.
REMINDER_TIMES = tuple(
    time(hour, minute)
    for hour in range(WINDOW_START.hour, WINDOW_END.hour)
    for minute in (0, 15, 30, 45)
)


def _local(instant: datetime, tz: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(ZoneInfo(tz))


def in_window(local: datetime, workdays: Workdays) -> bool:
    """Whether a local time is one at which pushes may be sent (a work day, 08:00 to 20:00)."""
    return is_workday(local.date(), workdays) and WINDOW_START <= local.time() < WINDOW_END


def daily_due(instant: datetime, tz: str, at: time, workdays: Workdays) -> date | None:
    """The local date whose daily push at `at` is due at `instant`, or None when none is.

    A daily push is due from `at` (never earlier than the window opens) until the window closes,
    on work days only; the caller sends it once per local date.
    """
    local = _local(instant, tz)
    start = max(at, WINDOW_START)
    if is_workday(local.date(), workdays) and start <= local.time().replace(fold=0) < WINDOW_END:
        return local.date()
    return None


def daily_expiry(day: date, tz: str) -> datetime:
    """The instant the window closes on a local date: a daily push not sent by then is dropped."""
    return datetime.combine(day, WINDOW_END, tzinfo=ZoneInfo(tz))


def streak_at_risk(s: Streak, workday_today: bool) -> bool:
    """Whether a streak worth keeping ends unless today's check-in comes (no freeze would cover it)."""
    return workday_today and s.current >= STREAK_RISK_MIN and not s.checked_today and s.freezes == 0


def event_send_at(created: datetime, tz: str, at: time, workdays: Workdays) -> datetime | None:
    """When an event push made at `created` goes out: at once inside the window, else held.

    Held pushes go at the person's reminder time on their next work day. None when that is more
    than EVENT_MAX_AGE after `created` (the push is dropped).
    """
    local = _local(created, tz)
    if in_window(local, workdays):
        return created
    zone = ZoneInfo(tz)
    start = max(at, WINDOW_START)
    day = local.date()
    if local.time() >= start:
        day += timedelta(days=1)
    while True:
        if is_workday(day, workdays):
            send = datetime.combine(day, start, tzinfo=zone)
            break
        day += timedelta(days=1)
        if day - local.date() > EVENT_MAX_AGE:
            return None
    if send - created > EVENT_MAX_AGE:
        return None
    return send
