from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.days import DEFAULT_WORKDAYS, WorkWeek
from game.streaks import FREEZE_EVERY, MAX_FREEZES, streak
from game.summary import EMPTY, advance, after_check_in, as_of, rebuild, settle

MONDAY = date(2024, 6, 3)
WEEK = WorkWeek(DEFAULT_WORKDAYS)


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def full(days, workdays, today):
    """The full recomputation, keeping the saved days a summary keeps."""
    s = streak(days, workdays, today)
    return replace(s, saved=s.saved[-MAX_FREEZES:])


# One person's life: check-ins (today's, or one delivered late for an earlier day), edits,
# days passing (days off and misses among them), new work days, and time-zone moves.
operations = st.lists(
    st.one_of(
        st.tuples(st.just("check in"), st.sampled_from([0] * 6 + [1, 1, 2, 5])),
        st.tuples(st.just("next day"), st.sampled_from([1] * 8 + [2, 3, 4, 9])),
        st.tuples(st.just("edit"), st.just(0)),
        st.tuples(st.just("daily"), st.integers(1, 20)),
        st.tuples(st.just("work days"), st.frozensets(st.integers(0, 6), min_size=1, max_size=7)),
        st.tuples(st.just("zone"), st.sampled_from([-1, 1])),
    ),
    max_size=120,
)


@settings(max_examples=400, deadline=None)
@given(operations)
def test_the_summary_always_equals_the_full_recomputation(ops):
    today, week, days, summary = day(0), WEEK, set(), EMPTY
    for op, arg in ops:
        if op in ("check in", "edit"):
            checked = today - timedelta(days=arg)
            days.add(checked)
            # What models.CheckIn.record does: advance, or rebuild for a late (backdated) one.
            summary = after_check_in(summary, checked, week) or rebuild(days, week)
        elif op == "daily":
            # A habit: a check-in every day for arg days (days off included), then the next day.
            for _ in range(arg):
                days.add(today)
                summary = after_check_in(summary, today, week) or rebuild(days, week)
                today += timedelta(days=1)
        elif op == "next day":
            today += timedelta(days=arg)
        elif op == "work days":
            week = week.changed(today, arg)
            summary = rebuild(days, week)
        else:
            today += timedelta(days=arg)
            summary = rebuild(days, week)
        assert summary == rebuild(days, week)
        if days and max(days) > today:
            # A move west can put the last check-in after today: Today falls back to the full walk.
            with pytest.raises(ValueError):
                as_of(summary, week, today)
            continue
        assert as_of(summary, week, today) == full(days, week, today)
        assert settle(summary, today, week).spent == len(streak(days, week, today).saved)


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(0, 150), max_size=110), st.integers(0, 40))
def test_a_summary_read_any_day_later_equals_the_full_walk(offsets, later):
    days = {day(n) for n in offsets}
    today = day(150 + later)
    assert as_of(rebuild(days, WEEK), WEEK, today) == full(days, WEEK, today)


def test_a_late_check_in_for_an_earlier_day_asks_for_a_rebuild():
    summary = rebuild([day(0), day(2)], WEEK)
    assert after_check_in(summary, day(1), WEEK) is None
    assert rebuild([day(0), day(1), day(2)], WEEK).run == 3


def test_an_edit_of_the_last_day_changes_nothing():
    summary = rebuild([day(0), day(1)], WEEK)
    assert after_check_in(summary, day(1), WEEK) is summary


def test_a_freeze_is_earned_and_spent_one_check_in_at_a_time():
    work_days = [d for d in map(day, range(11)) if d.weekday() < 5]  # Mon 3 to Thu 13 June
    summary = EMPTY
    for d in work_days:
        summary = advance(summary, d, WEEK)
    assert (summary.run, summary.freezes) == (FREEZE_EVERY + 2, 1)
    # Friday 14 missed, Monday 17 checked in: the freeze saved Friday.
    summary = advance(summary, day(14), WEEK)
    assert (summary.run, summary.freezes, summary.saved, summary.spent) == (10, 0, (day(11),), 1)


def test_a_long_absence_is_settled_without_walking_every_day():
    summary = rebuild([day(n) for n in range(5)], WEEK)
    later = day(5 + 3 * 365)
    streak_then = as_of(summary, WEEK, later)
    assert (streak_then.current, streak_then.longest) == (0, 5)
    assert as_of(summary, WEEK, later) == full([day(n) for n in range(5)], WEEK, later)
