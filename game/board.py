"""The team board's verdicts: the week's participation as one friendly figure, and the card rotation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from game.days import week_start

# Fewer people than this make a figure that reveals one person's behaviour: it is not shown.
SMALL_GROUP = 3


@dataclass(frozen=True)
class Participation:
    """This week's participation of a team, as the board says it."""

    expected: int  # members with a work day so far this week
    checked_in: int  # of them, those who checked in on one of those work days
    percent: int | None  # None when fewer than SMALL_GROUP people make it up

    @property
    def shown(self) -> bool:
        return self.percent is not None

    @property
    def figure(self) -> str:
        """The big figure: "78%", or "fewer than 3" for a small group."""
        return f"{self.percent}%" if self.percent is not None else f"fewer than {SMALL_GROUP}"

    @property
    def words(self) -> str:
        """The line under the figure, warm and never about one person."""
        if self.percent is None:
            return "have had a work day so far this week: too few to share a figure."
        if self.checked_in == 0:
            return f"of us so far this week. The first of {self.expected} could be you."
        return f"of us checked in on a work day: {self.checked_in} of {self.expected}."


def participation(expected: int, checked_in: int) -> Participation:
    """The figure for checked_in of expected members (a share rounded down, never above 100%)."""
    if expected < 0 or not 0 <= checked_in <= expected:
        raise ValueError(f"{checked_in} of {expected} is not a share")
    if expected < SMALL_GROUP:
        return Participation(expected, checked_in, None)
    return Participation(expected, checked_in, checked_in * 100 // expected)


def week_so_far(today: date) -> tuple[date, ...]:
    """The days of today's week from Monday up to today."""
    start = week_start(today)
    return tuple(start + timedelta(days=n) for n in range(today.weekday() + 1))


@dataclass(frozen=True)
class Slide:
    """One card in the board's rotation: what it is, when it was made, and which one."""

    kind: str  # "story" or "recognition"
    id: int
    made: datetime


def rotation(stories: Sequence[Slide], recognitions: Sequence[Slide], limit: int) -> list[Slide]:
    """Up to limit cards, newest first, alternating kinds while both last so neither crowds out the other."""
    queues = [sorted(stories, key=_age, reverse=True), sorted(recognitions, key=_age, reverse=True)]
    picked: list[Slide] = []
    while len(picked) < limit and any(queues):
        # Of the two next cards, the newer goes first; then the other kind gets its turn.
        order = sorted((q for q in queues if q), key=lambda q: _age(q[0]), reverse=True)
        for queue in order:
            if len(picked) < limit:
                picked.append(queue.pop(0))
    return picked


def _age(slide: Slide) -> tuple:
    return (slide.made, slide.kind, slide.id)
