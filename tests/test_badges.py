"""The badge engine in game/: pure rules over a facts snapshot, and the moments that celebrate."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from game.badges import (
    BADGES,
    BY_ID,
    Facts,
    earned,
    facts_of,
    first_earned,
    given_count,
    held_after,
    recognised_by_count,
    to_award,
)
from game.moments import for_check_in, may_earn_badges
from game.streaks import Streak

FACT_NAMES = [f.name for f in fields(Facts)]
counts = st.integers(min_value=0, max_value=150)
facts = st.builds(Facts, **{name: counts for name in FACT_NAMES})
histories = st.lists(facts, max_size=8)
held_ids = st.frozensets(st.sampled_from([b.id for b in BADGES]))
MONDAY = date(2026, 11, 16)
pairs = st.lists(
    st.tuples(st.integers(1, 6), st.integers(0, 5).map(lambda w: MONDAY + timedelta(weeks=w)))
)
received = st.lists(st.tuples(st.integers(1, 6), st.sampled_from(["external", "colleague"])))


def test_every_badge_has_an_id_a_name_criteria_an_icon_and_a_rule_over_a_fact():
    assert len(BY_ID) == len(BADGES) >= 14
    for badge in BADGES:
        assert badge.id and badge.name and badge.criteria.endswith(".") and badge.icon
        assert badge.fact in FACT_NAMES and badge.goal >= 1 and badge.cheer


def test_the_list_holds_the_badges_the_campaign_asks_for():
    goals = {(b.fact, b.goal) for b in BADGES}
    assert {
        ("check_ins", 1),
        ("longest_streak", 10),
        ("longest_streak", 30),
        ("longest_streak", 100),
        ("challenges_completed", 1),
        ("stories_told", 1),
        ("stories_told", 5),
        ("stories_featured", 1),
        ("recognitions_given", 1),
        ("recognitions_given", 10),
        ("recognised_by", 3),
        ("recognised_for_colleague", 1),
        ("pledged", 1),
        ("commitments_kept", 4),
    } <= goals


def test_nothing_done_earns_nothing():
    assert earned(Facts()) == frozenset()


def test_progress_reads_as_how_far_toward_the_goal():
    assert BY_ID["five-stories"].progress(Facts(stories_told=3)).text == "3 of 5 stories told"
    assert BY_ID["five-stories"].progress(Facts(stories_told=9)).text == "5 of 5 stories told"


def test_recognising_the_same_colleague_twice_in_a_week_counts_once():
    week = MONDAY
    assert given_count([(2, week), (2, week), (3, week), (2, week + timedelta(weeks=1))]) == 3


def test_recognised_by_counts_different_colleagues():
    assert recognised_by_count([4, 4, 4, 5]) == 2


@given(facts, held_ids)
def test_awarding_twice_awards_nothing_more(snapshot, held):
    once = held_after([snapshot], held)
    assert to_award(snapshot, once) == ()
    assert held_after([snapshot, snapshot, snapshot], held) == once


@given(histories, st.randoms())
def test_the_order_of_events_does_not_change_what_is_held(history, rng):
    shuffled = list(history)
    rng.shuffle(shuffled)
    assert held_after(shuffled) == held_after(history)


@given(pairs, received, st.randoms())
def test_the_counts_do_not_depend_on_the_order_recognitions_came_in(given_pairs, got, rng):
    def snapshot(a, b):
        return facts_of(check_ins=0, longest_streak=0, given=a, received=b)

    shuffled_pairs, shuffled_got = list(given_pairs), list(got)
    rng.shuffle(shuffled_pairs)
    rng.shuffle(shuffled_got)
    assert snapshot(shuffled_pairs, shuffled_got) == snapshot(given_pairs, got)
    assert snapshot(given_pairs + given_pairs, got) == snapshot(given_pairs, got)


@given(histories)
def test_no_badge_is_held_without_its_criteria_met_at_some_point(history):
    for badge_id in held_after(history):
        assert any(BY_ID[badge_id].holds(f) for f in history)


@given(facts)
def test_a_badge_is_earned_exactly_when_its_fact_reaches_the_goal(snapshot):
    for badge in BADGES:
        assert (badge.id in earned(snapshot)) == (getattr(snapshot, badge.fact) >= badge.goal)


@given(facts, facts)
def test_more_of_everything_never_earns_less(a, b):
    bigger = Facts(**{name: max(getattr(a, name), getattr(b, name)) for name in FACT_NAMES})
    assert bigger.at_least(a)
    assert earned(a) <= earned(bigger)


@given(histories, facts)
def test_facts_that_shrink_later_never_take_a_badge_back(history, later):
    before = held_after(history)
    assert before <= held_after([*history, later])
    assert before <= held_after([*history, replace(later, stories_told=0)])


def _streak(current, longest, freezes=0):
    return Streak(current, longest, freezes, (), True, True)


def test_a_streak_milestone_and_an_earned_freeze_are_moments():
    moments = for_check_in(_streak(9, 9, 0), _streak(10, 10, 1))
    assert [m.kind for m in moments] == ["streak", "freeze"]
    assert moments[0].title == "10 work days in a row"


def test_an_ordinary_check_in_is_no_moment():
    assert for_check_in(_streak(6, 8), _streak(7, 8)) == []


def test_only_the_first_check_in_or_a_streak_goal_reached_can_earn_a_badge():
    assert may_earn_badges(_streak(0, 0), _streak(1, 1), first=True)
    assert may_earn_badges(_streak(9, 9), _streak(10, 10), first=False)
    assert not may_earn_badges(_streak(10, 10), _streak(11, 11), first=False)


@given(st.lists(facts, max_size=8))
def test_a_badge_is_dated_by_the_first_snapshot_that_earns_it(history):
    dated = first_earned(enumerate(history))
    assert set(dated) == held_after(history)
    for badge_id, at in dated.items():
        assert BY_ID[badge_id].holds(history[at])
        assert not any(BY_ID[badge_id].holds(earlier) for earlier in history[:at])
