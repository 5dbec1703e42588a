"""When the weekly digest is due (game.digest): the last work day of the week, at the person's time, in their zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.days import WorkWeek
from game.digest import digest_due, digest_expiry
from game.reminders import REMINDER_TIMES
from game.weeks import last_workday

ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
)
workday_sets = st.frozensets(st.integers(0, 6), min_size=1)
mondays = st.dates(date(2024, 1, 1), date(2030, 12, 31)).map(lambda d: d - timedelta(d.weekday()))


def test_a_monday_to_friday_week_is_due_on_friday_at_nine_in_berlin():
    week = frozenset(range(5))
    friday_nine = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert digest_due(friday_nine, "Europe/Berlin", time(9, 0), week) == date(2026, 11, 16)
    assert digest_due(friday_nine - timedelta(minutes=1), "Europe/Berlin", time(9), week) is None
    assert digest_due(friday_nine - timedelta(days=1), "Europe/Berlin", time(9), week) is None


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError):
        digest_due(datetime(2026, 11, 20, 9, 0), "UTC", time(9), frozenset(range(5)))


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    workdays=workday_sets,
    monday=mondays,
    at=st.sampled_from(REMINDER_TIMES),
)
def test_the_digest_is_due_on_exactly_one_day_of_the_week_from_the_persons_time(
    zone, workdays, monday, at
):
    tz = ZoneInfo(zone)
    start = datetime.combine(monday, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz).astimezone(UTC)
    due_days = set()
    instant = start
    while instant < end:
        week = digest_due(instant, zone, at, workdays)
        if week is not None:
            local = instant.astimezone(tz)
            assert week == monday
            assert local.time() >= at
            due_days.add(local.date())
        instant += timedelta(minutes=15)
    assert due_days == {last_workday(monday, workdays)}
    assert digest_expiry(monday, zone) == end.astimezone(tz)


@settings(max_examples=40, deadline=None)
@given(zone=st.sampled_from(ZONES), monday=mondays)
def test_a_change_of_work_days_counts_from_the_day_it_was_made(zone, monday):
    # Until Wednesday the week was Monday to Friday; from Wednesday on it is Monday to Thursday.
    week = WorkWeek(frozenset(range(4)), ((monday + timedelta(days=2), frozenset(range(5))),))
    thursday = datetime.combine(monday + timedelta(days=3), time(9), tzinfo=ZoneInfo(zone))
    friday = thursday + timedelta(days=1)
    assert digest_due(thursday.astimezone(UTC), zone, time(9), week) == monday
    assert digest_due(friday.astimezone(UTC), zone, time(9), week) is None
