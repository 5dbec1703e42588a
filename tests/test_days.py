from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.days import (
    CLOCK_SKEW,
    DEFAULT_WORKDAYS,
    format_workdays,
    is_workday,
    local_date,
    local_today,
    parse_workdays,
    queued_day,
    week_start,
)
from game.streaks import streak

# Zones with odd offsets, half-hour DST and both date-line edges; none skips a whole day after 2000.
ZONES = [
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Santiago",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_utc_instant_is_dated_in_the_persons_zone():
    instant = utc(2024, 6, 15, 20, 0)
    assert local_date(instant, "America/Los_Angeles") == date(2024, 6, 15)
    assert local_date(instant, "Pacific/Auckland") == date(2024, 6, 16)


def test_an_instant_in_another_offset_is_converted_not_read_as_wall_time():
    tokyo = datetime(2024, 6, 16, 1, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert local_date(tokyo, "Europe/Berlin") == date(2024, 6, 15)


def test_an_unknown_time_zone_is_a_value_error():
    with pytest.raises(ValueError):
        local_date(utc(2024, 6, 15, 12), "Mars/Olympus_Mons")
    with pytest.raises(ValueError):
        local_date(utc(2024, 6, 15, 12), "")
    with pytest.raises(ValueError):
        local_date(utc(2024, 6, 15, 12), "../etc/passwd")


def test_a_naive_instant_is_a_value_error():
    with pytest.raises(ValueError):
        local_date(datetime(2024, 6, 15, 12), "UTC")


def test_the_berlin_spring_forward_day_has_23_hours_all_on_that_date():
    midnight = utc(2024, 3, 30, 23, 0)  # 00:00 CET on 31 March
    hours = [midnight + timedelta(hours=h) for h in range(23)]
    assert {local_date(h, "Europe/Berlin") for h in hours} == {date(2024, 3, 31)}
    assert local_date(midnight - timedelta(seconds=1), "Europe/Berlin") == date(2024, 3, 30)
    assert local_date(midnight + timedelta(hours=23), "Europe/Berlin") == date(2024, 4, 1)


def test_the_berlin_fall_back_day_has_25_hours_all_on_that_date():
    midnight = utc(2024, 10, 26, 22, 0)  # 00:00 CEST on 27 October
    hours = [midnight + timedelta(hours=h) for h in range(25)]
    assert {local_date(h, "Europe/Berlin") for h in hours} == {date(2024, 10, 27)}
    assert local_date(midnight - timedelta(seconds=1), "Europe/Berlin") == date(2024, 10, 26)
    assert local_date(midnight + timedelta(hours=25), "Europe/Berlin") == date(2024, 10, 28)


def test_the_repeated_hour_of_fall_back_stays_on_the_same_date():
    first, second = utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 1, 30)  # 02:30 CEST, 02:30 CET
    assert local_date(first, "Europe/Berlin") == local_date(second, "Europe/Berlin")


def test_week_start_is_the_monday():
    assert week_start(date(2024, 6, 3)) == date(2024, 6, 3)
    assert week_start(date(2024, 6, 9)) == date(2024, 6, 3)
    assert week_start(date(2024, 6, 10)) == date(2024, 6, 10)


def test_weekends_are_days_off_by_default():
    week = [date(2024, 6, 3) + timedelta(days=i) for i in range(7)]
    assert [is_workday(d, DEFAULT_WORKDAYS) for d in week] == [True] * 5 + [False] * 2


def test_a_person_can_work_sunday_to_thursday():
    workdays = parse_workdays("6,0,1,2,3")
    assert is_workday(date(2024, 6, 9), workdays)  # Sunday
    assert not is_workday(date(2024, 6, 7), workdays)  # Friday


def test_workdays_round_trip_through_storage():
    assert parse_workdays("0,1,2,3,4") == DEFAULT_WORKDAYS
    assert format_workdays(DEFAULT_WORKDAYS) == "0,1,2,3,4"
    assert format_workdays(frozenset({6, 0, 3})) == "0,3,6"
    assert parse_workdays(" 1, 3 ") == frozenset({1, 3})


@pytest.mark.parametrize("text", ["", " ", "7", "-1", "0,,1", "a", "0;1", "01", "+1", "١", "1.0"])
def test_invalid_workdays_are_rejected(text):
    with pytest.raises(ValueError):
        parse_workdays(text)


@given(st.sets(st.integers(0, 6), min_size=1).map(frozenset))
def test_any_nonempty_set_of_workdays_survives_storage(workdays):
    assert parse_workdays(format_workdays(workdays)) == workdays


@given(instants, st.sampled_from(ZONES))
def test_an_hour_later_is_the_same_date_or_the_next_one(instant, zone):
    step = local_date(instant + timedelta(hours=1), zone) - local_date(instant, zone)
    assert step in (timedelta(0), timedelta(days=1))


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.times(),
    st.sampled_from(ZONES),
)
def test_a_local_wall_time_is_dated_on_its_own_day(day, wall, zone):
    local = datetime.combine(day, wall, tzinfo=ZoneInfo(zone))
    assert local_date(local.astimezone(UTC), zone) == day


@settings(max_examples=100, deadline=None)
@given(
    st.dates(min_value=date(2001, 1, 1), max_value=date(2039, 1, 1)),
    st.lists(
        st.tuples(st.sampled_from(ZONES), st.integers(6, 22), st.integers(0, 59)),
        min_size=1,
        max_size=40,
    ),
)
def test_a_traveller_checking_in_daily_never_loses_or_invents_a_day(first, trips):
    # Each day the traveller checks in at some local hour wherever they are that day.
    planned = [first + timedelta(days=i) for i in range(len(trips))]
    instants = [
        datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)
        for day, (zone, hour, minute) in zip(planned, trips, strict=True)
    ]
    dated = [
        local_date(instant, zone) for instant, (zone, _, _) in zip(instants, trips, strict=True)
    ]
    assert dated == planned
    everyday = frozenset(range(7))
    assert streak(dated, everyday, planned[-1]).current == len(planned)


def test_a_work_week_history_survives_storage():
    from game.days import WorkWeek, format_past_workdays, parse_past_workdays

    week = WorkWeek(frozenset({0, 1})).changed(date(2026, 11, 2), frozenset({2}))
    week = week.changed(date(2026, 11, 9), frozenset({3, 4}))
    stored = format_past_workdays(week.past)
    assert stored == "2026-11-02=0,1;2026-11-09=2"
    assert parse_past_workdays(stored) == week.past
    assert parse_past_workdays("") == ()


def test_changing_work_days_twice_in_a_day_keeps_the_days_before_it():
    from game.days import WorkWeek

    week = WorkWeek(frozenset({0})).changed(date(2026, 11, 2), frozenset({1}))
    week = week.changed(date(2026, 11, 2), frozenset({2}))
    assert week.past == ((date(2026, 11, 2), frozenset({0})),)
    assert week.current == frozenset({2})


@given(
    instants,
    st.sampled_from(ZONES),
    st.sampled_from(ZONES),
    st.lists(st.integers(0, 3 * 24 * 60), max_size=8),
)
def test_today_never_goes_back_across_a_time_zone_change(change, old, new, minutes_after):
    floor = local_today(change, old)  # what a change of zone records
    for minutes in sorted(minutes_after):
        assert local_today(change + timedelta(minutes=minutes), new, floor) >= floor


@settings(deadline=None)
@given(
    st.integers(1, 15),
    instants,
    st.sampled_from([*ZONES, "Pacific/Pago_Pago", "Pacific/Kiritimati"]),
    st.sampled_from([*ZONES, "Pacific/Pago_Pago", "Pacific/Kiritimati"]),
    st.lists(st.integers(0, 3 * 24 * 60), max_size=8),
)
def test_the_streak_after_a_zone_change_is_the_streak_before_plus_what_is_earned_after(
    run, change, old, new, minutes_after
):
    every_day = frozenset(range(7))
    day_of_change = local_today(change, old)
    before_days = {day_of_change - timedelta(days=n) for n in range(run)}
    before = streak(before_days, every_day, day_of_change).current
    after_days = {
        local_today(change + timedelta(minutes=m), new, day_of_change) for m in minutes_after
    }
    earned = sorted(after_days - before_days)
    last = max(after_days | {day_of_change})

    after = streak(before_days | after_days, every_day, last).current

    assert all(day >= day_of_change for day in after_days)
    if earned == [day_of_change + timedelta(days=n + 1) for n in range(len(earned))]:
        assert after == before + len(earned)  # no gap: every new day adds one, no old one does
    else:
        assert after <= before + len(earned)  # a missed day can cost (or spend a freeze), never add


# Queued (offline) check-ins ------------------------------------------------------------------


@given(
    tapped=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
    ),
    delay=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=4)),
    tz=st.sampled_from(["UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Kiritimati"]),
)
def test_a_queued_check_in_counts_for_its_tap_day_if_that_is_today_or_yesterday(tapped, delay, tz):
    now = tapped + delay
    day = queued_day(tapped, now, tz)
    today = local_date(now, tz)
    tap_day = local_date(tapped, tz)
    if tap_day in (today, today - timedelta(days=1)):
        assert day == tap_day
    else:
        assert day is None


def test_a_check_in_tapped_before_midnight_and_sent_after_counts_for_the_day_it_was_made():
    tapped = datetime(2026, 11, 18, 22, 50, tzinfo=UTC)  # 23:50 in Berlin
    now = datetime(2026, 11, 18, 23, 20, tzinfo=UTC)  # 00:20 the next day
    assert queued_day(tapped, now, "Europe/Berlin") == date(2026, 11, 18)


def test_a_queued_check_in_never_lands_before_the_last_zone_change_nor_in_the_future():
    tapped = datetime(2026, 11, 18, 12, tzinfo=UTC)
    now = datetime(2026, 11, 19, 12, tzinfo=UTC)
    assert queued_day(tapped, now, "UTC", not_before=date(2026, 11, 19)) is None
    assert queued_day(tapped, now, "UTC", not_before=date(2026, 11, 18)) == date(2026, 11, 18)
    later = now + CLOCK_SKEW + timedelta(minutes=1)
    assert queued_day(later, now, "UTC") is None
