"""The team board's pure rules: participation as one figure, the week so far, the card rotation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from game.board import HOW, SMALL_GROUP, Slide, participation, rotation, week_so_far
from game.indicators import BY_KEY, WeekCounts, figures


def test_three_of_four_work_days_checked_in_is_seventy_five_percent():
    figure = participation(3, 4, 3)
    assert figure.figure == "75%" and figure.shown
    assert figure.words == "of our work days so far this week had a check-in: 3 of 4."


def test_fewer_than_three_people_make_no_figure():
    for members in range(1, SMALL_GROUP):
        for workdays in range(members, members * 3 + 1):
            for checked in range(workdays + 1):
                figure = participation(members, workdays, checked)
                assert not figure.shown and figure.figure == "fewer than 3"
                assert not any(ch.isdigit() for ch in figure.words)


def test_before_anyone_s_first_work_day_there_is_nothing_to_measure():
    figure = participation(0, 0, 0)
    assert figure.figure == "—" and not figure.shown
    assert figure.words == "No work day has come yet this week."


def test_nobody_yet_is_an_invitation_not_a_zero_to_be_ashamed_of():
    figure = participation(5, 10, 0)
    assert figure.figure == "0%"
    assert "The first could be yours" in figure.words


def test_the_how_is_the_dashboards_sentence():
    assert BY_KEY["participation"].how == HOW
    assert "work days" in HOW and "fewer than 3" in HOW


@given(st.integers(0, 500), st.data())
def test_the_board_shows_the_dashboards_participation_figure(members, data):
    workdays = data.draw(st.integers(members, members * 7))
    checked = data.draw(st.integers(0, workdays))
    counts = WeekCounts(date(2026, 11, 16), 1, members=members, workdays=workdays, checked=checked)
    board = participation(members, workdays, checked)
    dashboard = figures(counts)["participation"]
    assert board.figure == dashboard.shown
    assert board.shown == (dashboard.value is not None)
    if board.shown:
        assert 0 <= int(board.figure[:-1]) <= 100


def test_the_week_so_far_starts_on_monday():
    assert week_so_far(date(2026, 11, 16)) == (date(2026, 11, 16),)
    assert week_so_far(date(2026, 11, 18)) == (
        date(2026, 11, 16),
        date(2026, 11, 17),
        date(2026, 11, 18),
    )
    assert len(week_so_far(date(2026, 11, 22))) == 7


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)))
def test_the_week_so_far_is_monday_to_today(today):
    days = week_so_far(today)
    assert days[0].weekday() == 0 and days[-1] == today
    assert all(b - a == timedelta(days=1) for a, b in zip(days, days[1:], strict=False))


T0 = datetime(2026, 11, 18, 9, 0)


def _slides(kind: str, minutes: list[int]) -> list[Slide]:
    return [Slide(kind, n + 1, T0 + timedelta(minutes=m)) for n, m in enumerate(minutes)]


def test_the_rotation_alternates_kinds_newest_first():
    stories = _slides("story", [10, 20, 30])
    thanks = _slides("recognition", [5, 15, 25, 35, 45])
    order = rotation(stories, thanks, 6)
    assert [(s.kind, s.id) for s in order] == [
        ("recognition", 5),
        ("story", 3),
        ("recognition", 4),
        ("story", 2),
        ("recognition", 3),
        ("story", 1),
    ]


def test_the_rotation_fills_up_with_one_kind_when_the_other_runs_out():
    order = rotation(_slides("story", [1]), _slides("recognition", [2, 3, 4]), 8)
    assert [(s.kind, s.id) for s in order] == [
        ("recognition", 3),
        ("story", 1),
        ("recognition", 2),
        ("recognition", 1),
    ]
    assert rotation([], [], 8) == []


minutes = st.lists(st.integers(0, 10_000), max_size=12)


@given(minutes, minutes, st.integers(0, 20))
def test_the_rotation_shows_each_card_once_up_to_the_limit(story_minutes, thanks_minutes, limit):
    stories, thanks = _slides("story", story_minutes), _slides("recognition", thanks_minutes)
    order = rotation(stories, thanks, limit)
    assert len(order) == min(limit, len(stories) + len(thanks))
    assert len(set(order)) == len(order)
    assert set(order) <= set(stories) | set(thanks)
    for kind in ("story", "recognition"):
        mine = [s.made for s in order if s.kind == kind]
        assert mine == sorted(mine, reverse=True)
    # Neither kind is crowded out: while both have cards left, they take turns.
    both = min(len(stories), len(thanks), limit // 2)
    firsts = order[: 2 * both]
    assert sum(s.kind == "story" for s in firsts) == both
