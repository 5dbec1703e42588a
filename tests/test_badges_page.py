"""The badges page, awarding where badges are earned, moments, profiles and manage.py award-badges."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from test_recognition import recognise, story_by

from conftest import sign_in
from game.badges import BADGES, BY_ID
from manage import cli
from models import Badge, CheckIn, Message, Notice, Person, Pledge, PushSubscription, Story


def test_the_badges_page_shows_every_badge_with_criteria_and_progress(as_alice, alice):
    for _ in range(3):
        story_by(alice)
    page = as_alice.get("/badges").get_data(as_text=True)
    for badge in BADGES:
        assert badge.name in page and badge.criteria.replace("'", "&#39;") in page
    assert "3 of 5 stories told" in page
    assert "Your next goal" in page
    assert "deleting a story or a recognition never takes one back" in page
    assert page.count("<h1") == 1


def test_an_earned_badge_shows_when_and_its_milestone_card(as_alice, alice):
    story_by(alice)
    page = as_alice.get("/badges").get_data(as_text=True)
    assert re.search(
        r"First story</h2>\s*<p[^>]*>[^<]*</p>\s*<p class=\"badge-state\">Earned Wed 18 Nov", page
    )
    card = re.search(r'href="(/badges/first-story/portrait-[0-9a-f]+\.png)"', page).group(1)
    response = as_alice.get(card)
    assert response.status_code == 200 and response.mimetype == "image/png"


def test_a_badge_not_held_has_no_card(as_alice):
    assert as_alice.get("/badges/first-story/portrait-abc.png").status_code == 404
    assert as_alice.get("/badges/no-such-badge/portrait-abc.png").status_code == 404


def test_publishing_a_first_story_awards_it_once(as_alice, alice, bob):
    form = {
        "day": "2026-11-18",
        "member": str(bob.id),
        "situation": "A need",
        "moment": "A moment",
        "customer_kind": "external",
        "phase": "during",
    }
    for key in ("one", "two"):
        as_alice.post("/stories/new", data={**form, "key": key})
    assert [b.key for b in Badge.select().where(Badge.person == alice)] == ["first-story"]


def test_deleting_the_story_keeps_the_badge(as_alice, alice):
    story = story_by(alice)
    as_alice.get("/badges")
    as_alice.post(f"/stories/{story.id}/delete")
    assert Story.select().count() == 0
    assert Badge.get(Badge.person == alice).key == "first-story"
    assert "Earned" in as_alice.get("/badges").get_data(as_text=True)


def test_signing_the_pledge_earns_its_badge_and_celebrates(as_alice, alice):
    response = as_alice.post("/pledge")
    page = as_alice.get(response.headers["Location"]).get_data(as_text=True)
    assert Pledge.select().count() == 1
    assert "Badge earned: Pledge signed" in page
    assert Badge.get(Badge.person == alice).key == "pledge"


def test_the_first_check_in_celebrates_its_badge_as_an_htmx_event(as_alice, alice):
    response = as_alice.htmx("POST", "/checkin", data={"before": "yes"})
    events = json.loads(response.headers["HX-Trigger-After-Settle"])
    assert "checked-in" in events
    moment = events["celebrate"]["moments"][0]
    assert moment["title"] == "Badge earned: First check-in"
    assert moment["card"].startswith("/badges/first-check-in/portrait-")
    assert "<html" not in response.get_data(as_text=True)


def test_a_check_in_without_javascript_awards_and_celebrates_on_the_next_page(as_alice, alice):
    response = as_alice.post("/checkin", data={"before": "yes"})
    assert response.status_code == 303
    page = as_alice.get("/").get_data(as_text=True)
    assert "Badge earned: First check-in" in page
    assert "Badge earned" not in as_alice.get("/").get_data(as_text=True)


def test_the_tenth_work_day_in_a_row_is_a_milestone_and_a_badge(as_alice, alice, clock):
    today = date(2026, 11, 18)
    days, d = [], today - timedelta(days=1)
    while len(days) < 9:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    for day in days:
        CheckIn.create(person=alice, day=day, before="yes")
    Badge.award(alice, "first-check-in", clock.now().replace(tzinfo=None))
    response = as_alice.htmx("POST", "/checkin", data={"before": "yes"})
    moments = json.loads(response.headers["HX-Trigger-After-Settle"])["celebrate"]["moments"]
    assert [m["title"] for m in moments] == [
        "10 work days in a row",
        "Badge earned: Ten-day streak",
    ]


def test_an_ordinary_check_in_celebrates_nothing(as_alice, alice):
    CheckIn.create(person=alice, day=date(2026, 11, 17), before="yes")
    Badge.award(alice, "first-check-in", date(2026, 11, 17))
    response = as_alice.htmx("POST", "/checkin", data={"before": "yes"})
    assert "celebrate" not in json.loads(response.headers["HX-Trigger-After-Settle"])


def test_award_badges_gives_what_people_qualify_for_once(app, runner, alice, bob):
    story_by(alice)
    Pledge.create(person=bob)
    with app.app_context():
        first = runner.invoke(cli, ["award-badges"])
        second = runner.invoke(cli, ["award-badges"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "Awarded 2 badge(s)."
    assert second.output.strip() == "Awarded 0 badge(s)."
    assert {(b.person_id, b.key) for b in Badge.select()} == {
        (alice.id, "first-story"),
        (bob.id, "pledge"),
    }


def test_a_profile_shows_badges_stories_recognition_and_streak_never_notes(client, alice, bob):
    CheckIn.create(person=bob, day=date(2026, 11, 18), before="yes", before_note="my private note")
    story_by(bob)
    sign_in(client, alice)
    recognise(client, bob, message="Called back before five")
    page = client.get(f"/people/{bob.id}").get_data(as_text=True)
    assert "Bob Okafor" in page and "Called back before five" in page
    assert "First story" in page and "First check-in" in page
    assert re.search(r"<dt>work-day streak</dt><dd>1</dd>", page)
    assert re.search(r"<dt>recognised by</dt><dd>1 <span[^>]*>colleague</span></dd>", page)
    assert "She walked through every line" in page or "Stories" in page
    assert "my private note" not in page and "Yes" not in page
    assert "Recognise Bob" in page


def test_my_own_profile_lists_what_i_gave_and_links_my_badges(as_alice, alice, bob):
    recognise(as_alice, bob)
    recognise(as_alice, bob, message="Again this week")
    page = as_alice.get(f"/people/{alice.id}").get_data(as_text=True)
    assert "Again this week" in page and "/badges" in page
    assert re.search(r"<dt>recognition given</dt><dd>1</dd>", page)  # one colleague, one week
    assert "Recognise Alice" not in page


def test_an_unknown_profile_is_not_found(as_alice):
    assert as_alice.get("/people/424242").status_code == 404


def test_completing_the_challenge_celebrates_and_earns_its_badge(as_alice, alice, clock):
    from models import Challenge

    Challenge.create(person=alice, start=date(2026, 11, 18) - timedelta(days=29))
    response = as_alice.post("/challenge/reflection", data={"reflection": "I listened more."})
    page = as_alice.get(response.headers["Location"]).get_data(as_text=True)
    assert "30 days of One True Customer" in page
    assert "Badge earned: 30-day challenge" in page
    assert Badge.get(Badge.person == alice).key == "challenge"
    again = as_alice.post("/challenge/reflection", data={"reflection": "Edited."})
    assert "30 days of One True Customer" not in as_alice.get(again.headers["Location"]).get_data(
        as_text=True
    )


# Check-ins the phone kept offline -------------------------------------------------------------


def queued_check_in(client, key: str = "kept-1", tapped: str = "2026-11-18T09:55:00Z"):
    """A check-in as js/queue.js sends it once the phone is back online (the token it kept)."""
    if not hasattr(client, "kept_token"):
        client.kept_token = client.csrf_token()  # fetched once: no page in between
    return client.post(
        "/checkin",
        data={"before": "yes"},
        headers={
            "Idempotency-Key": key,
            "X-Tapped-At": tapped,
            "HX-Request": "true",
            "X-CSRFToken": client.kept_token,
        },
        csrf=False,
    )


def test_a_check_in_kept_offline_earns_its_badge_once_however_often_the_queue_sends_it(
    as_alice, alice
):
    PushSubscription.create(person=alice, endpoint="https://push.example/d1", p256dh="p", auth="a")
    for _ in range(3):  # the first send, then retries whose answers were lost
        assert queued_check_in(as_alice).status_code == 200
    assert CheckIn.select().count() == 1
    assert [b.key for b in Badge.select().where(Badge.person == alice)] == ["first-check-in"]
    # Sent while nobody may be looking: told as a badge earned out of sight, new and pushed once.
    pushes = Message.select().where((Message.person == alice) & (Message.kind == "badges"))
    assert [m.event_id for m in pushes] == ["badges:badge-first-check-in"]
    assert Notice.select().where((Notice.person == alice) & (Notice.kind == "badge")).count() == 1
    assert Person.get_by_id(alice.id).news_unseen == 1
    feed = as_alice.get("/recognitions").get_data(as_text=True)
    assert "Badge earned: First check-in" in feed


def test_a_streak_milestone_kept_offline_is_celebrated_on_the_next_page_once(
    as_alice, alice, clock
):
    day = date(2026, 11, 17)
    while CheckIn.select().count() < 9:
        if day.weekday() < 5:
            CheckIn.create(person=alice, day=day, before="yes")
        day -= timedelta(days=1)
    Badge.award(alice, "first-check-in", clock.now().replace(tzinfo=None))
    for _ in range(2):
        assert queued_check_in(as_alice, key="tenth").status_code == 200
    page = as_alice.get("/").get_data(as_text=True)
    assert page.count("10 work days in a row") == 1
    assert Badge.select().where(Badge.key == "streak-10").count() == 1
    assert "10 work days in a row" not in as_alice.get("/").get_data(as_text=True)


def test_the_pledge_badge_is_dated_at_signing_and_a_later_recognition_never_celebrates_it(
    as_alice, alice, bob, clock
):
    signed = as_alice.post("/pledge")
    assert "Badge earned: Pledge signed" in as_alice.get(signed.headers["Location"]).get_data(
        as_text=True
    )
    assert (
        Badge.get(Badge.person == alice, Badge.key == "pledge").earned_at == Pledge.get().signed_at
    )
    clock.travel(days=2)
    sent = recognise(as_alice, bob)
    page = as_alice.get(sent.headers["Location"]).get_data(as_text=True)
    assert f"Badge earned: {BY_ID['first-recognition'].name}" in page
    assert "Pledge signed" not in page


def test_a_demo_persons_first_recognition_celebrates_only_the_badge_it_earned(app, runner, client):
    from pwa.demo import PASSWORD

    with app.app_context():
        assert runner.invoke(cli, ["demo"]).exit_code == 0
    carl = Person.get(Person.email == "carl@example.com")
    sam = Person.get(Person.email == "sam@example.com")
    assert Badge.of(carl)["pledge"]  # held since the demo's story signed it
    assert (
        client.post("/signin", data={"email": carl.email, "password": PASSWORD}).status_code == 303
    )
    data = {
        "receiver": str(sam.id),
        "message": "Briefed me before the call.",
        "customer_kind": "external",
    }
    sent = client.post("/recognise", data=data)
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Badge earned: First thanks" in page
    assert "Pledge signed" not in page
    thanks = client.get("/recognitions").get_data(as_text=True)  # the Thanks tab: only what is new
    assert "Badge earned" not in thanks


def test_the_profile_counts_colleagues_who_recognised_in_words_that_read(client, alice, bob, lena):
    for giver in (alice, lena):
        sign_in(client, giver)
        recognise(client, bob)
        client.post("/signout")
    sign_in(client, alice)
    text = re.sub(r"<[^>]+>|\s+", " ", client.get(f"/people/{bob.id}").get_data(as_text=True))
    assert "recognised by 2 colleagues" in " ".join(text.split())
