"""The 30-day challenge, the weekly commitment and the pledge, as pages."""

from __future__ import annotations

from datetime import date

from conftest import sign_in
from models import Challenge, CheckIn, Commitment, Pledge


def test_the_challenge_invites_a_start_and_then_shows_day_one_of_thirty(as_alice, alice):
    page = as_alice.get("/challenge").get_data(as_text=True)
    assert "Start the challenge today" in page
    assert as_alice.post("/challenge/start").status_code == 303
    page = as_alice.get("/challenge").get_data(as_text=True)
    assert "Day 1 of 30</h1>" in page
    assert page.count('class="cell ') == 30
    assert Challenge.get(Challenge.person == alice).start == date(2026, 11, 18)


def test_the_calendar_marks_done_missed_and_days_off(as_alice, alice, clock):
    as_alice.post("/challenge/start")
    CheckIn.create(person=alice, day=date(2026, 11, 18), before="yes")
    clock.travel(days=5)  # Monday 23rd: Thu 19 and Fri 20 missed, Sat/Sun off
    page = as_alice.get("/challenge").get_data(as_text=True)
    assert "Day 6 of 30</h1>" in page
    assert "Wednesday 18 November: done" in page
    assert "Thursday 19 November: missed" in page
    assert "Saturday 21 November: day off" in page
    assert "1 done · 2 missed" in page


def test_at_the_end_the_closing_reflection_completes_the_challenge(as_alice, alice, clock):
    as_alice.post("/challenge/start")
    assert (
        as_alice.post("/challenge/reflection", data={"reflection": "Too early"}).status_code == 409
    )
    clock.travel(days=29)
    page = as_alice.get("/challenge").get_data(as_text=True)
    assert "What changed? What did you notice?" in page
    response = as_alice.post("/challenge/reflection", data={"reflection": ""})
    assert response.status_code == 422
    assert "Your reflection is needed" in response.get_data(as_text=True)
    as_alice.post(
        "/challenge/reflection", data={"reflection": "I stopped checking my phone on calls."}
    )
    challenge = Challenge.get(Challenge.person == alice)
    assert challenge.completed_at is not None
    page = as_alice.get("/challenge").get_data(as_text=True)
    assert "Challenge complete" in page
    assert "I stopped checking my phone on calls." in page


def test_an_oversize_reflection_comes_back_with_the_text_kept(as_alice, clock):
    as_alice.post("/challenge/start")
    clock.travel(days=30)
    text = "word " * 500
    response = as_alice.post("/challenge/reflection", data={"reflection": text})
    assert response.status_code == 422
    assert text.strip() in response.get_data(as_text=True)


def test_the_challenge_can_be_restarted(as_alice, alice, clock):
    as_alice.post("/challenge/start")
    clock.travel(days=3)
    as_alice.post("/challenge/start")
    assert Challenge.select().where(Challenge.person == alice).count() == 2
    assert "Day 1 of 30</h1>" in as_alice.get("/challenge").get_data(as_text=True)


def test_starting_twice_on_one_day_makes_one_challenge(as_alice, alice):
    as_alice.post("/challenge/start")
    as_alice.post("/challenge/start")
    assert Challenge.select().where(Challenge.person == alice).count() == 1


def test_a_commitment_is_written_for_this_week(as_alice, alice):
    page = as_alice.get("/commitment").get_data(as_text=True)
    assert "One specific behaviour I will change this week" in page
    response = as_alice.post(
        "/commitment", data={"behaviour": "Phone face-down", "situation": "Every client call"}
    )
    assert response.status_code == 303
    row = Commitment.get(Commitment.person == alice)
    assert (row.week, row.behaviour, row.situation) == (
        date(2026, 11, 16),
        "Phone face-down",
        "Every client call",
    )
    page = as_alice.get("/commitment").get_data(as_text=True)
    assert "Phone face-down" in page


def test_an_empty_commitment_is_refused_with_the_text_kept(as_alice):
    response = as_alice.post("/commitment", data={"behaviour": "Listen more", "situation": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The situation is needed" in page
    assert "Listen more" in page
    assert Commitment.select().count() == 0


def test_did_you_keep_it_is_asked_at_the_end_of_the_week(as_alice, alice, clock):
    as_alice.post(
        "/commitment", data={"behaviour": "Call back the same day", "situation": "Missed calls"}
    )
    assert "Did you keep it?" not in as_alice.get("/commitment").get_data(as_text=True)
    clock.travel(days=2)  # Friday
    page = as_alice.get("/commitment").get_data(as_text=True)
    assert "Did you keep it?" in page
    row = Commitment.get(Commitment.person == alice)
    as_alice.post(f"/commitment/{row.id}/review", data={"kept": "yes"})
    assert Commitment.get_by_id(row.id).kept is True
    assert "Commitments kept so far: 1" in as_alice.get("/commitment").get_data(as_text=True)


def test_last_weeks_unanswered_commitment_is_asked_about_on_today(as_alice, alice, clock):
    Commitment.create(
        person=alice, week=date(2026, 11, 9), behaviour="Warm handoffs", situation="Transfers"
    )
    page = as_alice.get("/").get_data(as_text=True)
    assert "Did you keep it?" in page
    assert "Warm handoffs" in page


def test_nobody_answers_for_someone_elses_commitment(client, alice, bob):
    row = Commitment.create(person=alice, week=date(2026, 11, 16), behaviour="b", situation="s")
    sign_in(client, bob)
    assert client.post(f"/commitment/{row.id}/review", data={"kept": "no"}).status_code == 403
    assert client.post("/commitment/9999/review", data={"kept": "no"}).status_code == 404
    assert Commitment.get_by_id(row.id).kept is None


def test_the_pledge_is_signed_once(as_alice, alice):
    page = as_alice.get("/pledge").get_data(as_text=True)
    assert "I commit to the One True Customer philosophy." in page
    as_alice.post("/pledge")
    as_alice.post("/pledge")
    assert Pledge.select().where(Pledge.person == alice).count() == 1
    assert "Signed by Alice Martin" in as_alice.get("/pledge").get_data(as_text=True)


def test_the_reference_card_is_public(client):
    page = client.get("/card").get_data(as_text=True)
    assert "If this were my only customer, how would I handle this?" in page
    assert "Phone down, full attention" in page
    assert "One True Customer. Every interaction. Every time." in page
