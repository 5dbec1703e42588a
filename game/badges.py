"""Badges as data: each is an id, a name, its criteria in words, an icon and a rule over a person's facts.

A rule is a goal on one count of a person's facts ("at least 5 stories told"). Counts only grow with
what a person does, so a rule, once true, stays true for more of the same; and since a badge earned is
never taken back, what a person holds is the union of what every snapshot of their facts earned,
whatever the order or repetition in which those snapshots are looked at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Facts:
    """What a person has done, as counts: the snapshot every badge rule reads."""

    check_ins: int = 0
    longest_streak: int = 0
    challenges_completed: int = 0
    stories_told: int = 0
    stories_featured: int = 0
    recognitions_given: int = 0  # distinct (colleague, week) pairs
    recognised_by: int = 0  # distinct colleagues
    recognised_for_colleague: int = 0
    pledged: int = 0
    commitments_kept: int = 0

    def at_least(self, other: Facts) -> bool:
        """Whether every count here is at least the same count in other."""
        return all(getattr(self, f.name) >= getattr(other, f.name) for f in fields(self))


def given_count(pairs: Iterable[tuple[int, date]]) -> int:
    """Recognitions given, counted as distinct (colleague, week) pairs: twice in a week counts once."""
    return len(set(pairs))


def recognised_by_count(givers: Iterable[int]) -> int:
    """How many different colleagues recognised a person."""
    return len(set(givers))


def facts_of(
    *,
    check_ins: int,
    longest_streak: int,
    given: Iterable[tuple[int, date]],
    received: Iterable[tuple[int, str]],
    challenges_completed: int = 0,
    stories_told: int = 0,
    stories_featured: int = 0,
    pledged: int = 0,
    commitments_kept: int = 0,
) -> Facts:
    """The facts snapshot from counts, the (colleague, week) pairs given and the (giver, kind) received."""
    received = list(received)
    return Facts(
        check_ins=check_ins,
        longest_streak=longest_streak,
        challenges_completed=challenges_completed,
        stories_told=stories_told,
        stories_featured=stories_featured,
        recognitions_given=given_count(given),
        recognised_by=recognised_by_count(giver for giver, _ in received),
        recognised_for_colleague=sum(1 for _, kind in received if kind == "colleague"),
        pledged=min(pledged, 1),
        commitments_kept=commitments_kept,
    )


@dataclass(frozen=True)
class Progress:
    """How far a person is toward a badge: "3 of 5 stories"."""

    have: int
    goal: int
    text: str

    @property
    def percent(self) -> int:
        return round(100 * self.have / self.goal)


@dataclass(frozen=True)
class BadgeRule:
    """One badge: earned when the fact named reaches the goal."""

    id: str
    name: str
    criteria: str
    icon: str
    fact: str
    goal: int
    unit: tuple[str, str]  # singular, plural
    cheer: str  # the celebration's words when it is earned

    def measure(self, facts: Facts) -> int:
        return getattr(facts, self.fact)

    def holds(self, facts: Facts) -> bool:
        """The rule: whether facts meet this badge's criteria."""
        return self.measure(facts) >= self.goal

    def progress(self, facts: Facts) -> Progress:
        have = min(self.measure(facts), self.goal)
        unit = self.unit[0] if self.goal == 1 else self.unit[1]
        return Progress(have=have, goal=self.goal, text=f"{have} of {self.goal} {unit}")


BADGES: tuple[BadgeRule, ...] = (
    BadgeRule(
        "first-check-in",
        "First check-in",
        "Check in with the Daily Filter once.",
        "🌱",
        "check_ins",
        1,
        ("check-in", "check-ins"),
        "Your first check-in. One question, asked on purpose: that's how it starts.",
    ),
    BadgeRule(
        "streak-10",
        "Ten-day streak",
        "Check in on 10 work days in a row (a freeze keeps a run going).",
        "🔥",
        "longest_streak",
        10,
        ("work day in a row", "work days in a row"),
        "Ten work days of showing up. One True Customer. Every time.",
    ),
    BadgeRule(
        "streak-30",
        "Thirty-day streak",
        "Check in on 30 work days in a row.",
        "☀️",
        "longest_streak",
        30,
        ("work day in a row", "work days in a row"),
        "Thirty work days in a row. This is how you work now.",
    ),
    BadgeRule(
        "streak-100",
        "Hundred-day streak",
        "Check in on 100 work days in a row.",
        "💯",
        "longest_streak",
        100,
        ("work day in a row", "work days in a row"),
        "A hundred work days of presence. Your customers have noticed, even if they can't say why.",
    ),
    BadgeRule(
        "challenge",
        "30-day challenge",
        "Complete the 30-day challenge and write its closing reflection.",
        "🏁",
        "challenges_completed",
        1,
        ("challenge completed", "challenges completed"),
        "Thirty days of asking the question. What changed? You noticed.",
    ),
    BadgeRule(
        "first-story",
        "First story",
        "Tell a One True Customer story, about you or a colleague.",
        "✍️",
        "stories_told",
        1,
        ("story told", "stories told"),
        "Your first story is in the library. Stories are how this idea spreads.",
    ),
    BadgeRule(
        "five-stories",
        "Storyteller",
        "Tell five One True Customer stories.",
        "📚",
        "stories_told",
        5,
        ("story told", "stories told"),
        "Five stories told. You're building the legends people will retell.",
    ),
    BadgeRule(
        "story-featured",
        "Story of the week",
        "Tell a story, or be in one, that a lead makes the team's story of the week.",
        "⭐",
        "stories_featured",
        1,
        ("story of the week", "stories of the week"),
        "A story of the week. That's One True Customer in action.",
    ),
    BadgeRule(
        "first-recognition",
        "First thanks",
        "Recognise a colleague for a One True Customer moment.",
        "🙌",
        "recognitions_given",
        1,
        ("recognition given", "recognitions given"),
        "You noticed someone doing it right and said so. Simple and frequent: that's the spirit.",
    ),
    BadgeRule(
        "ten-recognitions",
        "Generous eye",
        "Recognise colleagues ten times (the same colleague counts once a week).",
        "👀",
        "recognitions_given",
        10,
        ("recognition given", "recognitions given"),
        "Ten times you saw a colleague at their best and told them. Thank you.",
    ),
    BadgeRule(
        "recognised-by-three",
        "Recognised by three",
        "Be recognised by three different colleagues.",
        "🌟",
        "recognised_by",
        3,
        ("colleague", "different colleagues"),
        "Three different colleagues have recognised you. People feel like your only customer.",
    ),
    BadgeRule(
        "internal-customer",
        "Internal customer",
        "Be recognised for treating a colleague as your one true customer.",
        "🤝",
        "recognised_for_colleague",
        1,
        ("recognition for a colleague", "recognitions for a colleague"),
        "A colleague felt like your only customer. Internal customers count just as much.",
    ),
    BadgeRule(
        "pledge",
        "Pledge signed",
        "Sign the One True Customer pledge.",
        "🖋️",
        "pledged",
        1,
        ("pledge signed", "pledges signed"),
        "You signed the pledge. One True Customer. Every time.",
    ),
    BadgeRule(
        "four-kept",
        "Promise keeper",
        "Keep four weekly commitments.",
        "✅",
        "commitments_kept",
        4,
        ("commitment kept", "commitments kept"),
        "Four weekly commitments kept. Specific promises, then keeping them: that's the behaviour.",
    ),
)
BY_ID = {badge.id: badge for badge in BADGES}


def earned(facts: Facts) -> frozenset[str]:
    """The ids of every badge whose criteria these facts meet."""
    return frozenset(badge.id for badge in BADGES if badge.holds(facts))


def to_award(facts: Facts, held: Iterable[str]) -> tuple[BadgeRule, ...]:
    """The badges these facts earn that the person doesn't hold yet, in the list's order."""
    held = set(held)
    return tuple(badge for badge in BADGES if badge.id not in held and badge.holds(facts))


def held_after(snapshots: Iterable[Facts], held: Iterable[str] = ()) -> frozenset[str]:
    """What a person holds after awarding on each snapshot in turn (nothing is ever taken back)."""
    holding = set(held)
    for facts in snapshots:
        holding.update(badge.id for badge in to_award(facts, holding))
    return frozenset(holding)


def first_earned(snapshots: Iterable[tuple[T, Facts]]) -> dict[str, T]:
    """When each badge was first earned, from (moment, facts) snapshots in time order."""
    earned_at: dict[str, T] = {}
    for at, facts in snapshots:
        earned_at.update((badge.id, at) for badge in to_award(facts, earned_at))
    return earned_at
