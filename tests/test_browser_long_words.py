"""A real browser at a phone: a 300-character word in people's text wraps, the page never grows wider."""

from __future__ import annotations

import pytest

from conftest import browser_sign_in, make_person
from models import Announcement, CheckIn, Commitment, Recognition
from test_stories import TODAY, WEEK, tell

pytestmark = pytest.mark.browser

WORD = "Supercalifragilistic" * 15  # 300 characters with nowhere to break


@pytest.fixture
def long_words(lena, alice, bob):
    """North's week with one 300-character word in every kind of text people write."""
    make_person("W" * 80, "w@example.com", team=lena.team)
    story = tell(
        alice, bob, title=WORD[:120], situation=WORD, moment=f"{WORD} stayed.", impact=WORD
    )
    tell(alice, alice, title="", moment=WORD, lesson=WORD)
    Recognition.create(
        giver=alice,
        receiver=bob,
        team=bob.team_id,
        message=WORD,
        customer_kind="external",
        story=story,
        day=TODAY,
        week=WEEK,
    )
    Recognition.create(
        giver=bob,
        receiver=alice,
        team=alice.team_id,
        message=f"Thanks {WORD}",
        customer_kind="colleague",
        day=TODAY,
        week=WEEK,
    )
    Commitment.create(person=alice, week=WEEK, behaviour=WORD, situation=WORD)
    CheckIn.create(person=alice, day=TODAY, before="yes", before_note=WORD)
    announcement = Announcement.create(
        team=lena.team_id, week=WEEK, lead=lena, receiver=bob, text=WORD
    )
    recognition = Recognition.get(Recognition.receiver == bob)
    team = lena.team_id
    return [
        f"/teams/{team}/announcement",
        f"/teams/{team}/announcements",
        f"/announcements/{announcement.id}",
        "/stories",
        "/stories?scope=all",
        f"/stories/{story.id}",
        "/recognitions",
        f"/recognitions/{recognition.id}",
        "/news",
        f"/people/{bob.id}",
        f"/people/{alice.id}",
        "/",
        "/challenge",
        "/team",
        "/dashboard",
    ]


def test_a_long_word_wraps_on_every_page_that_shows_peoples_text(
    page, live_server, long_words, lena, alice
):
    wider = []
    for person, paths in ((lena, long_words), (alice, long_words[:-2])):
        browser_sign_in(page, live_server, person)
        for path in paths:
            page.goto(f"{live_server}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wider.append(f"{person.name} {path}: {width} px")
        page.context.clear_cookies()
    assert wider == []
