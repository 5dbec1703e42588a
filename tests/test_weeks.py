from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from game.days import DEFAULT_WORKDAYS, is_workday, week_start
from game.weeks import last_workday, review_due

WEEK = date(2024, 6, 3)  # a Monday
FRIDAY, SUNDAY = date(2024, 6, 7), date(2024, 6, 9)


def test_the_last_work_day_of_an_ordinary_week_is_friday():
    assert last_workday(WEEK, DEFAULT_WORKDAYS) == FRIDAY


def test_the_last_work_day_follows_the_persons_work_days():
    assert last_workday(WEEK, frozenset({0, 1, 2, 3})) == date(2024, 6, 6)
    assert last_workday(WEEK, frozenset({5})) == date(2024, 6, 8)
    assert last_workday(WEEK, frozenset({6, 0, 1, 2, 3})) == SUNDAY


def test_any_day_of_the_week_names_that_week():
    assert last_workday(date(2024, 6, 5), DEFAULT_WORKDAYS) == FRIDAY


def test_a_week_without_work_days_closes_on_sunday():
    assert last_workday(WEEK, frozenset()) == SUNDAY


def test_the_review_is_not_due_before_the_last_work_day():
    assert not review_due(WEEK, DEFAULT_WORKDAYS, date(2024, 6, 6))


def test_the_review_is_due_from_the_last_work_day_on():
    assert review_due(WEEK, DEFAULT_WORKDAYS, FRIDAY)
    assert review_due(WEEK, DEFAULT_WORKDAYS, SUNDAY)
    assert review_due(WEEK, DEFAULT_WORKDAYS, date(2024, 7, 1))


workday_sets = st.sets(st.integers(0, 6), min_size=1).map(frozenset)
dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31))


@given(dates, workday_sets)
def test_the_last_work_day_is_a_work_day_in_that_week_with_none_after_it(d, workdays):
    last = last_workday(d, workdays)
    assert week_start(last) == week_start(d)
    assert is_workday(last, workdays)
    later = [last + timedelta(days=n) for n in range(1, 7 - last.weekday())]
    assert not any(is_workday(day, workdays) for day in later)


@given(dates, workday_sets, st.integers(-10, 30))
def test_once_due_the_review_stays_due(d, workdays, shift):
    today = d + timedelta(days=shift)
    if review_due(d, workdays, today):
        assert review_due(d, workdays, today + timedelta(days=1))
    assert review_due(d, workdays, week_start(d) + timedelta(days=7))
