from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from game import indicators as ind
from game.days import WorkWeek, is_workday
from game.indicators import FEWER, WeekCounts

WEEK = date(2026, 11, 23)  # a Monday
PROMPT = "What does this story teach others about One True Customer behaviour?"


# The Ultimate Test ------------------------------------------------------------


def test_the_phrase_counts_in_any_case():
    assert ind.says_the_phrase("I treated her as my one TRUE customer.")


def test_the_phrase_counts_across_a_line_break_and_many_spaces():
    assert ind.says_the_phrase("That is what One\n   True\r\n\tCustomer means.")


def test_quote_marks_around_or_inside_the_phrase_are_ignored():
    assert ind.says_the_phrase('He said "One True Customer" twice.')
    assert ind.says_the_phrase("“One” ‘True’ «Customer»")
    assert ind.says_the_phrase("One 'True' Customer")


def test_words_that_only_contain_the_phrase_do_not_count():
    assert not ind.says_the_phrase("Someone true customers love")
    assert not ind.says_the_phrase("One True Customers")
    assert not ind.says_the_phrase("One customer, truly")
    assert not ind.says_the_phrase("")


def test_the_apps_own_prompt_is_not_the_persons_words():
    assert not ind.says_the_phrase(PROMPT, prefilled=[PROMPT])
    assert not ind.says_the_phrase(PROMPT.replace(" ", "\n  "), prefilled=[PROMPT])
    assert ind.says_the_phrase(PROMPT + " One True Customer, every time.", prefilled=[PROMPT])


def test_an_item_says_the_phrase_when_one_of_its_fields_does():
    assert ind.any_says_the_phrase(["A call", None, "Pure one true customer"])
    # Words split over two fields are not the phrase.
    assert not ind.any_says_the_phrase(["One True", "Customer"])


words = st.lists(st.sampled_from(["one", "true", "customer", "call", "the", "is"]), max_size=8)
spacing = st.text(alphabet=" \t\n\r\u00a0", min_size=1, max_size=3)
quotes = st.text(alphabet="\"'“”‘’«»", max_size=2)


@given(words, words, spacing, spacing, quotes, st.booleans())
def test_the_phrase_is_found_whatever_surrounds_it(before, after, gap1, gap2, quote, upper):
    phrase = f"{quote}One{gap1}{quote}True{gap2}Customer{quote}"
    if upper:
        phrase = phrase.upper()
    text = " ".join([*before, phrase, *after])
    assert ind.says_the_phrase(text)


@given(st.text(alphabet=st.characters(max_codepoint=127, blacklist_characters="eE"), max_size=80))
def test_text_without_an_e_never_says_the_phrase(text):
    assert not ind.says_the_phrase(text)


@given(st.text(max_size=60))
def test_taking_out_the_quote_marks_leaves_none(text):
    assert not set(ind.normal_words(text)) & set(ind.QUOTES)


# Figures and the fewer-than-3 rule --------------------------------------------


def test_participation_is_the_share_of_work_days_with_a_check_in():
    found = ind.figures(WeekCounts(WEEK, members=4, workdays=20, checked=15))
    assert found["participation"].value == 0.75
    assert found["participation"].shown == "75%"


def test_participation_counts_each_members_own_work_days_and_only_their_check_ins_on_them():
    weekdays = WorkWeek(frozenset({0, 1, 2, 3, 4}))
    mondays_only = WorkWeek(frozenset({0}))
    # Changed on Wednesday from Monday-Tuesday to Wednesday-Thursday.
    changed = WorkWeek(frozenset({2, 3}), ((WEEK + timedelta(days=2), frozenset({0, 1})),))
    days = [WEEK + timedelta(days=n) for n in range(4)]  # Monday to Thursday so far
    members = [
        (1, weekdays, None, 3),
        (1, mondays_only, None, 1),
        (1, changed, None, 1),
        (2, mondays_only, None, 2),
    ]
    check_ins = [
        (1, weekdays, None, WEEK, 3),
        (1, weekdays, None, WEEK + timedelta(days=5), 3),  # Saturday: not asked for
        (1, mondays_only, None, WEEK + timedelta(days=1), 1),  # a day off for them
        (1, changed, None, WEEK + timedelta(days=1), 1),  # Tuesday, still a work day then
        (1, changed, None, WEEK + timedelta(days=3), 1),
    ]
    found = ind.participation_counts(members, check_ins, days)
    # Team 1: 3 x 4 days + 1 Monday + Monday, Tuesday, Wednesday, Thursday for the changed one.
    assert found == {(1, WEEK): (5, 12 + 1 + 4, 3 + 1 + 1), (2, WEEK): (2, 2, 0)}


def test_a_member_who_joined_midweek_owes_only_the_days_since_they_joined():
    weekdays = WorkWeek(frozenset({0, 1, 2, 3, 4}))
    tuesday = WEEK + timedelta(days=1)
    days = [WEEK + timedelta(days=n) for n in range(3)]  # Monday to Wednesday
    members = [(1, weekdays, None, 4), (1, weekdays, tuesday, 1)]
    check_ins = [(1, weekdays, None, WEEK, 4), (1, weekdays, tuesday, tuesday, 1)]
    found = ind.participation_counts(members, check_ins, days)
    # The newcomer owes Tuesday and Wednesday, not the Monday before they had an account.
    assert found == {(1, WEEK): (5, 4 * 3 + 2, 4 + 1)}
    # Joined on Saturday: no work day yet, so not yet one of the members this week.
    saturday = WEEK + timedelta(days=5)
    assert ind.participation_counts([(1, weekdays, saturday, 1)], [], days) == {}


def _one_by_one(people, days):
    """The participation counts the slow way: every member and every day, one at a time."""
    counted = set(days)
    found = {}
    for team, work, since, checked_days in people:
        for week in {ind.week_start(d) for d in counted}:
            due = [
                d
                for d in counted
                if ind.week_start(d) == week
                and is_workday(d, work)
                and (since is None or d >= since)
            ]
            if due:
                had, workdays, checked = found.get((team, week), (0, 0, 0))
                done = sum(1 for d in due if d in checked_days)
                found[(team, week)] = (had + 1, workdays + len(due), checked + done)
    return found


work_weeks = st.builds(
    lambda now, before, until: WorkWeek(now, ((until, before),) if until else ()),
    st.frozensets(st.integers(0, 6)),
    st.frozensets(st.integers(0, 6)),
    st.none() | st.dates(WEEK - timedelta(days=3), WEEK + timedelta(days=17)),
)
people = st.lists(
    st.tuples(
        st.integers(1, 3),
        work_weeks,
        st.none() | st.dates(WEEK - timedelta(days=3), WEEK + timedelta(days=17)),
        st.frozensets(st.dates(WEEK - timedelta(days=7), WEEK + timedelta(days=20))),
    ),
    max_size=8,
)


@given(people, st.frozensets(st.dates(WEEK, WEEK + timedelta(days=13)), max_size=14))
def test_participation_from_grouped_rows_equals_counting_person_by_person(people, days):
    # Grouped as the database groups them: alike members (and their alike days) in one row.
    members = Counter((team, work, since) for team, work, since, _ in people)
    check_ins = Counter(
        (team, work, since, d) for team, work, since, checked in people for d in checked
    )
    grouped = ind.participation_counts(
        [(*key, n) for key, n in members.items()], [(*key, n) for key, n in check_ins.items()], days
    )
    assert grouped == _one_by_one(people, days)


def test_participation_of_fewer_than_three_members_is_never_shown():
    found = ind.figures(WeekCounts(WEEK, members=2, workdays=10, checked=10))
    assert found["participation"].shown == FEWER
    assert found["participation"].value is None and found["participation"].hidden


def test_a_count_one_or_two_people_made_is_hidden_but_nobodys_zero_is_shown():
    found = ind.figures(
        WeekCounts(WEEK, members=9, stories=5, story_people=2, recognitions=0, pledges=1)
    )
    assert found["stories"].shown == FEWER
    assert found["pledges"].shown == FEWER
    assert found["recognitions"].shown == "0"


def test_a_count_three_people_made_is_shown():
    found = ind.figures(WeekCounts(WEEK, stories=7, story_people=3))
    assert (found["stories"].value, found["stories"].shown) == (7, "7")


def test_commitments_kept_is_a_share_of_the_reviewed_ones():
    found = ind.figures(WeekCounts(WEEK, commitments_reviewed=4, commitments_kept=3))
    assert found["commitments_kept"].shown == "75%"
    few = ind.figures(WeekCounts(WEEK, commitments_reviewed=2, commitments_kept=2))
    assert few["commitments_kept"].shown == FEWER


def test_the_ultimate_test_is_the_share_of_items_saying_the_phrase():
    found = ind.figures(WeekCounts(WEEK, words=8, words_people=5, phrase=2))
    assert found["ultimate_test"].shown == "25%"
    assert ind.figures(WeekCounts(WEEK))["ultimate_test"].shown == "—"
    few = ind.figures(WeekCounts(WEEK, words=8, words_people=2, phrase=8))
    assert few["ultimate_test"].shown == FEWER


def test_a_streak_count_not_kept_for_an_old_week_is_unknown():
    assert ind.figures(WeekCounts(WEEK, streaking=None))["streaking"].shown == "—"
    assert ind.figures(WeekCounts(WEEK, streaking=4))["streaking"].shown == "4"


def test_every_indicator_says_how_it_is_computed():
    assert set(ind.figures(WeekCounts(WEEK))) == set(ind.BY_KEY)
    assert all(len(indicator.how) > 30 for indicator in ind.INDICATORS)


counts = st.builds(
    WeekCounts,
    week=st.just(WEEK),
    **{
        name: st.integers(min_value=0, max_value=40)
        for name in ind.COUNTED
        if name not in ("streaking",)
    },
    streaking=st.none() | st.integers(min_value=0, max_value=40),
)


@given(counts)
def test_no_figure_fewer_than_three_people_made_ever_shows_a_value(c):
    people = {
        "participation": c.members,
        "stories": c.story_people,
        "recognitions": c.recognition_people,
        "challenges_started": c.started_people,
        "challenges_completed": c.completed_people,
        "commitments_kept": c.commitments_reviewed,
        "pledges": c.pledges,
        "ultimate_test": c.words_people,
        "streaking": c.streaking or 0,
    }
    for key, figure in ind.figures(c).items():
        if 0 < people[key] < 3:
            assert figure.value is None and figure.shown in (FEWER, "—"), key
        if figure.value is not None and figure.unit == "share":
            assert 0 <= figure.value <= 1
            assert figure.shown.endswith("%")


@given(st.lists(counts, max_size=6))
def test_the_organisation_is_the_sum_of_its_teams(rows):
    total = ind.organisation(WEEK, rows)
    assert total.team_id == ind.ORGANISATION
    assert total.stories == sum(r.stories for r in rows)
    assert total.members == sum(r.members for r in rows)
    if any(r.streaking is None for r in rows):
        assert total.streaking is None
    else:
        assert total.streaking == sum(r.streaking for r in rows)


def test_only_the_same_weeks_counts_add_up():
    try:
        WeekCounts(WEEK) + WeekCounts(WEEK + timedelta(days=7))
    except ValueError:
        return
    raise AssertionError("weeks of different dates were added")


def test_the_organisation_leaves_out_other_weeks():
    rows = [WeekCounts(WEEK, 1, stories=2), WeekCounts(WEEK + timedelta(days=7), 1, stories=5)]
    assert ind.organisation(WEEK, rows).stories == 2


# Weeks ------------------------------------------------------------------------


def test_the_last_twelve_weeks_end_with_todays():
    weeks = ind.last_weeks(date(2026, 12, 3))
    assert len(weeks) == 12
    assert weeks[-1] == date(2026, 11, 30)
    assert weeks[0] == date(2026, 9, 14)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(1, 60))
def test_the_weeks_are_consecutive_mondays(today, n):
    weeks = ind.last_weeks(today, n)
    assert len(weeks) == n and all(w.weekday() == 0 for w in weeks)
    assert all(b - a == timedelta(days=7) for a, b in zip(weeks, weeks[1:], strict=False))
    assert weeks[-1] <= today < weeks[-1] + timedelta(days=7)


def test_a_week_closes_a_day_and_a_half_after_it_ends():
    assert not ind.closed(WEEK, datetime(2026, 11, 30, 11, 59))
    assert not ind.closed(WEEK, datetime(2026, 12, 1, 11, 59))
    assert ind.closed(WEEK, datetime(2026, 12, 1, 12, 0))


def test_the_weeks_to_close_are_the_closed_ones_not_yet_stored():
    now = datetime(2026, 12, 1, 13, 0)
    todo = ind.weeks_to_close(now, stored=[WEEK - timedelta(days=7)], n=3)
    assert todo == [WEEK - timedelta(days=14), WEEK]


@given(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 1, 1)))
def test_the_current_week_is_never_closed(now):
    assert week_of(now) not in ind.weeks_to_close(now, stored=[])
    assert ind.weeks_to_close(now, stored=ind.last_weeks(now.date(), 13)) == []


def week_of(now: datetime) -> date:
    return ind.week_start(now.date())


# Trend and spreadsheets -------------------------------------------------------


def test_the_trend_compares_the_latest_four_weeks_with_the_four_before():
    assert ind.trend([1, 1, 1, 1, 3, 3, 3, 3]) == "up"
    assert ind.trend([0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5, 0.5]) == "down"
    assert ind.trend([5, 5, 5, 5, 5, 5, 5, 5]) == "steady"
    assert ind.trend([None, 4, None]) == "—"


@given(st.lists(st.none() | st.floats(0, 1), max_size=12))
def test_the_trend_is_always_one_of_four_words(values):
    assert ind.trend(values) in ("up", "down", "steady", "—")


def test_cells_a_spreadsheet_would_run_are_neutralised():
    for text in ("=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\tx"):
        assert ind.spreadsheet_safe(text) == "'" + text
    assert ind.spreadsheet_safe("Team North") == "Team North"
    assert ind.spreadsheet_safe(-3) == "-3"
    assert ind.spreadsheet_safe(date(2026, 11, 23)) == "2026-11-23"
    assert ind.spreadsheet_safe(None) == ""


@given(st.text(max_size=30))
def test_no_text_cell_starts_with_a_formula_sign(text):
    assert ind.spreadsheet_safe(text)[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_replace_keeps_the_counts_frozen():
    c = WeekCounts(WEEK, stories=1)
    assert replace(c, stories=2).stories == 2 and c.stories == 1


# Weeks before a team was made ------------------------------------------------------


def test_a_week_before_the_team_was_made_has_no_figures_only_a_note():
    counts = WeekCounts(WEEK, 1, members=4, workdays=20, checked=0, streaking=0)
    before = ind.team_figures(counts, WEEK + timedelta(days=7))
    assert {f.shown for f in before.values()} == {"—"}
    assert all(f.value is None and f.note == ind.NOT_YET for f in before.values())
    assert set(before) == {i.key for i in ind.INDICATORS}
    made_on_sunday = ind.team_figures(counts, WEEK + timedelta(days=6))
    assert made_on_sunday == ind.figures(counts) and made_on_sunday["participation"].shown == "0%"
    assert ind.team_figures(counts, None) == ind.figures(counts)  # the organisation


@given(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.integers(-60, 60))
def test_a_team_exists_in_a_week_exactly_when_it_was_made_by_its_sunday(made, weeks):
    monday = made - timedelta(days=made.weekday()) + timedelta(weeks=weeks)
    assert ind.existed(made, monday) == (weeks >= 0)
    figures = ind.team_figures(WeekCounts(monday, 1, streaking=0), made)
    assert all(bool(f.note) == (weeks < 0) for f in figures.values())
