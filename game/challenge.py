"""The 30-day challenge: day N of 30 and its calendar of cells."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from game.days import Workdays, is_workday

LENGTH = 30


@dataclass(frozen=True)
class Cell:
    """One calendar day of the challenge: "done", "missed", "off", "today" or "upcoming"."""

    day: date
    number: int
    state: str
    is_today: bool


@dataclass(frozen=True)
class ChallengeView:
    """Where a person stands in a challenge as of today."""

    start: date
    day: int
    cells: tuple[Cell, ...]
    done: int
    missed: int
    finished: bool
    over: bool


def ends_on(start: date) -> date:
    """Return the last day of a challenge started on `start`."""
    return start + timedelta(days=LENGTH - 1)


def _state(d: date, checked: set[date], workdays: Workdays, today: date) -> str:
    """Return the state of one challenge day."""
    if d in checked:
        # A check-in on a day off still shows as done: it was effort, so we honour it.
        return "done"
    if not is_workday(d, workdays):
        # Today on a day off is "off" too; Cell.is_today marks where the person stands.
        return "off"
    if d < today:
        return "missed"
    return "today" if d == today else "upcoming"


def challenge_view(
    start: date, days: Iterable[date], workdays: Workdays, today: date
) -> ChallengeView:
    """Return the challenge started on `start` as of `today`, given the check-in `days`.

    Raises ValueError if today is before the start. Check-ins after today are ignored.
    """
    if today < start:
        raise ValueError(f"the challenge starts on {start}, after today ({today})")
    checked = {d for d in days if d <= today}
    dates = [start + timedelta(days=i) for i in range(LENGTH)]
    cells = tuple(
        Cell(day=d, number=n, state=_state(d, checked, workdays, today), is_today=d == today)
        for n, d in enumerate(dates, start=1)
    )
    last = ends_on(start)
    return ChallengeView(
        start=start,
        day=min((today - start).days + 1, LENGTH),
        cells=cells,
        done=sum(cell.state == "done" for cell in cells),
        missed=sum(cell.state == "missed" for cell in cells),
        finished=today >= last,
        over=today > last,
    )
