"""Whether two time-zone names make the same days, and what to call a zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.days import local_date
from game.zones import aliases, by_region, canonical, city, label, same_days

TODAY = date(2026, 12, 1)
ZONES = sorted(available_timezones())


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("US/Eastern", "America/New_York"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Asia/Saigon", "Asia/Ho_Chi_Minh"),
        ("GB", "Europe/London"),
        ("Etc/UTC", "UTC"),
    ],
)
def test_an_old_name_from_tzdatas_backward_file_is_the_same_zone(old, new):
    assert same_days(old, new, TODAY)


def test_two_cities_on_one_clock_make_the_same_days():
    assert same_days("Europe/Paris", "Europe/Berlin", TODAY)
    assert same_days("Europe/Lisbon", "Europe/London", TODAY)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Europe/Berlin", "Europe/London"),
        ("Europe/Berlin", "UTC"),
        # The same offset all winter, apart for the summer's daylight saving.
        ("America/Phoenix", "America/Denver"),
        ("Asia/Kolkata", "Asia/Kathmandu"),
    ],
)
def test_zones_whose_offsets_part_at_any_moment_of_the_year_are_different(a, b):
    assert not same_days(a, b, TODAY)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(ZONES), st.sampled_from(ZONES))
def test_the_same_days_is_symmetric_and_means_the_same_local_date_all_year(a, b):
    assert same_days(a, b, TODAY) == same_days(b, a, TODAY)
    assert same_days(a, a, TODAY)
    if same_days(a, b, TODAY):
        start = datetime(2026, 12, 1, tzinfo=UTC)
        for hours in range(0, 365 * 24, 7):
            moment = start + timedelta(hours=hours)
            assert local_date(moment, a) == local_date(moment, b)


def test_a_zone_is_called_by_its_city():
    assert city("Europe/Berlin") == "Berlin"
    assert city("America/Argentina/Buenos_Aires") == "Buenos Aires"
    assert city("UTC") == "UTC"
    assert ZoneInfo("Asia/Calcutta")  # the phone's name is one zoneinfo knows


def test_the_zones_offered_are_tzdatas_canonical_ones_without_aliases():
    offered = {zone for _, group in by_region() for zone in group}
    assert offered == set(canonical())
    assert {"Asia/Kolkata", "America/Argentina/Buenos_Aires", "Europe/Kyiv"} <= offered
    assert not offered & {
        "Asia/Calcutta",
        "Africa/Asmera",
        "America/Buenos_Aires",
        "America/Knox_IN",
        "US/Eastern",
    }
    assert [region for region, _ in by_region()][:2] == ["Africa", "America"]


@given(st.sampled_from(sorted(aliases())))
def test_an_alias_names_a_listed_zone_with_the_same_days(alias):
    zone = aliases()[alias]
    assert zone in canonical()
    assert same_days(alias, zone, TODAY)


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("America/Argentina/Buenos_Aires", "Argentina / Buenos Aires"),
        ("America/Indiana/Knox", "Indiana / Knox"),
        ("Europe/Berlin", "Berlin"),
        ("UTC", "UTC"),
    ],
)
def test_a_zone_is_shown_by_its_place_under_its_region(zone, shown):
    assert label(zone) == shown
