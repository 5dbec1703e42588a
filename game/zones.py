"""Time zones as a person lives them: which names make the same days, a name for each, the list."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

# Offsets change on the hour or half hour (UTC) in every zone tzdata knows, so half-hour
# steps see every difference between two zones that lasts at all.
STEP = timedelta(minutes=30)
AHEAD = timedelta(days=366)


def same_days(a: str, b: str, today: date) -> bool:
    """Whether zones a and b agree on the local time at every moment of the year from today.

    Day boundaries are all a time zone decides here, so two names are the same zone for a
    person when their offsets never differ: a tzdata alias (Asia/Calcutta for Asia/Kolkata,
    US/Eastern for America/New_York) always, and two cities on one clock (Paris, Berlin).
    Comparing names through the alias table alone would still offer Paris to a Berliner,
    a switch that changes none of their days.
    """
    if a == b:
        return True
    first, second = sorted((a, b))
    return _same_offsets(first, second, today)


@functools.lru_cache(maxsize=256)
def _same_offsets(a: str, b: str, today: date) -> bool:
    za, zb = ZoneInfo(a), ZoneInfo(b)
    moment = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=1)
    end = moment + AHEAD
    while moment < end:
        if moment.astimezone(za).utcoffset() != moment.astimezone(zb).utcoffset():
            return False
        moment += STEP
    return True


def city(zone: str) -> str:
    """What to call a zone in a sentence: "Berlin" for Europe/Berlin, "UTC" for UTC."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def label(zone: str) -> str:
    """A zone as a list shows it under its region: "Indiana / Knox" for America/Indiana/Knox."""
    return " / ".join(zone.split("/")[1:]).replace("_", " ") or zone


@functools.cache
def canonical() -> tuple[str, ...]:
    """Every zone tzdata's zone.tab names for a country, sorted: no old aliases such as Asia/Calcutta."""
    tab = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in tab.splitlines() if line and not line.startswith("#"))
    return tuple(sorted({row[2] for row in rows}))


@functools.cache
def by_region() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The canonical zones grouped by region (Africa, America...), each group in label order."""
    groups: dict[str, list[str]] = {}
    for zone in canonical():
        groups.setdefault(zone.split("/")[0], []).append(zone)
    return tuple(
        (region, tuple(sorted(zones, key=label))) for region, zones in sorted(groups.items())
    )


@functools.cache
def aliases() -> dict[str, str]:
    """Each other zone name tzdata knows, mapped to the canonical zone it is a copy of (Asia/Calcutta: Asia/Kolkata).

    The tzdata package stores an alias as a byte-for-byte copy of its zone's file, which is what
    tells them apart from a zone that merely shares today's offsets.
    """
    folder = resources.files("tzdata.zoneinfo")
    owner: dict[bytes, str] = {}
    for zone in canonical():
        owner.setdefault(folder.joinpath(*zone.split("/")).read_bytes(), zone)
    found = {}
    known = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    for zone in set(known) - set(canonical()):
        data = folder.joinpath(*zone.split("/")).read_bytes()
        if data in owner:
            found[zone] = owner[data]
    return found
