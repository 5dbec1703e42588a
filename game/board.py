"""The team board's verdicts: the week's participation as one friendly figure, and the card rotation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from game import indicators
from game.days import week_start

# Fewer people than this make a figure that reveals one person's behaviour: it is not shown.
SMALL_GROUP = indicators.MIN_PEOPLE
# How the figure is computed: the dashboard's words for its check-in participation.
HOW = indicators.PARTICIPATION_HOW


@dataclass(frozen=True)
class Participation:
    """This week's check-in participation of a team, as the board says it (the dashboard's figure)."""

    members: int  # members with a work day so far this week
    workdays: int  # their work days so far this week
    checked: int  # of those work days, the ones with a check-in
    figure: str  # the big figure: "78%", "fewer than 3", or "—" before anyone's first work day

    @property
    def shown(self) -> bool:
        return self.figure.endswith("%")

    @property
    def words(self) -> str:
        """The line under the figure, warm and never about one person."""
        if self.members == 0:
            return "No work day has come yet this week."
        if not self.shown:
            return "of us have had a work day so far this week: too few to share a figure."
        if self.checked == 0:
            return (
                f"of our {self.workdays} work days so far this week had a check-in."
                " The first could be yours."
            )
        return (
            f"of our work days so far this week had a check-in: {self.checked} of {self.workdays}."
        )


def participation(members: int, workdays: int, checked: int) -> Participation:
    """The board's figure for these counts: the dashboard's check-in participation, one function."""
    figure = indicators.participation(members, workdays, checked)
    return Participation(members, workdays, checked, figure.shown)


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
