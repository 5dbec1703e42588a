"""Moments worth a short celebration: a badge, the finished challenge, a streak milestone, a freeze."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from game.badges import BADGES, BadgeRule
from game.streaks import Streak

STREAK_MILESTONES = frozenset({5, 10, 20, 30, 50, 75, 100, 150, 200, 250, 300, 365, 500, 1000})


@dataclass(frozen=True)
class Moment:
    """One celebration: what happened, in warm words, with an icon (and a badge's id)."""

    kind: str  # "badge", "challenge", "streak", "freeze"
    icon: str
    title: str
    text: str
    badge: str = ""

    def as_event(self) -> dict:
        return asdict(self)


def for_badge(badge: BadgeRule) -> Moment:
    return Moment("badge", badge.icon, f"Badge earned: {badge.name}", badge.cheer, badge.id)


def for_challenge(done: int) -> Moment:
    """The 30-day challenge finished, with how many days were checked in."""
    days = f"{done} day{'' if done == 1 else 's'}"
    return Moment(
        "challenge",
        "🏁",
        "30 days of One True Customer",
        f"{days} of asking the question before it mattered. What changed is yours to keep.",
    )


def for_check_in(before: Streak, after: Streak) -> list[Moment]:
    """What a check-in that turned the streak `before` into `after` is worth celebrating."""
    moments = []
    if after.current > before.current and after.current in STREAK_MILESTONES:
        moments.append(
            Moment(
                "streak",
                "🔥",
                f"{after.current} work days in a row",
                f"{after.current} work days of showing up. One True Customer. Every time.",
            )
        )
    if after.freezes > before.freezes:
        moments.append(
            Moment(
                "freeze",
                "❄️",
                "You earned a freeze",
                "Seven work days kept. If a busy day gets in the way, this freeze covers it.",
            )
        )
    return moments


def may_earn_badges(before: Streak, after: Streak, first: bool) -> bool:
    """Whether a check-in could earn a badge: the very first, or the longest run reached a streak goal."""
    goals = (badge.goal for badge in BADGES if badge.fact == "longest_streak")
    return first or any(before.longest < goal <= after.longest for goal in goals)
