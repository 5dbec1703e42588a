"""Stories: the template, drafts, feeds, applause, story of the week, hiding, share links, cards."""

from __future__ import annotations

import io
import re
import threading
import time
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from PIL import Image

import models
import pwa.card_cache
import pwa.stories
from cards import card_hash
from conftest import make_person, sign_in
from models import CardImage, Person, Reaction, Story, StoryDraft

TODAY = date(2026, 11, 18)  # the conftest clock's Wednesday
WEEK = date(2026, 11, 16)

MOMENT = (
    "Their loan officer saw the email, called them within the hour, and spent 45 minutes "
    "walking through every number."
)


def story_form(member: Person, **changes) -> dict:
    """A complete story as the template sends it."""
    form = {
        "day": "2026-11-14",
        "member": str(member.id),
        "title": "The Saturday Call",
        "situation": "A borrower found a question about closing costs on Saturday afternoon.",
        "moment": MOMENT,
        "impact": "I felt like I was their only client.",
        "lesson": "A worried customer shouldn't wait for Monday.",
        "customer_kind": "external",
        "phase": "during",
    }
    form.update(changes)
    return form


def tell(author: Person, member: Person | None = None, **changes) -> Story:
    """A published story, written straight to the database."""
    member = member or author
    fields = {
        "author": author,
        "member": member,
        "team": member.team_id,
        "day": TODAY,
        "title": "The Saturday Call",
        "situation": "A question on Saturday.",
        "moment": MOMENT,
        "impact": "",
        "lesson": "",
        "customer_kind": "external",
        "phase": "during",
        "share_token": models.new_token(),
    }
    fields.update(changes)
    return Story.create(**fields)


def page_of(response) -> str:
    return response.get_data(as_text=True)


def card_digest(app, story: Story, size: str) -> str:
    with app.test_request_context():
        return card_hash(pwa.stories.card_text(story, size))


def card_path(page: str) -> str:
    return re.search(r'href="(/cards/\d+/portrait-[0-9a-f]+\.png)"', page).group(1)


def meta(page: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', page)
    assert match, f"no {key} in the page"
    return match.group(1)


@pytest.fixture
def as_bob(client, bob):
    return sign_in(client, bob)


@pytest.fixture
def as_carl(client, carl):
    return sign_in(client, carl)


@pytest.fixture
def sam(south):
    return make_person("Sam Ortega", "sam@example.com", role="lead", team=south)


# Telling a story -------------------------------------------------------------------------------


def test_the_stories_need_a_sign_in(client):
    response = client.get("/stories")
    assert response.status_code == 302
    assert response.location.startswith("/signin?next=/stories")
    assert client.get("/stories/new").status_code == 302


def test_the_template_opens_with_today_and_me_as_the_team_member(as_alice, alice, bob, carl):
    response = as_alice.get("/stories/new")
    assert response.status_code == 200
    page = page_of(response)
    assert page.count("<h1") == 1
    assert 'name="day" type="date" value="2026-11-18"' in page
    assert f'<option value="{alice.id}" selected>Me · North</option>' in page
    assert "Bob Okafor · North" in page
    assert "Carl Jensen · South" in page
    for label in ("The situation", "The One True Customer moment", "The impact", "The lesson"):
        assert label in page
    assert 'name="customer_kind" value="external"' in page
    assert 'name="phase" value="before"' in page
    assert 'hx-post="/stories/draft"' in page
    assert 'hx-trigger="input changed delay:800ms"' in page
    assert ">Publish story</button>" in page


def test_publishing_a_story_saves_it_and_opens_its_page(as_alice, alice, bob):
    response = as_alice.post("/stories/new", data=story_form(bob))
    assert response.status_code == 303
    story = Story.get()
    assert response.location == f"/stories/{story.id}"
    assert (story.author_id, story.member_id, story.team_id) == (alice.id, bob.id, bob.team_id)
    assert story.day == date(2026, 11, 14)
    assert (story.title, story.moment, story.customer_kind, story.phase) == (
        "The Saturday Call",
        MOMENT,
        "external",
        "during",
    )
    assert story.share_token and len(story.share_token) >= 40
    page = page_of(as_alice.get(response.location))
    assert "The Saturday Call</h1>" in page
    assert "About <strong>Bob Okafor</strong>, told by you" in page
    assert MOMENT in page
    assert "Your story is on the feed" in page


def test_a_story_about_a_colleague_belongs_to_the_colleagues_team(as_alice, carl, south):
    as_alice.post("/stories/new", data=story_form(carl, customer_kind="colleague", phase="before"))
    story = Story.get()
    assert story.team_id == south.id
    assert (story.customer_kind, story.phase) == ("colleague", "before")


def test_impact_lesson_and_title_may_be_left_out(as_alice, alice):
    response = as_alice.post("/stories/new", data=story_form(alice, title="", impact="", lesson=""))
    assert response.status_code == 303
    story = Story.get()
    assert (story.title, story.impact, story.lesson) == ("", "", "")
    page = page_of(as_alice.get(response.location))
    # Without a title, the moment's opening words stand in, the same on every page.
    assert f"{story.heading}</h1>" in page and story.moment.startswith(story.heading.rstrip("…"))
    assert story.heading in page_of(as_alice.get("/stories"))
    assert "The impact" not in page


# Drafts ----------------------------------------------------------------------------------------


def test_the_draft_is_kept_while_typing_and_answers_with_a_fragment(as_alice, alice):
    response = as_alice.htmx(
        "POST", "/stories/draft", data={"moment": "Called back within the hour", "phase": "during"}
    )
    assert response.status_code == 200
    body = page_of(response)
    assert "<html" not in body
    assert body.lstrip().startswith('<p id="story-draft"')
    assert "Draft saved · 11:00" in body  # 10:00 UTC is 11:00 in Berlin
    draft = StoryDraft.get(StoryDraft.person == alice)
    assert (draft.moment, draft.phase) == ("Called back within the hour", "during")


def test_a_draft_sent_by_beacon_as_the_page_closes_is_kept_with_no_page_back(as_alice, alice):
    response = as_alice.post(
        "/stories/draft",
        data={"moment": "Typed just before closing", "via": "beacon"},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 204
    assert response.data == b""
    assert StoryDraft.get(StoryDraft.person == alice).moment == "Typed just before closing"


def test_a_beacon_without_the_csrf_token_keeps_nothing(as_alice, alice):
    response = as_alice.post(
        "/stories/draft", data={"moment": "Forged", "via": "beacon"}, csrf=False
    )
    assert response.status_code == 400
    assert StoryDraft.select().count() == 0


def test_the_draft_comes_back_in_the_template(as_alice, bob):
    as_alice.htmx(
        "POST",
        "/stories/draft",
        data={
            "member": str(bob.id),
            "title": "Half a story",
            "situation": "It was Saturday.",
            "customer_kind": "colleague",
        },
    )
    page = page_of(as_alice.get("/stories/new"))
    assert 'value="Half a story"' in page
    assert ">It was Saturday.</textarea>" in page
    assert f'<option value="{bob.id}" selected>' in page
    assert 'name="customer_kind" value="colleague" checked' in page
    assert 'value="2026-11-18"' in page  # no date typed yet: still today
    assert "Your draft from 11:00 is back." in page
    assert ">Discard draft</button>" in page


def test_the_draft_survives_closing_the_app_and_signing_in_again(app, as_alice, alice):
    as_alice.htmx("POST", "/stories/draft", data={"situation": "Kept on the server."})
    later = sign_in(app.test_client(), alice)
    assert ">Kept on the server.</textarea>" in page_of(later.get("/stories/new"))


def test_each_person_keeps_one_draft_of_their_own(as_alice, alice, bob):
    as_alice.htmx("POST", "/stories/draft", data={"situation": "First words."})
    as_alice.htmx("POST", "/stories/draft", data={"situation": "First words, then more."})
    assert StoryDraft.select().where(StoryDraft.person == alice).count() == 1
    assert StoryDraft.get(StoryDraft.person == alice).situation == "First words, then more."
    as_alice.post("/signout")
    other = sign_in(as_alice, bob)
    assert "First words" not in page_of(other.get("/stories/new"))


def test_saving_the_draft_without_javascript_returns_to_the_template(as_alice, alice):
    response = as_alice.post("/stories/draft", data={"situation": "No JavaScript here."})
    assert response.status_code == 303
    assert response.location == "/stories/new?saved=1"
    page = page_of(as_alice.get(response.location))
    assert "Draft saved · 11:00" in page
    assert ">No JavaScript here.</textarea>" in page


def test_publishing_forgets_the_draft(as_alice, alice):
    as_alice.htmx("POST", "/stories/draft", data={"situation": "Almost done."})
    as_alice.post("/stories/new", data=story_form(alice))
    assert StoryDraft.select().count() == 0
    assert "Almost done." not in page_of(as_alice.get("/stories/new"))


def test_discarding_the_draft_asks_first_and_keeps_the_text_until_confirmed(as_alice, alice):
    as_alice.htmx("POST", "/stories/draft", data={"situation": "Never mind."})
    asked = as_alice.post("/stories/draft/discard", data={"situation": "Never mind, typed more."})
    assert asked.status_code == 303
    assert asked.location == "/stories/draft/discard"  # the address a reload can open again
    asking = page_of(as_alice.get("/stories/draft/discard"))
    assert "Discard your draft?" in asking
    assert "“Never mind, typed more.”" in asking
    assert StoryDraft.get().situation == "Never mind, typed more."
    assert "Never mind, typed more." in page_of(as_alice.get("/stories/new"))
    response = as_alice.post("/stories/draft/discard", data={"confirm": "yes"})
    assert response.status_code == 303
    assert response.location == "/stories/new"
    assert StoryDraft.select().count() == 0
    assert "Never mind." not in page_of(as_alice.get("/stories/new"))


def test_discarding_quotes_the_situation_when_the_moment_shows_nothing(as_alice, alice):
    as_alice.post(
        "/stories/draft/discard", data={"moment": "\u200b\u2060", "situation": "A Saturday."}
    )
    page = page_of(as_alice.get("/stories/draft/discard"))
    assert "“A Saturday.”" in page
    assert "“\u200b" not in page


def test_asking_to_discard_without_a_draft_opens_the_template(as_alice):
    response = as_alice.get("/stories/draft/discard")
    assert response.status_code == 302
    assert response.location == "/stories/new"


def test_a_huge_draft_is_kept_within_bounds_never_a_500(as_alice, alice):
    response = as_alice.htmx(
        "POST", "/stories/draft", data={"moment": "x" * 30000, "day": "9" * 100}
    )
    assert response.status_code == 200
    draft = StoryDraft.get(StoryDraft.person == alice)
    assert len(draft.moment) == models.STORY_DRAFT_MAX
    assert len(draft.day) == 32


# Bad input -------------------------------------------------------------------------------------


def test_empty_required_fields_come_back_with_a_message_each_and_the_text_kept(as_alice, alice):
    response = as_alice.post(
        "/stories/new",
        data=story_form(
            alice, situation="  ", moment="", customer_kind="", phase="", impact="Kept."
        ),
    )
    assert response.status_code == 422
    page = page_of(response)
    assert "The situation is needed." in page
    assert "The One True Customer moment is needed." in page
    assert "Tap External customer or Colleague." in page
    assert "Tap Before, During or After." in page
    assert ">Kept.</textarea>" in page
    assert 'value="The Saturday Call"' in page
    assert 'aria-invalid="true" aria-describedby="moment-error"' in page
    assert Story.select().count() == 0


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b",
        "\u200b\u200c\u200d",
        "\u2060\ufeff",
        "\u0301\u0308\u0323",  # combining marks with no letter under them
        "\u200b \u00a0\u3000\u200d\n\u2800\u3164",  # spaces and signs drawn as blank
        "\ufe0f\u034f\U000e0041",
    ],
)
def test_a_moment_of_only_invisible_characters_counts_as_empty(as_alice, alice, invisible):
    form = story_form(alice, moment=f"\u200b{invisible}\u200b", situation=invisible)
    response = as_alice.post("/stories/new", data=form)
    assert response.status_code == 422
    page = page_of(response)
    assert "The One True Customer moment is needed" in page
    assert "The situation is needed" in page
    assert f">\u200b{invisible.strip()}\u200b</textarea>" in page
    assert "Almost there: 2 things to fix below." in page
    assert Story.select().count() == 0


@pytest.mark.parametrize(
    "moment",
    [
        "\u200be\u0301\u200d",
        "\U0001fae8",  # an emoji newer than this Python's Unicode tables
        "\U0001f469\u200d\U0001f469\u200d\U0001f467",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian keeps its ZWNJ
    ],
)
def test_a_moment_with_something_visible_among_invisible_characters_is_kept(
    as_alice, alice, moment
):
    response = as_alice.post("/stories/new", data=story_form(alice, moment=moment, title="\u200b"))
    assert response.status_code == 303
    story = Story.get()
    assert story.moment == moment
    assert story.title == ""  # a title nobody can see is no title: the heading is the moment


def test_an_edit_to_an_invisible_moment_is_refused_and_the_story_kept(as_alice, alice):
    story = tell(alice)
    response = as_alice.post(f"/stories/{story.id}/edit", data=story_form(alice, moment="\u2060"))
    assert response.status_code == 422
    assert "The One True Customer moment is needed" in page_of(response)
    assert Story.get_by_id(story.id).moment == MOMENT


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("situation", "a" * 2001, "The situation is 2,001 characters; 2,000 at most, please."),
        (
            "moment",
            "b" * 2001,
            "The One True Customer moment is 2,001 characters; 2,000 at most, please.",
        ),
        ("impact", "c " * 1001, "The impact is 2,001 characters; 2,000 at most, please."),
        ("lesson", "d" * 2500, "The lesson is 2,500 characters; 2,000 at most, please."),
        ("title", "e" * 121, "The title is 121 characters; 120 at most, please."),
        (
            "moment",
            "w" * 10000,
            "The One True Customer moment is 10,000 characters; 2,000 at most, please.",
        ),
        ("customer_kind", "vendor", "Tap External customer or Colleague."),
        ("phase", "someday", "Tap Before, During or After."),
        ("day", "yesterday", "Pick the date it happened."),
        ("day", "2026-11-19", "The date can't be in the future: today is Wednesday 18 November."),
        ("day", "20261-11-14", "The date can't be in the future"),
        ("day", "275760-09-13", "The date can't be in the future"),
        ("day", "2026-02-30", "Pick the date it happened."),
        ("day", "1900-01-01", "Pick a date from 1970 on."),
        ("member", "999999", "that person isn't in the organisation"),
        ("member", "99999999999999999999999", "that person isn't in the organisation"),
        ("member", "bob", "that person isn't in the organisation"),
        ("member", "", "that person isn't in the organisation"),
    ],
)
def test_bad_input_comes_back_with_a_clear_message_and_the_text_kept(
    as_alice, alice, field, value, message
):
    form = {**story_form(alice), field: value}
    response = as_alice.post("/stories/new", data=form)
    assert response.status_code == 422
    page = page_of(response)
    assert str(escape(message)) in page
    assert MOMENT in page or field == "moment"
    if field in ("situation", "moment", "impact", "lesson", "title"):
        assert value.strip() in page
    assert Story.select().count() == 0
    # The refused text is kept on the server too, in case the tab closes now.
    assert StoryDraft.get(StoryDraft.person == alice).situation == form["situation"].strip()


def test_an_edit_moving_the_story_into_the_future_is_refused_with_the_changes_kept(as_alice, alice):
    story = tell(alice)
    changed = {**story_form(alice), "day": "2026-12-24", "lesson": "Answer on the first ring."}
    response = as_alice.post(f"/stories/{story.id}/edit", data=changed)
    assert response.status_code == 422
    page = page_of(response)
    assert str(escape("The date can't be in the future")) in page
    assert "Answer on the first ring." in page and 'value="2026-12-24"' in page
    assert Story.get_by_id(story.id).day == TODAY


def test_an_inactive_colleague_cannot_be_the_team_member(as_alice, bob):
    Person.update(active=False).where(Person.id == bob.id).execute()
    response = as_alice.post("/stories/new", data=story_form(bob))
    assert response.status_code == 422
    assert "Bob Okafor is no longer active here." in page_of(response)
    assert f'<option value="{bob.id}"' not in page_of(response)
    assert Story.select().count() == 0


def test_markup_is_kept_as_text_and_never_runs(as_alice, alice):
    script = '<script>alert("hi")</script><img src=x onerror=alert(1)>'
    as_alice.post("/stories/new", data=story_form(alice, title=script[:100], moment=script))
    story = Story.get()
    assert story.moment == script
    page = page_of(as_alice.get(f"/stories/{story.id}"))
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;" in page
    feed = page_of(as_alice.get("/stories"))
    assert "<script>alert" not in feed


def test_control_characters_are_stripped(as_alice, alice):
    form = story_form(alice, moment="Called\x00 back\x07 at once\x1b.\r\nThen again.")
    as_alice.post("/stories/new", data=form)
    assert Story.get().moment == "Called back at once.\nThen again."


# Editing and deleting ----------------------------------------------------------------------------


def test_the_author_edits_their_story_and_its_card_gets_a_new_url(as_alice, alice, bob):
    story = tell(alice, bob)
    old_card = card_path(page_of(as_alice.get(f"/stories/{story.id}")))
    form_page = page_of(as_alice.get(f"/stories/{story.id}/edit"))
    assert "Edit your story</h1>" in form_page
    assert 'hx-post="/stories/draft"' not in form_page
    response = as_alice.post(
        f"/stories/{story.id}/edit", data=story_form(bob, moment="Called back the same hour.")
    )
    assert response.status_code == 303
    assert response.location == f"/stories/{story.id}"
    edited = Story.get_by_id(story.id)
    assert edited.moment == "Called back the same hour."
    assert edited.day == date(2026, 11, 14)
    new_card = card_path(page_of(as_alice.get(f"/stories/{story.id}")))
    assert new_card != old_card
    moved = as_alice.get(old_card)
    assert moved.status_code == 302
    assert moved.location == new_card


def test_an_edited_storys_old_card_renders_are_dropped(app, as_alice, alice, bob):
    story = tell(alice, bob)
    for n in range(4):
        as_alice.post(f"/stories/{story.id}/edit", data=story_form(bob, moment=f"Edit {n}."))
        assert (
            as_alice.get(card_path(page_of(as_alice.get(f"/stories/{story.id}")))).status_code
            == 200
        )
    rows = CardImage.select().where(CardImage.story == story.id)
    assert [(row.size, row.hash) for row in rows] == [
        ("portrait", card_digest(app, Story.one(story.id), "portrait"))
    ]


def test_an_edit_with_bad_input_comes_back_with_the_text_kept(as_alice, alice):
    story = tell(alice)
    response = as_alice.post(
        f"/stories/{story.id}/edit", data=story_form(alice, moment="", lesson="New lesson.")
    )
    assert response.status_code == 422
    assert "The One True Customer moment is needed." in page_of(response)
    assert ">New lesson.</textarea>" in page_of(response)
    assert Story.get_by_id(story.id).moment == MOMENT


def test_changing_the_team_member_moves_the_story_to_their_team(as_alice, alice, carl, south):
    story = tell(alice)
    as_alice.post(f"/stories/{story.id}/edit", data=story_form(carl))
    assert Story.get_by_id(story.id).team_id == south.id


def test_bob_cannot_edit_or_delete_alices_story(as_bob, alice):
    story = tell(alice)
    assert as_bob.get(f"/stories/{story.id}/edit").status_code == 403
    assert (
        as_bob.post(
            f"/stories/{story.id}/edit", data=story_form(alice, moment="Mine now")
        ).status_code
        == 403
    )
    assert as_bob.get(f"/stories/{story.id}/delete").status_code == 403
    assert as_bob.post(f"/stories/{story.id}/delete").status_code == 403
    assert Story.get_by_id(story.id).moment == MOMENT
    page = page_of(as_bob.get(f"/stories/{story.id}"))
    assert "/edit" not in page
    assert "Delete</a>" not in page


def test_a_lead_cannot_edit_a_story_they_did_not_tell(as_lena, alice):
    story = tell(alice)
    assert as_lena.post(f"/stories/{story.id}/edit", data=story_form(alice)).status_code == 403


def test_deleting_asks_first_then_takes_the_story_its_applause_and_cards(as_alice, alice, bob):
    story = tell(alice)
    Reaction.create(story=story, person=bob)
    as_alice.get(card_path(page_of(as_alice.get(f"/stories/{story.id}"))))
    assert CardImage.select().count() == 1
    confirm = as_alice.get(f"/stories/{story.id}/delete")
    assert confirm.status_code == 200
    assert ">Delete the story</button>" in page_of(confirm)
    response = as_alice.post(f"/stories/{story.id}/delete")
    assert response.status_code == 303
    assert response.location == "/stories"
    assert Story.select().count() == 0
    assert Reaction.select().count() == 0
    assert CardImage.select().count() == 0
    assert as_alice.get(f"/stories/{story.id}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/stories/999"),
        ("GET", "/stories/999/edit"),
        ("POST", "/stories/999/edit"),
        ("GET", "/stories/999/delete"),
        ("POST", "/stories/999/delete"),
        ("POST", "/stories/999/applause"),
        ("POST", "/stories/999/feature"),
        ("POST", "/stories/999/hide"),
        ("POST", "/stories/999/share"),
        ("GET", "/cards/999/portrait-0123456789abcdef.png"),
        ("GET", "/stories/99999999999999999999999"),
        ("POST", "/stories/99999999999999999999999/applause"),
        ("GET", "/cards/99999999999999999999999/preview-0123456789abcdef.png"),
        ("GET", "/s/not-a-real-token"),
        ("GET", "/s/not-a-real-token/preview-0123456789abcdef.png"),
    ],
)
def test_unknown_stories_are_404(as_alice, method, path):
    assert as_alice.open(path, method=method).status_code == 404


# Applause --------------------------------------------------------------------------------------


def test_applause_toggles_and_the_widget_replaces_itself(as_alice, alice, bob):
    story = tell(bob)
    response = as_alice.htmx("POST", f"/stories/{story.id}/applause")
    assert response.status_code == 200
    body = page_of(response)
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="story-reactions"')
    assert 'aria-pressed="true"' in body
    assert "You applauded." in body
    assert Reaction.select().where(Reaction.story == story).count() == 1
    again = page_of(as_alice.htmx("POST", f"/stories/{story.id}/applause"))
    assert 'aria-pressed="false"' in again
    assert "Be the first to applaud." in again
    assert Reaction.select().count() == 0


def test_applause_is_one_per_person(app, as_alice, alice, bob, lena):
    story = tell(bob)
    Reaction.create(story=story, person=lena)
    as_alice.htmx("POST", f"/stories/{story.id}/applause")
    assert "You and 1 other applauded." in page_of(as_alice.get(f"/stories/{story.id}"))
    assert Reaction.select().where(Reaction.story == story).count() == 2
    with pytest.raises(models.IntegrityError), models.db.atomic():
        Reaction.create(story=story, person=alice)


def test_applause_without_javascript_returns_to_the_story(as_alice, bob):
    story = tell(bob)
    response = as_alice.post(f"/stories/{story.id}/applause")
    assert response.status_code == 303
    assert response.location == f"/stories/{story.id}"
    assert Reaction.select().count() == 1


# Story of the week and hiding --------------------------------------------------------------------


def test_a_lead_makes_a_story_the_story_of_the_week_pinned_on_the_team_feed(
    client, lena, alice, bob
):
    older = tell(alice, title="The Memory")
    newer = tell(bob, title="The Second One")
    sign_in(client, lena)
    response = client.post(f"/stories/{older.id}/feature")
    assert response.status_code == 303
    assert response.location == f"/stories/{older.id}"
    assert Story.get_by_id(older.id).featured_week == WEEK
    client.post("/signout")
    sign_in(client, bob)
    page = page_of(client.get("/stories"))
    pinned = page.index("Story of the week")
    assert pinned < page.index("The Memory") < page.index("The Second One")
    assert page.count("The Memory</a>") == 1
    assert "★ Story of the week" in page_of(client.get(f"/stories/{older.id}")).replace(
        '<span aria-hidden="true">★</span>', "★"
    )
    assert newer.featured_week is None


def test_a_new_story_of_the_week_replaces_the_last_pick(as_lena, alice):
    first, second = tell(alice), tell(alice)
    as_lena.post(f"/stories/{first.id}/feature")
    as_lena.post(f"/stories/{second.id}/feature")
    assert Story.get_by_id(first.id).featured_week is None
    assert Story.get_by_id(second.id).featured_week == WEEK
    as_lena.post(f"/stories/{second.id}/feature")
    assert Story.get_by_id(second.id).featured_week is None


def test_carl_and_other_teams_leads_cannot_feature_or_hide_norths_story(
    client, carl, sam, alice, bob
):
    story = tell(alice)
    for person in (carl, sam, bob):
        sign_in(client, person)
        assert client.post(f"/stories/{story.id}/feature").status_code == 403
        assert client.post(f"/stories/{story.id}/hide").status_code == 403
        assert "Make story of the week" not in page_of(client.get(f"/stories/{story.id}"))
        client.post("/signout")
    row = Story.get_by_id(story.id)
    assert (row.featured_week, row.hidden) == (None, False)


def test_an_admin_may_feature_and_hide_any_story(as_ada, carl):
    story = tell(carl)
    assert as_ada.post(f"/stories/{story.id}/feature").status_code == 303
    assert as_ada.post(f"/stories/{story.id}/hide").status_code == 303
    row = Story.get_by_id(story.id)
    assert row.featured_week is not None and row.hidden


def test_a_hidden_story_is_seen_only_by_its_author_the_lead_and_admins(
    client, alice, bob, lena, carl, ada
):
    story = tell(alice, title="Quiet One")
    sign_in(client, lena)
    assert client.post(f"/stories/{story.id}/hide").status_code == 303
    row = Story.get_by_id(story.id)
    assert row.hidden and row.hidden_by_id == lena.id
    for person in (alice, lena, ada):
        client.post("/signout")
        sign_in(client, person)
        page = page_of(client.get(f"/stories/{story.id}"))
        assert "Quiet One</h1>" in page
        assert "Hidden</li>" in page
        assert "Quiet One</a>" in page_of(client.get("/stories?scope=org"))
    for person in (bob, carl):
        client.post("/signout")
        sign_in(client, person)
        assert client.get(f"/stories/{story.id}").status_code == 404
        assert client.post(f"/stories/{story.id}/applause").status_code == 404
        assert "Quiet One" not in page_of(client.get("/stories?scope=org"))
        assert "Quiet One" not in page_of(client.get("/stories"))


def test_unhiding_puts_the_story_back(as_lena, alice):
    story = tell(alice)
    as_lena.post(f"/stories/{story.id}/hide")
    as_lena.post(f"/stories/{story.id}/hide")
    row = Story.get_by_id(story.id)
    assert (row.hidden, row.hidden_by_id) == (False, None)


def test_a_hidden_story_of_the_week_is_not_pinned(as_lena, alice):
    story = tell(alice, title="Pinned Then Hidden")
    as_lena.post(f"/stories/{story.id}/feature")
    as_lena.post(f"/stories/{story.id}/hide")
    assert "Story of the week</h2>" not in page_of(as_lena.get("/stories"))
    assert "Make story of the week" not in page_of(as_lena.get(f"/stories/{story.id}"))
    assert as_lena.post(f"/stories/{story.id}/feature").status_code == 303  # the pick is taken back
    assert Story.get_by_id(story.id).featured_week is None
    assert as_lena.post(f"/stories/{story.id}/feature").status_code == 409


def test_a_story_of_the_week_moved_to_another_team_is_no_ones_pick(
    client, alice, bob, carl, lena, sam
):
    norths = tell(alice, bob, title="North's Pick")
    souths = tell(carl, title="The South Pick")
    sign_in(client, lena)
    client.post(f"/stories/{norths.id}/feature")
    client.post("/signout")
    sign_in(client, sam)
    client.post(f"/stories/{souths.id}/feature")
    client.post("/signout")
    sign_in(client, alice)
    assert client.post(f"/stories/{norths.id}/edit", data=story_form(carl)).status_code == 303
    moved = Story.get_by_id(norths.id)
    assert (moved.team_id, moved.featured_week) == (carl.team_id, None)
    assert Story.get_by_id(souths.id).featured_week == WEEK
    assert "Story of the week</h2>" not in page_of(client.get("/stories"))
    client.post("/signout")
    sign_in(client, carl)
    south_feed = page_of(client.get("/stories"))
    pinned = south_feed.index("Story of the week</h2>")
    assert (
        pinned < south_feed.index("The South Pick</a>") < south_feed.index("The Saturday Call</a>")
    )
    assert "Story of the week" not in page_of(client.get(f"/stories/{norths.id}"))


def test_a_story_of_the_week_keeps_its_pick_when_the_member_is_a_teammate(as_lena, lena, bob):
    story = tell(lena, lena)
    as_lena.post(f"/stories/{story.id}/feature")
    as_lena.post(f"/stories/{story.id}/edit", data=story_form(bob))
    assert Story.get_by_id(story.id).featured_week == WEEK
    assert "Story of the week</h2>" in page_of(as_lena.get("/stories"))


def test_a_pick_made_on_a_story_that_just_moved_team_changes_nothing(
    as_lena, alice, bob, carl, sam
):
    earlier, souths = tell(alice, title="Earlier Pick"), tell(carl, title="The South Pick")
    Story.update(featured_week=WEEK).where(Story.id.in_([earlier.id, souths.id])).execute()
    story = Story.get_by_id(tell(alice, bob).id)  # as the lead's request read it, in North
    Story.update(team=carl.team_id, member=carl).where(Story.id == story.id).execute()
    assert story.feature(WEEK, datetime(2026, 11, 18, 9, 0)) is False
    featured = {s.id for s in Story.select().where(Story.featured_week == WEEK)}
    assert featured == {earlier.id, souths.id}


# Feeds -----------------------------------------------------------------------------------------


def test_the_feed_shows_my_teams_stories_newest_first_and_everyone_on_the_other_tab(
    as_alice, alice, bob, carl
):
    tell(alice, title="North First")
    tell(bob, title="North Second")
    tell(carl, title="South Story")
    response = as_alice.get("/stories")
    assert response.status_code == 200
    page = page_of(response)
    assert "North's stories</h1>" in page
    assert page.index("North Second") < page.index("North First")
    assert "South Story" not in page
    assert 'href="/stories/new"' in page and "Share a story</a>" in page
    assert (
        'href="/stories" aria-current="page"><span class="tab-icon" aria-hidden="true">❝</span>Stories'
        in page
    )
    everyone = page_of(as_alice.get("/stories?scope=org"))
    assert (
        everyone.index("South Story")
        < everyone.index("North Second")
        < everyone.index("North First")
    )


def test_carl_reads_norths_stories_in_the_organisation_feed(as_carl, alice):
    story = tell(alice, title="Across Teams")
    assert "Across Teams" in page_of(as_carl.get("/stories?scope=org"))
    assert as_carl.get(f"/stories/{story.id}").status_code == 200


def test_someone_without_a_team_sees_the_whole_organisation(as_ada, alice, carl):
    tell(alice, title="From North")
    tell(carl, title="From South")
    page = page_of(as_ada.get("/stories"))
    assert "Stories from everyone</h1>" in page
    assert "From North" in page and "From South" in page
    assert "My team</a>" not in page


def test_the_feed_pages_by_keyset_with_a_more_link_and_htmx_rows(as_alice, alice):
    stories = [tell(alice, title=f"Story number {n:02d}") for n in range(1, 24)]
    response = as_alice.get("/stories")
    assert "HX-Request" in response.headers["Vary"]
    page = page_of(response)
    assert "Story number 23" in page and "Story number 14" in page
    assert "Story number 13" not in page
    more = f"/stories?before={stories[13].id}"
    assert f'href="{more}" hx-get="{more}" hx-trigger="revealed"' in page
    rows = as_alice.htmx("GET", more)
    assert rows.status_code == 200
    body = page_of(rows)
    assert "<html" not in body
    assert "Story number 13" in body and "Story number 04" in body
    assert "Story number 14" not in body and "Story number 03" not in body
    last = as_alice.htmx("GET", f"/stories?before={stories[3].id}")
    body = page_of(last)
    assert "Story number 01" in body
    assert "More stories" not in body
    assert "<html" in page_of(as_alice.get(more))  # without htmx: a whole page of older stories


@pytest.mark.parametrize("before", ["0", "-5", "abc", "99999999999999999999999"])
def test_a_strange_before_shows_the_newest_stories(as_alice, alice, before):
    tell(alice, title="Still Here")
    response = as_alice.get(f"/stories?before={before}")
    assert response.status_code == 200
    assert "Still Here" in page_of(response)


def test_paging_the_organisation_feed_keeps_the_scope(as_alice, alice, carl):
    stories = [tell(carl if n % 2 else alice, title=f"Org story {n:02d}") for n in range(12)]
    page = page_of(as_alice.get("/stories?scope=org"))
    assert f"/stories?scope=org&amp;before={stories[2].id}" in page


def test_an_empty_feed_invites_the_first_story(as_alice):
    page = page_of(as_alice.get("/stories"))
    assert "No stories here yet" in page
    assert "Tell the first one" in page


# Share links -----------------------------------------------------------------------------------


def test_the_share_link_shows_only_the_card_with_open_graph_tags(app, client, alice, bob):
    story = tell(
        alice, bob, situation="A private detail of the situation.", lesson="A private lesson."
    )
    response = client.get(f"/s/{story.share_token}")
    assert response.status_code == 200
    page = page_of(response)
    preview, portrait = card_digest(app, story, "preview"), card_digest(app, story, "portrait")
    assert meta(page, "og:image") == f"http://localhost/s/{story.share_token}/preview-{preview}.png"
    assert meta(page, "og:image:width") == "1200"
    assert meta(page, "og:image:height") == "630"
    assert meta(page, "og:url") == f"http://localhost/s/{story.share_token}"
    assert meta(page, "og:title") == "The Saturday Call"
    assert meta(page, "og:description") == MOMENT
    assert meta(page, "twitter:card") == "summary_large_image"
    assert f'src="/s/{story.share_token}/portrait-{portrait}.png"' in page
    assert "Sign in to read the story" in page
    assert f"/signin?next=/stories/{story.id}" in page
    assert "A private detail" not in page and "A private lesson" not in page
    assert "Alice" not in page
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_the_share_description_is_an_excerpt_of_the_moment(client, alice):
    long_moment = "She called back at once and stayed on the line. " * 40
    story = tell(alice, moment=long_moment)
    description = meta(page_of(client.get(f"/s/{story.share_token}")), "og:description")
    assert len(description) <= 200
    assert description.endswith("…")
    assert long_moment.startswith(description[:-1])


def test_the_share_page_names_the_story_once_to_the_eye_its_heading_kept_for_screen_readers(
    client, alice, bob
):
    story = tell(alice, bob)
    page = page_of(client.get(f"/s/{story.share_token}"))
    body = page[page.index("<body") :]
    assert re.findall(r"<h1[^>]*>([^<]*)</h1>", body) == ["The Saturday Call"]
    assert re.search(r'<h1 id="public-title" class="visually-hidden">', body)
    assert (
        body.count("The Saturday Call") == 1
    )  # the card image shows it; its alt describes the card
    assert re.search(r'alt="Story card: [^"]*Bob', body)


def test_the_public_url_setting_makes_the_absolute_links(app, client, alice):
    app.config["PUBLIC_URL"] = "https://otc.example.org/"
    story = tell(alice)
    page = page_of(client.get(f"/s/{story.share_token}"))
    assert meta(page, "og:image").startswith(
        f"https://otc.example.org/s/{story.share_token}/preview-"
    )
    assert meta(page, "og:url") == f"https://otc.example.org/s/{story.share_token}"


def test_the_story_page_offers_share_download_and_copy_link(as_alice, alice):
    story = tell(alice)
    page = page_of(as_alice.get(f"/stories/{story.id}"))
    card = card_path(page)
    assert f'href="{card}" download="one-true-customer-story-{story.id}.png"' in page
    assert ">Download card</a>" in page
    assert 'data-copy="#share-link">Copy link</button>' in page
    assert f'value="http://localhost/s/{story.share_token}"' in page
    assert "data-share hidden" in page and ">Share</button>" in page
    assert re.search(r'<script src="/static/js/share\.[0-9a-f]{12}\.js" defer></script>', page)


def test_the_story_page_shows_its_card_as_a_small_webp_and_keeps_the_png_to_share(
    app, as_alice, alice, bob
):
    story = tell(alice, bob)
    page = page_of(as_alice.get(f"/stories/{story.id}"))
    digest = card_digest(app, story, "portrait")
    shown = f"/cards/{story.id}/portrait-{digest}.webp"
    assert f'class="card-preview" src="{shown}" width="480" height="600"' in page
    # Until the card is in, its place says what is happening, without JavaScript too.
    assert re.search(
        r'<div class="card-frame">\s*<p class="card-drawing" aria-hidden="true" data-card-drawing>'
        r"Drawing the card…</p>\s*<img class=\"card-preview\"",
        page,
    )
    assert card_path(page) == f"/cards/{story.id}/portrait-{digest}.png"
    response = as_alice.get(shown)
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.headers["ETag"] == f'"{digest}"'
    image = Image.open(io.BytesIO(response.data))
    assert (image.format, image.size) == ("WEBP", (480, 600))
    png = as_alice.get(card_path(page)).data
    assert len(response.data) < len(png) / 3
    # Made once and kept beside the PNG, so another process serves it without drawing.
    assert CardImage.png_for(digest, "portrait-webp") == response.data
    assert (
        as_alice.get(f"/cards/{story.id}/portrait-{'0' * 64}.webp")
        .headers["Location"]
        .endswith(shown)
    )
    assert app.test_client().get(shown).status_code in (302, 303)  # signed out: to sign-in


class Links(HTMLParser):
    """Every <a href> of a page, with its attributes."""

    def __init__(self):
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.links.append(dict(attrs))


def links_of(page: str) -> list[dict[str, str | None]]:
    parser = Links()
    parser.feed(page)
    return parser.links


def pages_to_visit(app, story: Story) -> list[str]:
    """Each page without parameters in the app, and each page of one story."""
    plain = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    ]
    one = [f"/stories/{story.id}", f"/stories/{story.id}/edit", f"/stories/{story.id}/delete"]
    return [*plain, *one, "/stories?scope=org", f"/s/{story.share_token}"]


@pytest.mark.parametrize("who", ["alice", "lena", "ada", None])
def test_every_link_to_a_file_or_the_share_page_is_not_boosted(app, client, who, request):
    # hx-boost on <body> would fetch a PNG over XHR and swap its bytes into the page.
    alice = request.getfixturevalue("alice")
    story = tell(alice, request.getfixturevalue("bob"))
    StoryDraft.keep(alice, {"moment": "A draft."}, datetime(2026, 11, 18, 9, 0))
    if who:
        sign_in(client, request.getfixturevalue(who))
    kinds: dict[str, str] = {}
    checked = 0
    for url in pages_to_visit(app, story):
        response = client.get(url)
        if response.mimetype != "text/html":
            continue
        for link in links_of(page_of(response)):
            href = link["href"].split("#")[0]
            if not href.startswith("/"):
                continue
            if href not in kinds:
                kinds[href] = client.get(href).mimetype
            if kinds[href] != "text/html" or href.startswith("/s/"):
                checked += 1
                assert link.get("hx-boost") == "false", f"{href} on {url} is boosted"
    assert checked >= (1 if who else 0)


def test_revoking_the_share_link_makes_the_old_url_show_nothing(app, as_alice, alice):
    story = tell(alice)
    old = story.share_token
    old_card = f"/s/{old}/preview-{card_digest(app, story, 'preview')}.png"
    assert as_alice.get(old_card).status_code == 200
    response = as_alice.post(f"/stories/{story.id}/share", data={"action": "revoke"})
    assert response.status_code == 303
    assert response.location == f"/stories/{story.id}#share"
    assert Story.get_by_id(story.id).share_token is None
    assert as_alice.get(f"/s/{old}").status_code == 404
    assert as_alice.get(old_card).status_code == 404
    page = page_of(as_alice.get(f"/stories/{story.id}"))
    assert "The public link was revoked" in page
    assert "Copy link" not in page


def test_a_new_share_link_replaces_the_old_one(as_lena, alice):
    story = tell(alice)
    old = story.share_token
    assert as_lena.post(f"/stories/{story.id}/share", data={"action": "renew"}).status_code == 303
    new = Story.get_by_id(story.id).share_token
    assert new and new != old
    assert as_lena.get(f"/s/{old}").status_code == 404
    assert as_lena.get(f"/s/{new}").status_code == 200


def test_only_the_author_or_a_lead_may_revoke_the_share_link(client, alice, bob, carl):
    story = tell(alice)
    for person in (bob, carl):
        sign_in(client, person)
        assert (
            client.post(f"/stories/{story.id}/share", data={"action": "revoke"}).status_code == 403
        )
        client.post("/signout")
    assert Story.get_by_id(story.id).share_token == story.share_token
    sign_in(client, alice)
    assert client.post(f"/stories/{story.id}/share", data={"action": "burn"}).status_code == 400


def test_a_hidden_storys_share_link_and_public_cards_are_404(app, as_lena, client, alice):
    story = tell(alice)
    preview = f"/s/{story.share_token}/preview-{card_digest(app, story, 'preview')}.png"
    as_lena.post(f"/stories/{story.id}/hide")
    as_lena.post("/signout")
    assert client.get(f"/s/{story.share_token}").status_code == 404
    assert client.get(preview).status_code == 404


# Card images -----------------------------------------------------------------------------------


def test_a_members_card_is_a_png_with_a_strong_etag_and_immutable_private_caching(
    app, as_alice, alice, bob
):
    story = tell(alice, bob)
    path = card_path(page_of(as_alice.get(f"/stories/{story.id}")))
    digest = card_digest(app, story, "portrait")
    assert path == f"/cards/{story.id}/portrait-{digest}.png"
    response = as_alice.get(path)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["ETag"] == f'"{digest}"'
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    image = Image.open(io.BytesIO(response.data))
    assert (image.format, image.size, image.mode) == ("PNG", (1080, 1350), "RGB")
    again = as_alice.get(path, headers={"If-None-Match": f'"{digest}"'})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == f'"{digest}"'
    assert (
        CardImage.select()
        .where((CardImage.hash == digest) & (CardImage.size == "portrait"))
        .count()
        == 1
    )


def test_the_public_card_is_cached_by_anyone_for_an_hour_only(app, client, alice):
    story = tell(alice)
    digest = card_digest(app, story, "preview")
    response = client.get(f"/s/{story.share_token}/preview-{digest}.png")
    assert response.status_code == 200
    # A revoked or hidden link's image leaves shared caches within the hour.
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.headers["ETag"] == f'"{digest}"'
    assert Image.open(io.BytesIO(response.data)).size == (1200, 630)


@pytest.mark.parametrize(
    "asked",
    ['W/"{digest}"', '"{digest}"', '"0000000000000000", W/"{digest}"', '"a", "{digest}"', "*"],
)
def test_a_card_the_browser_holds_is_not_modified_by_weak_comparison(app, client, alice, asked):
    # RFC 9110 13.1.2: If-None-Match compares weakly, so W/"x" matches "x"; also a list and *.
    story = tell(alice)
    digest = card_digest(app, story, "preview")
    path = f"/s/{story.share_token}/preview-{digest}.png"
    again = client.get(path, headers={"If-None-Match": asked.format(digest=digest)})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == f'"{digest}"'
    sign_in(client, alice)
    member = f"/cards/{story.id}/preview-{digest}.png"
    assert client.get(member, headers={"If-None-Match": f'W/"{digest}"'}).status_code == 304


@pytest.mark.parametrize("asked", ['"0000000000000000"', 'W/"0000000000000000"', '"a", W/"b"'])
def test_a_card_the_browser_does_not_hold_is_sent_whole(app, client, alice, asked):
    story = tell(alice)
    digest = card_digest(app, story, "preview")
    path = f"/s/{story.share_token}/preview-{digest}.png"
    response = client.get(path, headers={"If-None-Match": asked})
    assert response.status_code == 200
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_the_noto_fonts_the_card_is_still_drawn_never_a_503(
    app, client, alice, monkeypatch, tmp_path
):
    monkeypatch.setenv("CARD_FONT_DIR", str(tmp_path))  # a folder without any font
    story = tell(alice)
    digest = card_digest(app, story, "portrait")
    response = client.get(f"/s/{story.share_token}/portrait-{digest}.png")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.data)).size == (1080, 1350)


def test_a_stale_card_hash_redirects_to_the_current_card(app, client, alice):
    story = tell(alice)
    digest = card_digest(app, story, "preview")
    response = client.get(f"/s/{story.share_token}/preview-0000000000000000.png")
    assert response.status_code == 302
    assert response.location == f"/s/{story.share_token}/preview-{digest}.png"


def test_card_routes_refuse_wrong_tokens_sizes_and_visitors(app, client, alice):
    story = tell(alice)
    digest = card_digest(app, story, "portrait")
    assert client.get(f"/s/{story.share_token}x/portrait-{digest}.png").status_code == 404
    assert client.get(f"/s/{story.share_token}/square-{digest}.png").status_code == 404
    members_only = client.get(f"/cards/{story.id}/portrait-{digest}.png")
    assert members_only.status_code == 302
    assert members_only.location.startswith("/signin")


def test_the_same_card_is_drawn_once_even_when_asked_for_at_once(app, alice, monkeypatch):
    story = tell(alice)
    digest = card_digest(app, story, "preview")
    path = f"/s/{story.share_token}/preview-{digest}.png"
    real = pwa.card_cache.render_card
    drawn = []

    def slow_render(text, size):
        drawn.append(size)
        time.sleep(0.2)
        return real(text, size)

    monkeypatch.setattr(pwa.card_cache, "render_card", slow_render)
    start = threading.Barrier(6)
    results = []

    def fetch():
        client = app.test_client()
        start.wait()
        response = client.get(path)
        results.append((response.status_code, len(response.data)))

    threads = [threading.Thread(target=fetch) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert drawn == [(1200, 630)]
    assert [status for status, _ in results] == [200] * 6
    assert len({size for _, size in results}) == 1
    assert CardImage.select().where(CardImage.hash == digest).count() == 1


def test_a_card_already_stored_by_another_server_is_kept_not_duplicated(alice):
    story = tell(alice)
    CardImage.keep("abc", "portrait", b"first", story, models.utcnow())
    CardImage.keep("abc", "portrait", b"second", story, models.utcnow())
    assert CardImage.select().count() == 1
    assert CardImage.png_for("abc", "portrait") == b"first"


def test_the_demo_holds_the_campaigns_three_sample_stories(app):
    from pwa import demo

    people = demo.load(app.config["CLOCK"].now())
    titles = {s.title: s for s in Story.select()}
    assert set(titles) == {"The Saturday Call", "The Memory", "The Internal Customer"}
    saturday = titles["The Saturday Call"]
    assert saturday.member_id == people["bob"].id and saturday.author_id == people["alice"].id
    assert saturday.featured_week == WEEK
    assert "within the hour" in saturday.moment
    assert all(s.share_token for s in titles.values())
    assert titles["The Internal Customer"].customer_kind == "colleague"
    client = app.test_client()
    client.post("/signin", data={"email": "bob@example.com", "password": demo.PASSWORD})
    page = page_of(client.get("/stories"))
    assert (
        page.index("Story of the week") < page.index("The Saturday Call") < page.index("The Memory")
    )


def test_the_same_story_form_sent_twice_publishes_one_story(as_alice, alice):
    form = story_form(alice, key="form-123")
    first = as_alice.post("/stories/new", data=form)
    again = as_alice.post("/stories/new", data=form)
    assert first.status_code == again.status_code == 303
    assert first.location == again.location
    assert Story.select().count() == 1
    other = as_alice.post("/stories/new", data=story_form(alice, key="form-456"))
    assert other.location != first.location
    assert Story.select().count() == 2


def test_a_form_key_someone_else_already_used_is_refused_with_the_text_kept(
    as_alice, app, alice, bob
):
    sign_in(app.test_client(), bob).post("/stories/new", data=story_form(bob, key="form-bob"))
    response = as_alice.post(
        "/stories/new", data=story_form(alice, moment="My own moment.", key="form-bob")
    )
    assert response.status_code == 422
    page = page_of(response)
    assert "already sent by someone else" in page and "My own moment." in page
    assert 'name="key" value="form-bob"' not in page
    assert Story.select().count() == 1
    fresh_key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    form = story_form(alice, moment="My own moment.", key=fresh_key)
    assert as_alice.post("/stories/new", data=form).status_code == 303
    assert Story.select().where(Story.author == alice).count() == 1


def test_a_refused_publish_keeps_its_form_key(as_alice, alice):
    response = as_alice.post("/stories/new", data=story_form(alice, moment="", key="form-789"))
    assert response.status_code == 422
    assert 'name="key" value="form-789"' in page_of(response)


def test_the_team_member_list_is_in_name_order_accents_aside(as_alice, north):
    for name, email in (("Zoë Zed", "zoe@example.com"), ("Émile Roux", "emile@example.com")):
        make_person(name, email, team=north)
    make_person("Ada Quinn", "ada.q@example.com", team=north)
    page = as_alice.get("/stories/new").get_data(as_text=True)
    names = re.findall(r'<option value="\d+"[^>]*>([^<·]+?)(?: · [^<]*)?</option>', page)
    assert names == ["Ada Quinn", "Me", "Émile Roux", "Zoë Zed"]
