"""The leaders' leading indicators (campaign Part 4): pure functions over one week's counted rows.

The database counts (models.week_counts, aggregate SQL grouped by team and week); this module
turns those counts into the figures a dashboard shows, and decides what may be shown at all:
a figure that fewer than three people make up is shown as "fewer than 3", never its value.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta

from game.days import Workdays, is_workday

FEWER = "fewer than 3"
MIN_PEOPLE = 3
WEEKS = 12
ORGANISATION = 0  # the team id under which the whole organisation's figures are kept
# A week is closed (its figures stored for good) once it is over everywhere on Earth (UTC-12)
# and the check-in a phone kept offline may still arrive for "yesterday".
CLOSE_AFTER = timedelta(days=1, hours=12)

# Quote marks people type around or inside the phrase ("One True Customer", «One True Customer»).
QUOTES = "\"'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2039\u203a\u00ab\u00bb\u300c\u300d\u300e\u300f\uff02\uff07"
_QUOTES = str.maketrans("", "", QUOTES)
_PHRASE = re.compile(r"\bone\s+true\s+customer\b", re.IGNORECASE)


@dataclass(frozen=True)
class WeekCounts:
    """What one team (or the organisation, team_id 0) did in the week starting on `week`.

    Each count comes with the number of different people it is made of (the *_people fields),
    which decides whether it may be shown.
    """

    week: date
    team_id: int = ORGANISATION
    members: int = 0  # members with at least one work day in the week so far
    workdays: int = 0  # their work days in the week so far
    checked: int = 0  # of those work days, the ones with a check-in
    stories: int = 0
    story_people: int = 0
    recognitions: int = 0
    recognition_people: int = 0
    challenges_started: int = 0
    started_people: int = 0
    challenges_completed: int = 0
    completed_people: int = 0
    commitments_reviewed: int = 0  # one per person and week, so also the people
    commitments_kept: int = 0
    pledges: int = 0  # one per person
    words: int = 0  # stories and recognitions read for the Ultimate Test
    words_people: int = 0
    phrase: int = 0  # of those, the ones whose own words say "One True Customer"
    streaking: int | None = (
        None  # members whose streak was going at the week's end (None: not kept)
    )

    def __add__(self, other: WeekCounts) -> WeekCounts:
        """The counts of two disjoint groups of people in the same week, together."""
        if other.week != self.week:
            raise ValueError("only the same week's counts add up")
        added = {}
        for field in fields(self):
            if field.name in ("week", "team_id"):
                continue
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            added[field.name] = None if mine is None or theirs is None else mine + theirs
        return replace(self, **added)


COUNTED = tuple(f.name for f in fields(WeekCounts) if f.name not in ("week", "team_id"))


@dataclass(frozen=True)
class Figure:
    """One indicator of one week, as shown: its value, or why there is none."""

    key: str
    label: str
    value: float | int | None  # None when hidden or there is nothing to measure
    shown: str  # "12", "64%", "fewer than 3" or "—"
    hidden: bool = False  # fewer than three people make it up
    unit: str = "count"  # "count" or "share" (0..1)
    note: str = ""  # why there is no figure, said to a screen reader and in a CSV's note column


# How check-in participation is computed, said in the same words on the dashboard and the board.
PARTICIPATION_HOW = (
    "The share of members' work days this week that had a Daily Filter check-in "
    "(each member's own work days from the day they joined, up to today for the current week); "
    f"with fewer than {MIN_PEOPLE} members it shows as \u201c{FEWER}\u201d."
)


@dataclass(frozen=True)
class Indicator:
    """What an indicator is called, how it is computed (a sentence), and how to read it off counts."""

    key: str
    label: str
    how: str
    unit: str


INDICATORS = (
    Indicator("participation", "Check-in participation", PARTICIPATION_HOW, "share"),
    Indicator(
        "stories",
        "Stories collected",
        "Stories published about members this week (the team of the member a story is about), not counting hidden ones.",
        "count",
    ),
    Indicator(
        "recognitions",
        "Recognitions given",
        "Peer recognitions given to members this week (the receiver's team, the giver's week).",
        "count",
    ),
    Indicator(
        "challenges_started",
        "30-day challenges started",
        "Challenges whose first day falls in this week, by the members themselves or their lead.",
        "count",
    ),
    Indicator(
        "challenges_completed",
        "30-day challenges completed",
        "Challenges members completed (wrote their reflection) this week.",
        "count",
    ),
    Indicator(
        "commitments_kept",
        "Commitments kept",
        "Of this week's commitments members reviewed, the share they say they kept "
        "(self-reported behaviour change).",
        "share",
    ),
    Indicator(
        "pledges",
        "Pledges signed",
        "Members who signed the One True Customer pledge this week.",
        "count",
    ),
    Indicator(
        "ultimate_test",
        "The Ultimate Test",
        "The share of this week's stories and recognitions whose own words say \"One True "
        "Customer\" (any case, spacing or quote marks); the form's prompts and weekly "
        "announcements do not count.",
        "share",
    ),
    Indicator(
        "streaking",
        "On a streak",
        "Members with a check-in this week whose check-in streak was still going after "
        "their last check-in of the week.",
        "count",
    ),
)
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


def week_start(d: date) -> date:
    """The Monday of the week that holds d."""
    return d - timedelta(days=d.weekday())


def last_weeks(today: date, n: int = WEEKS) -> list[date]:
    """The Mondays of the n weeks up to and including today's, oldest first."""
    monday = week_start(today)
    return [monday - timedelta(weeks=back) for back in range(n - 1, -1, -1)]


def closed(week: date, now: datetime) -> bool:
    """Whether the week starting on `week` is over everywhere (now: naive UTC), so it can be stored."""
    end = datetime.combine(week + timedelta(days=7), datetime.min.time())
    return now >= end + CLOSE_AFTER


def weeks_to_close(now: datetime, stored: Iterable[date], n: int = WEEKS) -> list[date]:
    """The closed weeks among the last n whose figures are not stored yet, oldest first."""
    have = set(stored)
    candidates = last_weeks(now.date(), n + 1)
    return [week for week in candidates if closed(week, now) and week not in have]


def normal_words(text: str) -> str:
    """Text with compatibility forms folded (ＯＮＥ → ONE) and quote marks taken out."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


@functools.lru_cache(maxsize=16)
def _passages(prefilled: tuple[str, ...]) -> re.Pattern | None:
    """One pattern matching any of the pre-filled passages, with any spacing between its words."""
    alternatives = [
        r"\s+".join(re.escape(word) for word in passage.split())
        for passage in prefilled
        if passage.split()
    ]
    if not alternatives:
        return None
    return re.compile("|".join(alternatives), re.IGNORECASE)


def own_words(text: str, prefilled: Iterable[str] = ()) -> str:
    """The person's own words in text: every passage the app pre-filled is taken out.

    Passages are matched with any spacing, so a prompt that was re-wrapped still goes.
    """
    pattern = _passages(tuple(prefilled))
    return text if pattern is None else pattern.sub(" ", text)


def says_the_phrase(text: str, prefilled: Iterable[str] = ()) -> bool:
    """Whether the person's own words in text use "One True Customer" (any case, spacing, quotes)."""
    return _PHRASE.search(normal_words(own_words(text, prefilled))) is not None


def any_says_the_phrase(texts: Iterable[str], prefilled: Iterable[str] = ()) -> bool:
    """Whether any of an item's texts (each field on its own) says the phrase."""
    passages = tuple(prefilled)
    return any(says_the_phrase(text or "", passages) for text in texts)


def share(part: int, whole: int) -> float | None:
    """part of whole as a number from 0 to 1; None when there is no whole."""
    if whole <= 0:
        return None
    return min(1.0, max(0.0, part / whole))


def percent(value: float) -> str:
    """A share as a whole percentage ("64%")."""
    return f"{round(value * 100)}%"


def _figure(indicator: Indicator, value, people: int) -> Figure:
    if value is None:
        return Figure(indicator.key, indicator.label, None, "—", unit=indicator.unit)
    few = people < MIN_PEOPLE if indicator.unit == "share" else 0 < people < MIN_PEOPLE
    if few:
        return Figure(indicator.key, indicator.label, None, FEWER, True, indicator.unit)
    shown = percent(value) if indicator.unit == "share" else str(value)
    return Figure(indicator.key, indicator.label, value, shown, unit=indicator.unit)


def participation(members: int, workdays: int, checked: int) -> Figure:
    """Check-in participation: of members' work days so far, the share with a check-in.

    The one definition the dashboard and the team board both show: hidden ("fewer than 3")
    when fewer than three members had a work day, "—" when nobody had one.
    """
    return _figure(BY_KEY["participation"], share(checked, workdays), members)


def participation_counts(
    members: Iterable[tuple[int, Workdays, date | None, int]],
    check_ins: Iterable[tuple[int, Workdays, date | None, date, int]],
    days: Iterable[date],
) -> dict[tuple[int, date], tuple[int, int, int]]:
    """Per (team, week): members with a work day among `days`, their work days, and the checked ones.

    The database hands people over grouped, never one by one: `members` as (team, work week,
    first day, how many members share them), `check_ins` as (team, work week, first day, day,
    how many). A member's days count from their first day (the day they joined; None: before
    any of `days`), each on the work days in force that day (a change applies from its day on);
    a check-in on a day off, before the first day or outside `days` counts nowhere.
    """
    counted = set(days)
    by_week: dict[date, list[date]] = {}
    for day in sorted(counted):
        by_week.setdefault(week_start(day), []).append(day)

    def due(day: date, work: Workdays, since: date | None) -> bool:
        return (since is None or day >= since) and is_workday(day, work)

    found: dict[tuple[int, date], tuple[int, int, int]] = {}
    for team, work, since, n in members:
        for week, week_days in by_week.items():
            owed = sum(1 for day in week_days if due(day, work, since))
            if owed:
                had, workdays, checked = found.get((team, week), (0, 0, 0))
                found[(team, week)] = (had + n, workdays + owed * n, checked)
    for team, work, since, day, n in check_ins:
        if day in counted and due(day, work, since):
            had, workdays, checked = found.get((team, week_start(day)), (0, 0, 0))
            found[(team, week_start(day))] = (had, workdays, checked + n)
    return found


def figures(counts: WeekCounts) -> dict[str, Figure]:
    """Every indicator of one week's counts, each shown or hidden by the fewer-than-3 rule.

    A count no one made (0) is shown; a count one or two people made is hidden. A share is
    hidden when fewer than three people make up its whole (the members, the reviewers, the
    writers), and is "—" when there is nothing to measure.
    """
    c = counts
    made_of = {
        "stories": (c.stories, c.story_people),
        "recognitions": (c.recognitions, c.recognition_people),
        "challenges_started": (c.challenges_started, c.started_people),
        "challenges_completed": (c.challenges_completed, c.completed_people),
        "commitments_kept": (
            share(c.commitments_kept, c.commitments_reviewed),
            c.commitments_reviewed,
        ),
        "pledges": (c.pledges, c.pledges),
        "ultimate_test": (share(c.phrase, c.words), c.words_people),
        "streaking": (c.streaking, c.streaking or 0),
    }
    shown = {key: _figure(BY_KEY[key], value, people) for key, (value, people) in made_of.items()}
    return {"participation": participation(c.members, c.workdays, c.checked), **shown}


# A week that ended before its team was made has nothing to measure, not a zero.
NOT_YET = "no data: the team did not exist yet"
NO_TEAM_YET = "no data: no team existed yet"  # the organisation's weeks before its first team


def existed(created: date, week: date) -> bool:
    """Whether a team made on created existed in the week starting week (on any of its days)."""
    return created <= week + timedelta(days=6)


def team_figures(
    counts: WeekCounts, created: date | None, note: str = NOT_YET
) -> dict[str, Figure]:
    """A team's figures of a week: "—" for every indicator (with note) in a week before it was made."""
    if created is None or existed(created, counts.week):
        return figures(counts)
    return {i.key: Figure(i.key, i.label, None, "—", unit=i.unit, note=note) for i in INDICATORS}


def organisation(week: date, rows: Iterable[WeekCounts]) -> WeekCounts:
    """The whole organisation's counts of a week: the sum of every team's (and no team's)."""
    total = WeekCounts(week=week, team_id=ORGANISATION, streaking=0)
    for row in rows:
        if row.week == week:
            total = total + replace(row, team_id=ORGANISATION)
    return total


def trend(values: Sequence[float | int | None]) -> str:
    """Whether a figure goes up, down or holds: the latest four known weeks against the four before.

    Hidden and unknown weeks are left out; "—" when there are not two weeks to compare.
    """
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return "—"
    recent = known[-4:]
    earlier = known[-8:-4] or known[:1]
    now, before = sum(recent) / len(recent), sum(earlier) / len(earlier)
    scale = max(abs(before), abs(now), 1e-9)
    if abs(now - before) / scale < 0.05:
        return "steady"
    return "up" if now > before else "down"


def spreadsheet_safe(cell: object) -> str:
    """A CSV cell that a spreadsheet shows as text: one beginning =, +, -, @ (or tab, CR) gets a '.

    Numbers the app wrote are kept as they are, so a negative figure stays a number.
    """
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, int | float):
        return str(cell)
    if isinstance(cell, date):
        return cell.isoformat()
    text = str(cell)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
