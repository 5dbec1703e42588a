from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from game.days import DEFAULT_WORKDAYS, WorkWeek, is_workday
from game.streaks import FREEZE_EVERY, MAX_FREEZES, Streak, at_risk, streak

MONDAY = date(2024, 6, 3)


def day(n: int) -> date:
    """Return the date `n` days after Monday 3 June 2024."""
    return MONDAY + timedelta(days=n)


def workdays_from(
    first: date, count: int, workdays: frozenset[int] = DEFAULT_WORKDAYS
) -> list[date]:
    """Return the next `count` work days from `first` on."""
    found: list[date] = []
    d = first
    while len(found) < count:
        if is_workday(d, workdays):
            found.append(d)
        d += timedelta(days=1)
    return found


def test_no_check_ins_is_no_streak():
    assert streak([], DEFAULT_WORKDAYS, MONDAY) == Streak(0, 0, 0, (), False, False)


def test_consecutive_work_days_make_a_perfect_streak():
    s = streak([day(0), day(1), day(2)], DEFAULT_WORKDAYS, day(2))
    assert (s.current, s.longest, s.perfect, s.checked_today) == (3, 3, True, True)


def test_a_day_off_does_not_break_the_streak():
    friday, monday = day(4), day(7)
    assert streak([friday, monday], DEFAULT_WORKDAYS, monday).current == 2


def test_a_check_in_on_a_day_off_is_ignored():
    saturday = day(5)
    assert streak([saturday], DEFAULT_WORKDAYS, saturday).current == 0
    assert streak([day(4), saturday, day(7)], DEFAULT_WORKDAYS, day(7)).current == 2


def test_check_ins_after_today_are_ignored():
    s = streak([day(0), day(1), day(2)], DEFAULT_WORKDAYS, day(1))
    assert (s.current, s.longest) == (2, 2)


def test_duplicate_check_ins_count_once():
    assert streak([day(0), day(0), day(1)], DEFAULT_WORKDAYS, day(1)).current == 2


def test_today_not_yet_checked_in_is_pending_not_missed():
    s = streak([day(0), day(1), day(2), day(3)], DEFAULT_WORKDAYS, day(4))
    assert (s.current, s.checked_today) == (4, False)
    assert at_risk(s, is_workday_today=True)


def test_a_missed_work_day_without_a_freeze_ends_the_run():
    s = streak([day(0), day(1), day(3)], DEFAULT_WORKDAYS, day(3))
    assert (s.current, s.longest) == (1, 2)


def test_missing_yesterday_leaves_no_streak_to_keep_today():
    s = streak([day(0), day(1)], DEFAULT_WORKDAYS, day(3))
    assert s.current == 0
    assert not at_risk(s, is_workday_today=True)


def test_a_freeze_is_earned_every_seven_work_days():
    week_and_a_bit = workdays_from(MONDAY, FREEZE_EVERY)
    assert streak(week_and_a_bit[:-1], DEFAULT_WORKDAYS, week_and_a_bit[-2]).freezes == 0
    assert streak(week_and_a_bit, DEFAULT_WORKDAYS, week_and_a_bit[-1]).freezes == 1


def test_a_freeze_saves_a_missed_day_and_is_shown():
    run = workdays_from(MONDAY, 9)
    missed, checked = run[7], run[:7] + run[8:]
    s = streak(checked, DEFAULT_WORKDAYS, run[-1])
    assert (s.current, s.freezes, s.saved, s.perfect) == (8, 0, (missed,), False)


def test_at_most_two_freezes_are_held():
    run = workdays_from(MONDAY, 3 * FREEZE_EVERY)
    assert streak(run, DEFAULT_WORKDAYS, run[-1]).freezes == MAX_FREEZES == 2


def test_earning_resumes_once_a_freeze_is_spent():
    run = workdays_from(MONDAY, 4 * FREEZE_EVERY + 1)
    missed = run[3 * FREEZE_EVERY]  # after the third seven, which earned nothing
    checked = [d for d in run if d != missed]
    s = streak(checked, DEFAULT_WORKDAYS, run[-1])
    assert (s.current, s.saved, s.freezes) == (4 * FREEZE_EVERY, (missed,), 2)


def test_two_freezes_cover_two_missed_days_oldest_first():
    run = workdays_from(MONDAY, 2 * FREEZE_EVERY + 3)
    missed = run[-3:-1]
    s = streak(run[:-3] + run[-1:], DEFAULT_WORKDAYS, run[-1])
    assert (s.current, s.saved, s.freezes) == (2 * FREEZE_EVERY + 1, tuple(missed), 0)


def test_when_freezes_run_out_the_run_ends_and_the_next_one_starts_perfect():
    run = workdays_from(MONDAY, FREEZE_EVERY + 3)
    s = streak(run[:FREEZE_EVERY] + run[-1:], DEFAULT_WORKDAYS, run[-1])
    assert (s.current, s.longest, s.saved, s.perfect, s.freezes) == (1, 7, (), True, 0)


def test_an_extra_check_in_never_costs_a_later_freeze():
    # Earning on every 7th day of the run would let the extra check-in below cost a freeze.
    run = workdays_from(MONDAY, 28)
    gaps = {run[21], run[22], run[26]}
    without = [d for d in run if d not in gaps and d != run[1]]
    with_it = [d for d in run if d not in gaps]
    before = streak(without, DEFAULT_WORKDAYS, run[-1])
    after = streak(with_it, DEFAULT_WORKDAYS, run[-1])
    assert after.current >= before.current
    assert after.longest >= before.longest


def test_the_longest_run_is_kept_after_a_break():
    first = workdays_from(MONDAY, 5)
    later = workdays_from(day(14), 2)
    s = streak(first + later, DEFAULT_WORKDAYS, later[-1])
    assert (s.current, s.longest) == (2, 5)


def test_a_person_who_works_sunday_to_thursday_keeps_their_streak_over_friday():
    workdays = frozenset({6, 0, 1, 2, 3})
    thursday, friday, sunday = day(3), day(4), day(6)
    s = streak([thursday, friday, sunday], workdays, sunday)
    assert s.current == 2


def test_no_risk_once_checked_in_on_a_day_off_or_without_a_run():
    checked = streak([day(0), day(1)], DEFAULT_WORKDAYS, day(1))
    assert not at_risk(checked, is_workday_today=True)
    friday = streak([day(4)], DEFAULT_WORKDAYS, day(5))
    assert not at_risk(friday, is_workday_today=False)
    assert not at_risk(streak([], DEFAULT_WORKDAYS, day(1)), is_workday_today=True)


workday_sets = st.one_of(
    st.just(frozenset(range(7))),
    st.just(DEFAULT_WORKDAYS),
    st.sets(st.integers(0, 6), min_size=1).map(frozenset),
)
todays = st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 12, 31))


def _runs(pattern: list[tuple[int, int]]) -> list[int]:
    """Lay out (run length, gap length) pairs as day offsets, the last run ending today."""
    offs, n = [], 0
    for length, gap in reversed(pattern):
        offs.extend(range(n - length + 1, n + 1))
        n -= length + gap
    return offs


# Sparse check-ins, and runs of days between short gaps, which exercise freezes and their cap.
offsets = st.one_of(
    st.lists(st.integers(-70, 5), max_size=60),
    st.lists(st.tuples(st.integers(1, 30), st.integers(1, 3)), max_size=6).map(_runs),
)


def around(today: date, offsets: list[int]) -> list[date]:
    return [today + timedelta(days=n) for n in offsets]


@given(offsets, workday_sets, todays)
def test_a_streak_never_counts_a_day_off(offs, workdays, today):
    days = around(today, offs)
    s = streak(days, workdays, today)
    worked = [d for d in days if is_workday(d, workdays)]
    assert s == streak(worked, workdays, today)
    assert s.current <= len({d for d in worked if d <= today})


@settings(max_examples=200, deadline=None)
@given(offsets, workday_sets, todays, st.data())
def test_adding_a_check_in_never_shortens_the_streak(offs, workdays, today, data):
    # Filling a gap is the interesting case: it changes which freezes are earned and spent.
    gaps = sorted(set(range(min(offs, default=0), 1)) - set(offs))
    extra = data.draw(st.sampled_from(gaps) if gaps else st.integers(-70, 5))
    days = around(today, offs)
    before = streak(days, workdays, today)
    after = streak([*days, today + timedelta(days=extra)], workdays, today)
    assert after.current >= before.current
    assert after.longest >= before.longest


@given(offsets, st.randoms(use_true_random=False), workday_sets, todays)
def test_order_and_duplicates_do_not_matter(offs, random, workdays, today):
    days = around(today, offs)
    shuffled = days + days[: len(days) // 2]
    random.shuffle(shuffled)
    assert streak(shuffled, workdays, today) == streak(days, workdays, today)


@given(offsets, workday_sets, todays)
def test_the_streak_is_internally_consistent(offs, workdays, today):
    days = around(today, offs)
    s = streak(days, workdays, today)
    assert 0 <= s.current <= s.longest
    assert 0 <= s.freezes <= MAX_FREEZES
    assert s.perfect == (s.current > 0 and not s.saved)
    assert s.checked_today == (today in days and is_workday(today, workdays))
    assert list(s.saved) == sorted(set(s.saved))
    for saved in s.saved:
        assert saved < today and is_workday(saved, workdays) and saved not in days
    if s.current == 0:
        assert s.saved == ()


def test_changing_work_days_today_does_not_rewrite_the_longest_streak():
    # Mon-Fri for two weeks, all checked in: a ten-day run.
    days = workdays_from(day(0), 10)
    today = day(14)  # the Monday after
    before = streak(days, WorkWeek(DEFAULT_WORKDAYS), today)
    mondays_only = WorkWeek(DEFAULT_WORKDAYS).changed(today, frozenset({0}))
    after = streak(days, mondays_only, today)
    assert before.longest == after.longest == 10
    assert after.current == before.current == 10
    # Under the new week, Tuesday is a work day no more: missing it breaks nothing.
    assert streak(days, mondays_only, day(16)).current == 10


def test_a_work_week_applies_each_days_own_work_days():
    week = WorkWeek(frozenset({0})).changed(day(7), frozenset({0, 1, 2, 3, 4}))
    assert week.current == DEFAULT_WORKDAYS
    assert week.on(day(1)) == frozenset({0})
    assert week.on(day(8)) == DEFAULT_WORKDAYS
    assert is_workday(day(1), week) is False
    assert is_workday(day(8), week) is True


@settings(max_examples=150, deadline=None)
@given(
    offsets=st.sets(st.integers(min_value=0, max_value=120), max_size=90),
    change_at=st.integers(min_value=1, max_value=120),
    new_week=st.frozensets(st.integers(min_value=0, max_value=6), min_size=1),
)
def test_a_change_of_work_days_never_alters_what_was_counted_before_it(
    offsets, change_at, new_week
):
    days = [day(n) for n in offsets]
    old = WorkWeek(DEFAULT_WORKDAYS)
    new = old.changed(day(change_at), new_week)
    yesterday = day(change_at - 1)
    assert streak(days, new, yesterday) == streak(days, old, yesterday)
    assert streak(days, new, day(120)).longest >= streak(days, old, yesterday).longest
