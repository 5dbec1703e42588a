"""The weekly commitment: when "did you keep it?" is due."""

from __future__ import annotations

from datetime import date, timedelta

from game.days import Workdays, is_workday, week_start


def last_workday(week: date, workdays: Workdays) -> date:
    """Return the last work day of the week that holds `week` (its Sunday if none)."""
    monday = week_start(week)
    sunday = monday + timedelta(days=6)
    candidates = [monday + timedelta(days=i) for i in range(7)]
    return max((d for d in candidates if is_workday(d, workdays)), default=sunday)


def review_due(week: date, workdays: Workdays, today: date) -> bool:
    """Return whether the commitment for the week of `week` may now be reviewed."""
    return today >= last_workday(week, workdays)
