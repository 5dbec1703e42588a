from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from game.challenge import LENGTH, challenge_view, ends_on
from game.days import DEFAULT_WORKDAYS, is_workday

START = date(2024, 6, 3)  # a Monday


def day(n: int) -> date:
    """Return the date of challenge day `n` (1-based)."""
    return START + timedelta(days=n - 1)


def states(view) -> dict[int, str]:
    return {cell.number: cell.state for cell in view.cells}


def test_the_challenge_lasts_thirty_calendar_days():
    assert LENGTH == 30
    assert ends_on(START) == date(2024, 7, 2)


def test_the_first_day_is_day_one_of_thirty():
    view = challenge_view(START, [], DEFAULT_WORKDAYS, START)
    assert (view.day, view.done, view.missed, view.finished, view.over) == (1, 0, 0, False, False)
    assert len(view.cells) == 30
    assert [c.number for c in view.cells] == list(range(1, 31))
    assert [c.day for c in view.cells] == [day(n) for n in range(1, 31)]


def test_today_before_the_start_is_refused():
    with pytest.raises(ValueError):
        challenge_view(START, [], DEFAULT_WORKDAYS, START - timedelta(days=1))


def test_the_calendar_shows_done_missed_off_today_and_upcoming():
    view = challenge_view(START, [day(1), day(3)], DEFAULT_WORKDAYS, day(8))
    got = states(view)
    assert [got[n] for n in (1, 2, 3, 4, 5)] == ["done", "missed", "done", "missed", "missed"]
    assert got[6] == got[7] == "off"
    assert got[8] == "today"
    assert got[9] == "upcoming"
    assert got[13] == "off"  # an upcoming Saturday is already known to be off
    assert (view.day, view.done, view.missed) == (8, 2, 3)


def test_today_checked_in_is_done_and_still_marked_today():
    cell = challenge_view(START, [day(2)], DEFAULT_WORKDAYS, day(2)).cells[1]
    assert (cell.state, cell.is_today) == ("done", True)


def test_today_on_a_day_off_is_off_and_marked_today():
    cell = challenge_view(START, [], DEFAULT_WORKDAYS, day(6)).cells[5]
    assert (cell.state, cell.is_today) == ("off", True)


def test_a_check_in_on_a_day_off_shows_as_done():
    view = challenge_view(START, [day(6)], DEFAULT_WORKDAYS, day(8))
    assert states(view)[6] == "done"
    assert view.done == 1


def test_check_ins_outside_the_challenge_or_after_today_are_not_counted():
    days = [START - timedelta(days=1), day(5), day(31)]
    view = challenge_view(START, days, DEFAULT_WORKDAYS, day(3))
    assert view.done == 0
    assert states(view)[5] == "upcoming"


def test_the_last_day_asks_for_the_reflection():
    view = challenge_view(START, [], DEFAULT_WORKDAYS, ends_on(START))
    assert (view.day, view.finished, view.over) == (30, True, False)
    assert view.cells[-1].is_today


def test_after_the_end_the_challenge_stays_on_day_thirty_and_is_over():
    view = challenge_view(START, [], DEFAULT_WORKDAYS, day(45))
    assert (view.day, view.finished, view.over) == (30, True, True)
    assert not any(cell.is_today for cell in view.cells)
    assert "upcoming" not in states(view).values()
    assert view.missed == sum(is_workday(day(n), DEFAULT_WORKDAYS) for n in range(1, 31))


workday_sets = st.sets(st.integers(0, 6), min_size=1).map(frozenset)
starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31))


@given(starts, st.integers(0, 40), st.lists(st.integers(-5, 40), max_size=40), workday_sets)
def test_the_calendar_always_adds_up(start, elapsed, offsets, workdays):
    today = start + timedelta(days=elapsed)
    days = [start + timedelta(days=n) for n in offsets]
    view = challenge_view(start, days, workdays, today)
    window = {start + timedelta(days=n) for n in range(LENGTH)}
    counts = Counter(cell.state for cell in view.cells)

    assert len(view.cells) == LENGTH
    assert set(counts) <= {"done", "missed", "off", "today", "upcoming"}
    assert sum(counts.values()) == LENGTH
    assert view.done == counts["done"] == len({d for d in days if d in window and d <= today})
    assert (
        view.missed
        == counts["missed"]
        == sum(is_workday(d, workdays) and d < today and d not in days for d in window)
    )
    assert counts["today"] <= 1
    assert sum(cell.is_today for cell in view.cells) == (today in window)
    assert view.day == min(elapsed + 1, LENGTH)
    assert view.finished == (elapsed >= LENGTH - 1)
    assert view.over == (elapsed >= LENGTH)
    for cell in view.cells:
        assert cell.is_today == (cell.day == today)
        assert (cell.state == "upcoming") <= (cell.day > today)
        assert (cell.state == "missed") <= (cell.day < today)
        assert (cell.state == "today") <= cell.is_today
