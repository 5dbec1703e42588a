"""Lagging indicators (campaign Part 4): the monthly results an admin types in, checked and lined up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Kind:
    """One lagging indicator: its key, how it is named and what values it may take."""

    key: str
    name: str
    unit: str
    lowest: int
    highest: int | None
    whole: bool = False
    hint: str = ""


KINDS = (
    Kind("nps", "Net Promoter Score", "", -100, 100, hint="−100 to 100"),
    Kind("csat", "Customer satisfaction", "%", 0, 100, hint="0 to 100 %"),
    Kind("referral", "Referral rate", "%", 0, 100, hint="0 to 100 %"),
    Kind(
        "complaints",
        "Complaints about communication",
        "",
        0,
        None,
        whole=True,
        hint="a count, 0 or more",
    ),
    Kind("engagement", "Employee engagement", "", 0, 100, hint="a score from 0 to 100"),
)
BY_KEY = {kind.key: kind for kind in KINDS}
# The largest count of complaints a month can hold (a typo of many digits is refused, not stored).
MOST_COMPLAINTS = 1_000_000
# Digits, an optional sign and up to two decimals; a decimal comma is read as a point.
_NUMBER = re.compile(r"[+\-−]?[0-9]{1,7}(?:[.,][0-9]{1,2})?")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_value(kind: Kind, typed: str) -> tuple[float | None, str | None]:
    """The value typed for kind, or None with a message saying what is wanted ("" is no value)."""
    text = typed.strip().replace(" ", "")
    if not text:
        return None, None
    if not _NUMBER.fullmatch(text):
        return None, f"{kind.name} is a number ({kind.hint}); “{typed.strip()}” isn't one."
    value = float(text.replace("−", "-").replace(",", "."))
    if kind.whole and value != int(value):
        return None, f"{kind.name} is a whole count, like 3."
    highest = MOST_COMPLAINTS if kind.highest is None else kind.highest
    if not kind.lowest <= value <= highest:
        return None, f"{kind.name} is {kind.hint}; {text} is outside that."
    return (int(value) if kind.whole else round(value, 2)), None


def parse_month(typed: str, today: date) -> tuple[date | None, str | None]:
    """The first day of the month typed as YYYY-MM, or None with a message (a future month is refused)."""
    match = _MONTH.fullmatch(typed.strip())
    if not match:
        return None, "Pick a month, like 2026-11."
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and year >= 2000):
        return None, "Pick a month, like 2026-11."
    first = date(year, month, 1)
    if first > today.replace(day=1):
        return None, "That month hasn't started yet: enter figures once it has."
    return first, None


def month_start(day: date) -> date:
    """The first day of day's month."""
    return day.replace(day=1)


def week_month(monday: date) -> date:
    """The first day of the month that holds most of the week starting monday: its Thursday's."""
    return month_start(monday + timedelta(days=3))


def add_months(month: date, count: int) -> date:
    """The first day of the month count months after month's (before it when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months(first: date, last: date) -> list[date]:
    """The first days of every month from first's to last's, inclusive, in order."""
    start, end = month_start(first), month_start(last)
    out = []
    while start <= end:
        out.append(start)
        start = add_months(start, 1)
    return out


def series(
    rows: list[tuple[date, str, float]], first: date, last: date
) -> dict[str, list[tuple[date, float | None]]]:
    """Each kind's (month, value) for every month from first to last; None where nothing was entered.

    rows are (month, kind, value) of one team or of the organisation; months outside the range
    and kinds that aren't known are left out.
    """
    wanted = months(first, last)
    values = {(month_start(month), kind): value for month, kind, value in rows}
    return {kind.key: [(m, values.get((m, kind.key))) for m in wanted] for kind in KINDS}


def show(kind: Kind, value: float | None) -> str:
    """A value as the tables show it: 42, 87.5 %, or — for none."""
    if value is None:
        return "—"
    number = f"{value:g}" if not kind.whole else f"{int(value):,}"
    return f"{number} {kind.unit}".strip() if kind.unit else number
