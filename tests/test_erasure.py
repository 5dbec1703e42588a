"""game.erasure: what an admin types to confirm a deletion, and the fate of each kind of thing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from game.erasure import CHOICES, FATES, confirms, fate

names = st.text(
    st.characters(whitelist_categories=("L", "M", "N", "P", "Zs")), min_size=1, max_size=40
)


def test_the_name_or_the_email_confirms_whatever_the_case_and_spacing():
    assert confirms("dana quill", "Dana Quill", "dana@example.com")
    assert confirms("  DANA   Quill ", "Dana Quill", "dana@example.com")
    assert confirms("Dana@Example.com", "Dana Quill", "dana@example.com")
    assert confirms("Ｄａｎａ Quill", "Dana Quill", "dana@example.com")  # full-width letters


@pytest.mark.parametrize("typed", ["", " ", "Dana", "Dana Quill.", "dana@example", "Bob Okafor"])
def test_anything_else_does_not(typed):
    assert not confirms(typed, "Dana Quill", "dana@example.com")


def test_an_empty_name_is_never_confirmed_by_typing_nothing():
    assert not confirms("", "", "")
    assert not confirms("  ", " ", "x@example.com")


@given(names, st.emails())
def test_the_exact_name_and_email_always_confirm(name, email):
    if name.split():
        assert confirms(name, name, email)
    assert confirms(email, name, email)


@given(names, names, st.emails())
def test_outer_and_repeated_spaces_never_matter(typed, name, email):
    spaced = "  " + "   ".join(typed.split()) + " "
    assert confirms(spaced, name, email) == confirms(typed, name, email)


@given(st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZ éÉ-'"), min_size=1), st.emails())
def test_case_never_matters(name, email):
    if name.split():
        assert confirms(name.swapcase(), name, email)
    assert confirms(email.upper(), name, email)


def test_what_others_made_about_the_person_stays_whatever_the_choice():
    for choice in CHOICES:
        assert fate(choice, "stories_about") == "anonymise"
        assert fate(choice, "recognitions_received") == "anonymise"
    assert fate("keep", "stories_told") == "anonymise"
    assert fate("delete", "stories_told") == "delete"
    assert fate("delete", "recognitions_given") == "delete"


def test_every_choice_decides_the_same_kinds():
    assert len({frozenset(kinds) for kinds in FATES.values()}) == 1
