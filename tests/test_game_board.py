"""The team board's pure rules: participation as one figure, the week so far, the card rotation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from game.board import SMALL_GROUP, Participation, Slide, participation, rotation, week_so_far


def test_three_of_four_is_seventy_five_percent():
    figure = participation(4, 3)
    assert (figure.figure, figure.words) == ("75%", "of us checked in on a work day: 3 of 4.")


def test_fewer_than_three_people_make_no_figure():
    for expected in range(SMALL_GROUP):
        for checked_in in range(expected + 1):
            figure = participation(expected, checked_in)
            assert figure.percent is None and not figure.shown
            assert figure.figure == "fewer than 3"
            assert not any(ch.isdigit() for ch in figure.words)


def test_nobody_yet_is_an_invitation_not_a_zero_to_be_ashamed_of():
    figure = participation(5, 0)
    assert figure.figure == "0%"
    assert "The first of 5 could be you" in figure.words


def test_a_share_above_the_whole_is_refused():
    with pytest.raises(ValueError):
        participation(3, 4)
    with pytest.raises(ValueError):
        participation(3, -1)


@given(st.integers(SMALL_GROUP, 10_000), st.data())
def test_the_figure_is_a_share_rounded_down(expected, data):
    checked_in = data.draw(st.integers(0, expected))
    figure = participation(expected, checked_in)
    assert 0 <= figure.percent <= 100
    assert (figure.percent == 100) == (checked_in == expected)
    assert figure.percent <= checked_in * 100 / expected < figure.percent + 1
    if checked_in < expected:
        assert participation(expected, checked_in + 1).percent >= figure.percent


@given(st.integers(0, SMALL_GROUP - 1), st.data())
def test_a_small_group_is_never_a_number(expected, data):
    figure = participation(expected, data.draw(st.integers(0, expected)))
    assert figure == Participation(figure.expected, figure.checked_in, None)


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
