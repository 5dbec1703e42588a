"""When pushes are due (game.reminders): time zones, DST, days off, quiet hours, held events."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from game.days import DEFAULT_WORKDAYS, WorkWeek
from game.reminders import (
    EVENT_MAX_AGE,
    REMINDER_TIMES,
    WINDOW_END,
    WINDOW_START,
    daily_due,
    daily_expiry,
    event_send_at,
    in_window,
    streak_at_risk,
)
from game.streaks import Streak

# Zones with unusual rules: DST at midnight, half-hour shifts, southern summers, no DST at all.
ZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Santiago",
    "America/Havana",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Asia/Tehran",
)
workday_sets = st.frozensets(st.integers(0, 6), min_size=1)


def _minutes(start: datetime, end: datetime):
    instant = start
    while instant < end:
        yield instant
        instant += timedelta(minutes=1)


def _streak(current=5, freezes=0, checked_today=False) -> Streak:
    return Streak(current, current, freezes, (), True, checked_today)


def test_the_reminder_is_due_from_nine_in_the_persons_own_zone():
    berlin = datetime(2026, 11, 18, 7, 59, tzinfo=UTC)  # 08:59 in Berlin
    assert daily_due(berlin, "Europe/Berlin", time(9), DEFAULT_WORKDAYS) is None
    assert daily_due(berlin + timedelta(minutes=1), "Europe/Berlin", time(9), DEFAULT_WORKDAYS) == (
        date(2026, 11, 18)
    )
    # The same instant is 02:00 in Chicago: nothing yet.
    assert daily_due(berlin, "America/Chicago", time(9), DEFAULT_WORKDAYS) is None


def test_nothing_is_due_on_a_day_off():
    saturday_noon = datetime(2026, 11, 21, 12, tzinfo=UTC)
    assert daily_due(saturday_noon, "UTC", time(9), DEFAULT_WORKDAYS) is None


def test_nothing_is_due_after_eight_in_the_evening():
    assert daily_due(datetime(2026, 11, 18, 19, 59, tzinfo=UTC), "UTC", time(9), DEFAULT_WORKDAYS)
    assert (
        daily_due(datetime(2026, 11, 18, 20, 0, tzinfo=UTC), "UTC", time(9), DEFAULT_WORKDAYS)
        is None
    )


def test_a_change_of_work_days_counts_from_the_day_it_was_made():
    week = WorkWeek(frozenset({0, 1, 2, 3, 4}), ((date(2026, 11, 23), frozenset({5})),))
    saturday_before = datetime(2026, 11, 21, 10, tzinfo=UTC)
    assert daily_due(saturday_before, "UTC", time(9), week) == date(2026, 11, 21)


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    day=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    at=st.sampled_from(REMINDER_TIMES + (time(2, 30), time(0, 0))),
    workdays=workday_sets,
)
def test_every_local_day_has_its_reminder_due_exactly_from_its_time_and_only_in_the_window(
    zone, day, at, workdays
):
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC) - timedelta(hours=2)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    due = [(m, daily_due(m, zone, at, workdays)) for m in _minutes(start, end + timedelta(hours=2))]
    days = {d for _, d in due if d is not None}
    minutes_due = [m for m, d in due if d == day]
    if day.weekday() not in workdays:
        assert day not in days
        return
    assert minutes_due, "a work day never goes without its reminder, even across a DST change"
    first = minutes_due[0].astimezone(tz)
    assert first.time() >= max(at, WINDOW_START)
    # The minute before the first due one is still before the chosen time (or the window).
    before = (minutes_due[0] - timedelta(minutes=1)).astimezone(tz)
    assert before.date() != day or before.time() < max(at, WINDOW_START)
    for m in minutes_due:
        assert WINDOW_START <= m.astimezone(tz).time() < WINDOW_END
    assert all(m < daily_expiry(day, zone) for m in minutes_due)


def test_the_streak_is_at_risk_only_when_no_freeze_would_cover_a_miss():
    assert streak_at_risk(_streak(5), True)
    assert not streak_at_risk(_streak(5, freezes=1), True)
    assert not streak_at_risk(_streak(2), True)
    assert not streak_at_risk(_streak(5, checked_today=True), True)
    assert not streak_at_risk(_streak(5), False)


def test_an_event_inside_the_window_goes_at_once():
    created = datetime(2026, 11, 18, 10, tzinfo=UTC)  # Wednesday 11:00 in Berlin
    assert event_send_at(created, "Europe/Berlin", time(9), DEFAULT_WORKDAYS) == created


def test_an_event_on_friday_night_waits_for_monday_at_the_reminder_time():
    created = datetime(2026, 11, 20, 21, tzinfo=UTC)  # Friday 22:00 in Berlin
    send = event_send_at(created, "Europe/Berlin", time(9, 30), DEFAULT_WORKDAYS)
    assert send.astimezone(ZoneInfo("Europe/Berlin")) == datetime(
        2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Europe/Berlin")
    )


def test_an_early_morning_event_waits_for_the_same_days_reminder():
    created = datetime(2026, 11, 18, 5, tzinfo=UTC)  # Wednesday 06:00 in Berlin
    send = event_send_at(created, "Europe/Berlin", time(9), DEFAULT_WORKDAYS)
    assert send == datetime(2026, 11, 18, 8, tzinfo=UTC)


def test_an_event_that_would_wait_more_than_three_days_is_dropped():
    # Works Mondays only; Tuesday evening is six days from the next Monday.
    created = datetime(2026, 11, 17, 21, tzinfo=UTC)
    assert event_send_at(created, "UTC", time(9), frozenset({0})) is None


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    created=st.datetimes(datetime(2024, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC)),
    at=st.sampled_from(REMINDER_TIMES),
    workdays=workday_sets,
)
def test_a_held_event_goes_out_inside_the_window_within_three_days(zone, created, at, workdays):
    send = event_send_at(created, zone, at, workdays)
    local = created.astimezone(ZoneInfo(zone))
    if in_window(local, workdays):
        assert send == created
        return
    if send is None:
        return
    assert created < send <= created + EVENT_MAX_AGE
    sent_local = send.astimezone(ZoneInfo(zone))
    assert in_window(sent_local, workdays)
    # It waits for the reminder time, no longer: an hour earlier is outside the window or too soon.
    assert sent_local.time() >= at or sent_local.time() == WINDOW_START
