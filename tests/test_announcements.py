"""The lead's weekly announcement: drafted from the week, pinned, shared, past weeks readable."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st
from test_recognition import recognise

from conftest import make_person, sign_in
from models import ANNOUNCEMENT_MAX, FORMER_NAME, Announcement, Notice, Recognition
from pwa import rights
from pwa.announcements import CLOSING, OPENING, drafted
from test_stories import TODAY, tell


def _recognised(client, lena, alice, bob):
    sign_in(client, alice)
    recognise(client, bob, message="Walked a borrower through every line item")
    client.post("/signout")
    return sign_in(client, lena)


def test_the_lead_gets_the_campaign_template_filled_from_the_weeks_recognition(
    client, lena, alice, bob
):
    _recognised(client, lena, alice, bob)
    page = client.get(f"/teams/{lena.team_id}/announcement").get_data(as_text=True)
    assert (
        "This week&#39;s One True Customer recognition goes to Bob Okafor. "
        "Walked a borrower through every line item. That&#39;s One True Customer in action."
    ) in page
    assert "Recognition · Bob Okafor" in page


def test_picking_another_moment_drafts_from_it(client, lena, alice, bob):
    _recognised(client, lena, alice, bob)
    from test_recognition import story_by

    story = story_by(alice)
    page = client.get(f"/teams/{lena.team_id}/announcement?from=story-{story.id}")
    assert "goes to Alice Martin. She walked through every line." in page.get_data(as_text=True)


def test_pinning_it_shows_it_on_the_team_feed_and_tells_the_person(client, lena, alice, bob):
    _recognised(client, lena, alice, bob)
    recognition = Recognition.get()
    response = client.post(
        f"/teams/{lena.team_id}/announcement",
        data={
            "source": f"recognition-{recognition.id}",
            "receiver": str(bob.id),
            "text": "This week's One True Customer recognition goes to Bob. Edited by me.",
        },
    )
    announcement = Announcement.get()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/announcements/{announcement.id}")
    assert (announcement.receiver_id, announcement.recognition_id) == (bob.id, recognition.id)
    feed = client.get("/recognitions").get_data(as_text=True)
    assert "Edited by me." in feed and "This week&#39;s recognition" in feed
    assert Notice.get(Notice.kind == "announced").person_id == bob.id


def test_writing_it_again_the_same_week_edits_it(as_lena, lena, bob):
    for text in ("goes to Bob. First.", "goes to Bob. Second."):
        as_lena.post(
            f"/teams/{lena.team_id}/announcement", data={"receiver": str(bob.id), "text": text}
        )
    assert Announcement.select().count() == 1
    assert Announcement.get().text == "goes to Bob. Second."


def test_the_announcement_page_has_its_card_share_link_and_open_graph(client, lena, bob):
    sign_in(client, lena)
    client.post(
        f"/teams/{lena.team_id}/announcement",
        data={"receiver": str(bob.id), "text": "This week it goes to Bob Okafor."},
    )
    announcement = Announcement.get()
    page = client.get(f"/announcements/{announcement.id}").get_data(as_text=True)
    card = re.search(rf'href="(/announcements/{announcement.id}/portrait-[0-9a-f]+\.png)"', page)
    assert client.get(card.group(1)).mimetype == "image/png"
    assert f"/a/{announcement.share_token}" in page
    client.post("/signout")
    public = client.get(f"/a/{announcement.share_token}").get_data(as_text=True)
    assert (
        'property="og:title" content="This week&#39;s One True Customer recognition goes to Bob Okafor"'
        in public
    )
    image = re.search(r'property="og:image" content="http://localhost(/a/[^"]+)"', public)
    assert client.get(image.group(1)).mimetype == "image/png"


def test_past_weeks_stay_readable(as_lena, lena, bob, clock):
    as_lena.post(
        f"/teams/{lena.team_id}/announcement", data={"receiver": str(bob.id), "text": "Week one."}
    )
    clock.travel(days=7)
    as_lena.post(
        f"/teams/{lena.team_id}/announcement", data={"receiver": str(bob.id), "text": "Week two."}
    )
    page = as_lena.get(f"/teams/{lena.team_id}/announcements").get_data(as_text=True)
    assert page.index("Week two.") < page.index("Week one.")
    first = Announcement.get(Announcement.text == "Week one.")
    assert "Week one." in as_lena.get(f"/announcements/{first.id}").get_data(as_text=True)
    assert "Week one." not in as_lena.get("/recognitions").get_data(as_text=True)


def test_bad_input_is_refused_with_the_words_kept(as_lena, lena, bob, carl):
    url = f"/teams/{lena.team_id}/announcement"
    cases = [
        ({"receiver": str(carl.id), "text": "Kept"}, "Pick who it goes to from North"),
        ({"receiver": "999999", "text": "Kept"}, "Pick who it goes to from North"),
        ({"receiver": str(bob.id), "text": ""}, "The announcement is needed."),
        ({"receiver": str(bob.id), "text": "goes to [Name]. Kept"}, "Put the person&#39;s name"),
        ({"receiver": str(bob.id), "text": "Kept", "source": "story-77"}, "Pick one of this week"),
        ({"receiver": str(bob.id), "text": "K" * 1501}, "1,501 characters"),
    ]
    for data, message in cases:
        response = as_lena.post(url, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, data
        assert message in page, data
        if data["text"].startswith("K") and len(data["text"]) < 10:
            assert ">Kept</textarea>" in page
    assert Announcement.select().count() == 0


def test_only_the_teams_lead_or_an_admin_may_write_it(client, alice, lena, south, ada, bob):
    sign_in(client, alice)
    assert client.get(f"/teams/{lena.team_id}/announcement").status_code == 403
    client.post("/signout")
    sign_in(client, lena)
    assert client.get(f"/teams/{south.id}/announcement").status_code == 403
    assert client.post(f"/teams/{south.id}/announcement", data={}).status_code == 403
    assert client.get("/teams/999999/announcement").status_code == 404
    client.post("/signout")
    sign_in(client, ada)
    assert client.get(f"/teams/{lena.team_id}/announcement").status_code == 200


def _textarea(page: str) -> str:
    return html.unescape(
        re.search(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', page, re.S)[1]
    )


def test_a_draft_from_a_long_story_fits_the_limit_cut_at_a_word_and_pins_as_is(
    as_lena, lena, alice
):
    moment = "She stayed on the call and walked through every step. " * 30
    story = tell(lena, alice, day=TODAY, moment=moment.strip(), impact="They wrote back.")
    url = f"/teams/{lena.team_id}/announcement"
    draft = _textarea(as_lena.get(f"{url}?from=story-{story.id}").get_data(as_text=True))
    assert len(draft) <= ANNOUNCEMENT_MAX
    assert draft.startswith("This week's One True Customer recognition goes to Alice Martin. She")
    cut, rest = draft.removeprefix(OPENING.format(name="Alice Martin") + " ").split("… ")
    assert rest == CLOSING and moment.startswith(cut) and moment[len(cut)] == " "
    response = as_lena.post(
        url, data={"source": f"story-{story.id}", "receiver": str(alice.id), "text": draft}
    )
    assert response.status_code == 303
    assert Announcement.get().text == draft


@given(
    name=st.text(min_size=1, max_size=80),
    what=st.one_of(
        st.text(max_size=200),
        st.text(min_size=ANNOUNCEMENT_MAX - 200, max_size=2 * ANNOUNCEMENT_MAX),
    ),
)
def test_every_draft_fits_and_keeps_the_campaigns_words(name, what):
    draft = drafted(name, what)
    assert len(draft) <= ANNOUNCEMENT_MAX
    assert draft.startswith(OPENING.format(name=name)) and draft.endswith(CLOSING)


def test_a_deleted_persons_moments_are_never_offered_nor_drafted(app, client, lena, alice, bob):
    _recognised(client, lena, alice, bob)
    tell(alice, bob, day=TODAY, moment="Bob called back on Saturday.")
    with app.app_context():
        rights.erase(bob.id, "keep")
    page = client.get(f"/teams/{lena.team_id}/announcement").get_data(as_text=True)
    assert FORMER_NAME not in page
    assert "Walked a borrower" not in page and "called back on Saturday" not in page
    assert "No recognition or story for North yet this week" in page
    assert "[Name]" in _textarea(page)


def test_it_goes_to_lists_the_team_by_name_accents_aside(as_lena, lena, alice, bob, north):
    for name, email in (("Zoë Zed", "zoe@example.com"), ("Émile Roux", "emile@example.com")):
        make_person(name, email, team=north)
    make_person("ada lower", "ada@north.example.com", team=north)
    page = as_lena.get(f"/teams/{lena.team_id}/announcement").get_data(as_text=True)
    select = re.search(r'<select id="receiver".*?</select>', page, re.S)[0]
    names = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)
    assert names == [
        "ada lower",
        "Alice Martin",
        "Bob Okafor",
        "Émile Roux",
        "Lena Lead",
        "Zoë Zed",
    ]
