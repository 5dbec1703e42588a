"""A person's streak kept up to date one check-in at a time, so reading it never walks history.

`game.streaks.streak` recomputes everything from all check-in days; `Summary` is the same
walk stopped after the latest check-in day, so the next check-in (or today's view) only has to
look at the days since. `as_of(rebuild(days, w), w, today)` equals `streak(days, w, today)`
(keeping the last MAX_FREEZES saved days) whenever no check-in is after today.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from game.days import Workdays, is_workday
from game.streaks import FREEZE_EVERY, MAX_FREEZES, Streak

# Bump when a rule of the streak changes: summaries written under other rules are rebuilt.
RULES = 1


@dataclass(frozen=True)
class Summary:
    """The streak walk as of the end of `last_day`, the latest day with a check-in."""

    last_day: date | None = None
    run: int = 0
    longest: int = 0
    freezes: int = 0
    # Checked-in work days towards the next freeze.
    progress: int = 0
    # Freezes spent in the current run, and the latest days they saved.
    spent: int = 0
    saved: tuple[date, ...] = ()


EMPTY = Summary()


def _miss(s: Summary, day: date) -> Summary:
    """A work day without a check-in: a held freeze saves it, else the run ends."""
    if s.freezes:
        return replace(
            s, freezes=s.freezes - 1, spent=s.spent + 1, saved=(*s.saved, day)[-MAX_FREEZES:]
        )
    return replace(s, run=0, progress=0, spent=0, saved=())


def settle(s: Summary, until: date, workdays: Workdays) -> Summary:
    """Apply the misses of the work days after s.last_day and before until."""
    if s.last_day is None:
        return s
    day = s.last_day + timedelta(days=1)
    # Once no run and no freeze are left a miss changes nothing, so the walk stops there: with at
    # most MAX_FREEZES freezes that is after a few work days, however long the gap.
    while day < until and (s.run or s.freezes):
        if is_workday(day, workdays):
            s = _miss(s, day)
        day += timedelta(days=1)
    return s


def advance(s: Summary, day: date, workdays: Workdays) -> Summary:
    """The summary after a check-in on day, which must be after s.last_day."""
    if s.last_day is not None and day <= s.last_day:
        raise ValueError(f"{day} is not after the summary's last day {s.last_day}")
    s = replace(settle(s, day, workdays), last_day=day)
    if not is_workday(day, workdays):
        return s  # a check-in on a day off is welcome but counts for nothing
    run = s.run + 1
    freezes, progress = s.freezes, s.progress
    if freezes < MAX_FREEZES:
        progress += 1
        if progress == FREEZE_EVERY:
            freezes, progress = freezes + 1, 0
    return replace(s, run=run, longest=max(s.longest, run), freezes=freezes, progress=progress)


def after_check_in(s: Summary, day: date, workdays: Workdays) -> Summary | None:
    """The summary once day has a check-in; None when day is before the last one (rebuild then)."""
    if s.last_day is not None and day < s.last_day:
        return None
    if day == s.last_day:
        return s  # an edit: the days with a check-in are the same
    return advance(s, day, workdays)


def rebuild(days: Iterable[date], workdays: Workdays) -> Summary:
    """The summary of all these check-in days."""
    s = EMPTY
    for day in sorted(set(days)):
        s = advance(s, day, workdays)
    return s


def as_of(s: Summary, workdays: Workdays, today: date) -> Streak:
    """The streak on today; raises ValueError when the summary holds a check-in after today."""
    if s.last_day is not None and today < s.last_day:
        raise ValueError(f"the summary holds a check-in on {s.last_day}, after today ({today})")
    checked_today = s.last_day == today and is_workday(today, workdays)
    s = settle(s, today, workdays)
    return Streak(
        current=s.run,
        longest=s.longest,
        freezes=s.freezes,
        saved=s.saved,
        perfect=s.run > 0 and not s.spent,
        checked_today=checked_today,
    )
