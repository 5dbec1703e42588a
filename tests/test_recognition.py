"""Recognition: the form and its refusals, the feeds, applause, the page and card, what's new."""

from __future__ import annotations

import re

import pytest

from conftest import make_person, sign_in
from models import Badge, Notice, Person, Recognition, RecognitionApplause, Story
from pwa import rights


def recognise(client, receiver, message="Stayed on the call until it was sorted.", **extra):
    data = {"receiver": str(receiver.id), "message": message, "customer_kind": "external"}
    data.update(extra)
    return client.post("/recognise", data=data)


def story_by(author, member=None, hidden=False):
    return Story.create(
        author=author,
        member=member or author,
        team=(member or author).team_id,
        day="2026-11-17",
        situation="A borrower was confused",
        moment="She walked through every line",
        customer_kind="external",
        phase="during",
        hidden=hidden,
    )


def test_the_form_lists_colleagues_but_never_me(as_alice, alice, bob, carl):
    page = as_alice.get("/recognise").get_data(as_text=True)
    listed = re.findall(r'name="receiver" value="(\d+)"', page)
    assert sorted(listed) == sorted([str(bob.id), str(carl.id)])
    assert str(alice.id) not in listed
    assert page.count("<h1") == 1


def test_the_colleague_search_works_without_javascript(as_alice, bob, carl):
    page = as_alice.get("/recognise?q=carl").get_data(as_text=True)
    assert "Carl Jensen" in page and "Bob Okafor" not in page


def test_the_colleague_search_returns_the_list_fragment_to_htmx(as_alice, bob, carl):
    response = as_alice.htmx("GET", "/recognise/colleagues?q=BOB")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'id="colleague-list"' in body and "Bob Okafor" in body and "Carl" not in body


@pytest.mark.parametrize("query", ["ølsen", "ØLSEN", "ÉLODIE"])
def test_the_colleague_search_knows_the_case_of_every_letter(as_alice, north, query):
    make_person("Jens Ølsen", "jens@example.com", team=north)
    make_person("Élodie Brun", "elodie@example.com", team=north)
    page = as_alice.htmx("GET", f"/recognise/colleagues?q={query}").get_data(as_text=True)
    found = re.findall(r"Jens Ølsen|Élodie Brun", page)
    assert found == (["Élodie Brun"] if "é" in query.lower() else ["Jens Ølsen"])


def test_a_colleague_picked_while_the_search_was_on_its_way_stays_picked(
    as_alice, alice, bob, carl
):
    body = as_alice.htmx("GET", f"/recognise/colleagues?q=carl&receiver={bob.id}").get_data(
        as_text=True
    )
    assert "Carl Jensen" in body and "Bob Okafor" in body
    assert re.search(rf'value="{bob.id}" checked', body)
    # Oneself, or nobody, is never slipped onto the list.
    for receiver in (alice.id, 999999, "x"):
        body = as_alice.htmx("GET", f"/recognise/colleagues?q=carl&receiver={receiver}")
        text = body.get_data(as_text=True)
        assert "Alice Martin" not in text and "checked" not in text


def test_a_search_that_finds_nobody_says_so(as_alice, bob):
    page = as_alice.get("/recognise?q=zed").get_data(as_text=True)
    assert "Nobody called “zed” here" in page


def test_coming_from_a_profile_the_colleague_is_already_picked(as_alice, bob):
    page = as_alice.get(f"/recognise?to={bob.id}").get_data(as_text=True)
    assert "Recognise Bob" in page and f'name="receiver" value="{bob.id}"' in page


def test_recognising_a_colleague_puts_it_on_both_feeds_and_tells_them(as_alice, alice, bob):
    response = recognise(as_alice, bob, customer_kind="colleague")
    recognition = Recognition.get()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/recognitions/{recognition.id}")
    assert (recognition.giver_id, recognition.receiver_id) == (alice.id, bob.id)
    assert recognition.team_id == bob.team_id and recognition.for_colleague
    team = as_alice.get("/recognitions").get_data(as_text=True)
    everyone = as_alice.get("/recognitions?scope=org").get_data(as_text=True)
    assert "Stayed on the call" in team and "Stayed on the call" in everyone
    assert Person.get_by_id(bob.id).news_unseen == 2
    assert {n.kind for n in Notice.select().where(Notice.person == bob)} == {"recognised", "badge"}


def test_the_page_thanks_the_giver(as_alice, bob):
    page = as_alice.get(recognise(as_alice, bob).headers["Location"]).get_data(as_text=True)
    assert "Bob will see it in the app. Thank you for noticing." in page
    assert "Alice Martin" not in page or "You</a> recognised" in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"receiver": ""}, "Pick the colleague you want to recognise."),
        ({"receiver": "999999"}, "That person isn&#39;t in the organisation."),
        ({"receiver": "99999999999999999999"}, "That person isn&#39;t in the organisation."),
        ({"receiver": "bob"}, "That person isn&#39;t in the organisation."),
        ({"message": ""}, "What they did is needed."),
        ({"message": "\u200b \n "}, "What they did is needed."),
        ({"message": "x" * 501}, "What they did is 501 characters; 500 at most, please."),
        ({"customer_kind": "vip"}, "Tap who it was for: an external customer or a colleague."),
        ({"story": "424242"}, "Pick a story you can see from the list, or leave it empty."),
        ({"story": "nonsense"}, "Pick a story you can see from the list, or leave it empty."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_the_words_kept(as_alice, bob, form, message):
    data = {
        "receiver": str(bob.id),
        "message": "Kept my words",
        "customer_kind": "external",
        **form,
    }
    response = as_alice.post("/recognise", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    if data["message"] == "Kept my words":
        assert "Kept my words" in page
    assert Recognition.select().count() == 0


def test_exactly_five_hundred_characters_is_fine(as_alice, bob):
    assert recognise(as_alice, bob, message="y" * 500).status_code == 303


def test_recognising_yourself_is_refused_kindly(as_alice, alice):
    response = recognise(as_alice, alice)
    assert response.status_code == 422
    assert "Recognition is for a colleague, so not yourself." in response.get_data(as_text=True)
    assert Recognition.select().count() == 0


def test_an_inactive_colleague_cannot_be_recognised(as_alice, bob):
    Person.update(active=False).where(Person.id == bob.id).execute()
    response = recognise(as_alice, bob)
    assert response.status_code == 422
    assert "Bob Okafor is no longer active here." in response.get_data(as_text=True)


def test_a_hidden_story_you_cannot_see_cannot_be_linked(as_alice, bob, carl):
    hidden = story_by(carl, hidden=True)
    response = recognise(as_alice, bob, story=str(hidden.id))
    assert response.status_code == 422
    assert Recognition.select().count() == 0


def test_a_story_you_can_see_is_linked_and_shown(as_alice, bob):
    story = story_by(bob)
    response = recognise(as_alice, bob, story=str(story.id))
    page = as_alice.get(response.headers["Location"]).get_data(as_text=True)
    assert Recognition.get().story_id == story.id
    assert f"/stories/{story.id}" in page


def test_a_forged_team_field_is_ignored_the_team_is_the_colleagues(as_alice, bob, south):
    recognise(as_alice, bob, team=str(south.id))
    assert Recognition.get().team_id == bob.team_id


def test_a_double_tap_makes_one_recognition(as_alice, bob):
    first = recognise(as_alice, bob, key="tap-1")
    second = recognise(as_alice, bob, key="tap-1")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert Recognition.select().count() == 1


def test_a_post_without_the_csrf_token_is_refused(client, alice, bob):
    sign_in(client, alice)
    response = client.post(
        "/recognise",
        data={"receiver": bob.id, "message": "hi", "customer_kind": "external"},
        csrf=False,
    )
    assert response.status_code == 400
    assert Recognition.select().count() == 0


def test_the_same_colleague_twice_in_a_week_is_allowed_and_the_form_says_it_counts_once(
    as_alice, bob
):
    recognise(as_alice, bob)
    page = as_alice.get(f"/recognise?to={bob.id}").get_data(as_text=True)
    assert "You recognised Bob already this week." in page
    assert "counts once toward your badges" in page
    assert recognise(as_alice, bob, message="Again!").status_code == 303
    assert Recognition.select().count() == 2


def test_often_recognising_one_colleague_nudges_toward_someone_else(as_alice, bob, clock):
    for _ in range(3):
        recognise(as_alice, bob)
        clock.travel(days=7)
    clock.travel(days=-7)
    page = as_alice.get(f"/recognise?to={bob.id}").get_data(as_text=True)
    assert "recognised Bob" in page
    response = recognise(as_alice, bob)
    page = as_alice.get(response.headers["Location"]).get_data(as_text=True)
    assert "You&#39;ve recognised Bob 4 times this month. Who else helped you lately?" in page


def test_the_tab_bar_counts_what_is_new_and_the_list_clears_it(client, alice, bob):
    sign_in(client, alice)
    recognise(client, bob)
    client.post("/signout")
    sign_in(client, bob)
    today = client.get("/").get_data(as_text=True)
    assert re.search(r'class="tab-count">1<span class="visually-hidden"> new', today)
    feed = client.get("/recognitions").get_data(as_text=True)
    assert "New for you" in feed and "Alice Martin recognised you" in feed
    assert 'class="tab-count"' not in client.get("/").get_data(as_text=True)
    assert Person.get_by_id(bob.id).news_unseen == 0
    news = client.get("/news").get_data(as_text=True)
    assert "Alice Martin recognised you" in news


def test_a_badge_earned_while_away_is_new_and_celebrated_when_seen(client, alice, bob):
    sign_in(client, alice)
    recognise(client, bob, customer_kind="colleague")
    client.post("/signout")
    sign_in(client, bob)
    assert Person.get_by_id(bob.id).news_unseen == 2  # the recognition and the badge
    feed = client.get("/recognitions").get_data(as_text=True)
    assert "You earned a badge: Internal customer" in feed
    assert 'class="moment moment-badge"' in feed and "Badge earned: Internal customer" in feed
    assert "moment-badge" not in client.get("/recognitions").get_data(as_text=True)


def test_giving_a_first_recognition_earns_a_badge_celebrated_on_the_next_page(as_alice, alice, bob):
    response = recognise(as_alice, bob)
    page = as_alice.get(response.headers["Location"]).get_data(as_text=True)
    assert Badge.get(Badge.person == alice).key == "first-recognition"
    assert "Badge earned: First thanks" in page
    # The giver saw it happen, so it doesn't wait on their tab bar too.
    assert Person.get_by_id(alice.id).news_unseen == 0


def test_applause_from_the_feed_swaps_the_button_only(as_alice, bob, alice):
    recognise(as_alice, bob)
    recognition = Recognition.get()
    response = as_alice.htmx("POST", f"/recognitions/{recognition.id}/applause", data={})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert f'id="recognition-applause-{recognition.id}"' in body and 'aria-pressed="true"' in body
    assert RecognitionApplause.select().count() == 1
    as_alice.htmx("POST", f"/recognitions/{recognition.id}/applause", data={})
    assert RecognitionApplause.select().count() == 0


def test_applause_without_javascript_returns_to_the_feed(as_alice, bob):
    recognise(as_alice, bob)
    recognition = Recognition.get()
    response = as_alice.post(f"/recognitions/{recognition.id}/applause", data={"from": "feed"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/recognitions#recognition-{recognition.id}")
    assert RecognitionApplause.select().count() == 1


def test_an_unknown_recognition_is_not_found(as_alice):
    assert as_alice.get("/recognitions/12345").status_code == 404
    assert as_alice.get("/recognitions/99999999999").status_code == 404
    assert as_alice.post("/recognitions/12345/applause", data={}).status_code == 404


def test_only_the_giver_may_delete_and_badges_stay(client, alice, bob, carl):
    sign_in(client, alice)
    recognise(client, bob, customer_kind="colleague")
    recognition = Recognition.get()
    client.post("/signout")
    sign_in(client, carl)
    assert client.post(f"/recognitions/{recognition.id}/delete").status_code == 403
    client.post("/signout")
    sign_in(client, alice)
    assert client.get(f"/recognitions/{recognition.id}/delete").status_code == 200
    response = client.post(f"/recognitions/{recognition.id}/delete")
    assert response.status_code == 303
    assert Recognition.select().count() == 0
    assert {b.key for b in Badge.select()} == {"first-recognition", "internal-customer"}
    assert Person.get_by_id(bob.id).news_unseen == 1  # the badge; the recognition is gone


def test_the_recognition_page_has_its_card_and_share_link(as_alice, bob):
    recognise(as_alice, bob)
    recognition = Recognition.get()
    page = as_alice.get(f"/recognitions/{recognition.id}").get_data(as_text=True)
    assert f"/r/{recognition.share_token}" in page
    shown = re.search(rf'src="(/recognitions/{recognition.id}/portrait-[0-9a-f]+\.webp)"', page)
    assert as_alice.get(shown.group(1)).mimetype == "image/webp"
    card = re.search(rf'href="(/recognitions/{recognition.id}/portrait-[0-9a-f]+\.png)"', page)
    response = as_alice.get(card.group(1))
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert "immutable" in response.headers["Cache-Control"]
    again = as_alice.get(card.group(1), headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_an_old_card_url_redirects_to_the_current_one(as_alice, bob):
    recognise(as_alice, bob)
    recognition = Recognition.get()
    response = as_alice.get(f"/recognitions/{recognition.id}/portrait-0000.png")
    assert response.status_code == 302 and "/portrait-" in response.headers["Location"]


def test_the_public_link_shows_the_card_with_open_graph_tags(client, alice, bob):
    sign_in(client, alice)
    recognise(client, bob)
    client.post("/signout")
    recognition = Recognition.get()
    page = client.get(f"/r/{recognition.share_token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<meta property="og:title" content="Bob Okafor was recognised">' in html
    image = re.search(
        r'property="og:image" content="http://localhost(/r/[^"]+preview-[0-9a-f]+\.png)"', html
    )
    assert client.get(image.group(1)).mimetype == "image/png"
    assert client.get("/r/not-a-token").status_code == 404


def test_the_manifest_has_a_recognise_shortcut(client):
    shortcuts = client.get("/manifest.webmanifest").get_json()["shortcuts"]
    assert ("Recognise", "/recognise") in [(s["name"], s["url"]) for s in shortcuts]


def test_today_and_a_story_lead_to_recognising(as_alice, bob):
    assert 'href="/recognise"' in as_alice.get("/").get_data(as_text=True)
    story = story_by(alice_of(as_alice), member=bob)
    page = as_alice.get(f"/stories/{story.id}").get_data(as_text=True)
    assert f"/recognise?to={bob.id}&amp;story={story.id}" in page


def alice_of(client) -> Person:
    return Person.get(Person.email == "alice@example.com")


def test_a_person_outside_the_team_is_still_a_colleague(as_alice, carl):
    assert recognise(as_alice, carl).status_code == 303
    assert Recognition.get().team_id == carl.team_id


def test_someone_without_a_team_sees_the_organisation_feed(client, alice, bob):
    loner = make_person("Nia Novak", "nia@example.com")
    sign_in(client, alice)
    recognise(client, bob)
    client.post("/signout")
    sign_in(client, loner)
    page = client.get("/recognitions").get_data(as_text=True)
    assert "Recognition from everyone" in page and "Stayed on the call" in page


def test_recognise_them_too_is_offered_to_others_but_never_to_the_giver(client, alice, bob, lena):
    sign_in(client, alice)
    recognise(client, bob)
    url = f"/recognitions/{Recognition.get().id}"
    assert "Recognise Bob too" not in client.get(url).get_data(as_text=True)
    client.post("/signout")
    sign_in(client, lena)
    assert "Recognise Bob too" in client.get(url).get_data(as_text=True)


def test_a_deleted_person_reads_as_a_former_colleague_mid_sentence(app, client, alice, bob, lena):
    sign_in(client, alice)
    recognise(client, bob, message="Stayed late")
    story_by(alice, member=bob)
    client.post("/signout")
    sign_in(client, bob)
    recognise(client, alice, message="Called back")
    client.post("/signout")
    with app.app_context():
        rights.erase(bob.id, "keep")
    sign_in(client, alice)
    given = Recognition.get(Recognition.message == "Stayed late")
    page = client.get(f"/recognitions/{given.id}").get_data(as_text=True)
    assert "You</a> recognised <a" in page and ">a former colleague</a></h1>" in page
    assert "Recognise A too" not in page and "Recognise a too" not in page
    received = Recognition.get(Recognition.message == "Called back")
    page = client.get(f"/recognitions/{received.id}").get_data(as_text=True)
    assert ">A former colleague</a> recognised <a" in page
    feed = client.get("/recognitions").get_data(as_text=True)
    assert "recognised <a" in feed and ">a former colleague</a></h3>" in feed
    story = client.get(f"/stories/{Story.get().id}").get_data(as_text=True)
    assert "About <strong>a former colleague</strong>" in story
    assert "Recognise A former colleague" not in story
    profile = client.get(f"/people/{alice.id}").get_data(as_text=True)
    assert "to a former colleague ·" in profile and "from a former colleague ·" in profile
