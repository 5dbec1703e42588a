"""Time zones as a person lives them: whether two zone names make the same days, and a city to call one."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
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
