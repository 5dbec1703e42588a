"""Streaks of check-in days, with freezes that cover a missed work day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from game.days import Workdays, is_workday

FREEZE_EVERY = 7  # checked-in work days that earn one freeze
MAX_FREEZES = 2  # freezes held at most; earning pauses at this many


@dataclass(frozen=True)
class Streak:
    """A person's streak as of today."""

    current: int
    longest: int
    freezes: int
    saved: tuple[date, ...]
    perfect: bool
    checked_today: bool


def streak(days: Iterable[date], workdays: Workdays, today: date) -> Streak:
    """Return the streak that the check-in `days` make as of `today`.

    Only work days count; check-ins on days off or after today are ignored. Every
    FREEZE_EVERY checked-in days of a run earn a freeze; only days checked in while fewer
    than MAX_FREEZES are held count towards the next one. A missed work day before today
    spends a held freeze (recorded in `saved`) or, with none held, ends the run. A run only
    ends when no freeze is held, so no freeze is ever lost. Today without a check-in is
    pending, never a miss.
    """
    counted = {d for d in days if d <= today and is_workday(d, workdays)}
    run = longest = freezes = progress = 0
    saved: list[date] = []
    day = min(counted, default=today + timedelta(days=1))
    while day <= today:
        if day in counted:
            run += 1
            longest = max(longest, run)
            # Pausing progress at the cap, rather than earning on every 7th day of the run,
            # keeps the promise that one more check-in can never shorten a streak.
            if freezes < MAX_FREEZES:
                progress += 1
                if progress == FREEZE_EVERY:
                    freezes, progress = freezes + 1, 0
        elif day != today and is_workday(day, workdays):
            # Freezes are only earned inside a run, so holding one means a run to save.
            if freezes:
                freezes -= 1
                saved.append(day)
            else:
                run = progress = 0
                saved = []
        day += timedelta(days=1)
    return Streak(
        current=run,
        longest=longest,
        freezes=freezes,
        saved=tuple(saved),
        perfect=run > 0 and not saved,
        checked_today=today in counted,
    )


def at_risk(s: Streak, is_workday_today: bool) -> bool:
    """Return whether a running streak still needs today's check-in."""
    return s.current > 0 and is_workday_today and not s.checked_today
