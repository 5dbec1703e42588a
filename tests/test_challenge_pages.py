"""The 30-day challenge, the weekly commitment and the pledge, as pages."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from test_concurrency import _signed_in

from conftest import sign_in
from models import Challenge, CheckIn, Commitment, Invite, Person, Pledge, Team


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


def _accept(client, token, name="Nia Novak"):
    data = {"name": name, "password": "long enough pw", "again": "long enough pw"}
    return client.post(f"/invite/{token}", data={**data, "tz": "Europe/Berlin"})


def test_a_new_hire_joins_the_team_challenge_the_lead_started_this_week(
    app, client, as_lena, lena, alice, north, ada, clock
):
    as_lena.post(f"/team/{north.id}/challenge")
    clock.travel(days=3)
    token = Invite.issue(
        "nia@example.com", north, "employee", lena, clock.now().replace(tzinfo=None)
    )
    fresh = app.test_client()
    assert _accept(fresh, token).status_code == 303
    nia = Person.by_email("nia@example.com")
    challenge = Challenge.get(Challenge.person == nia)
    assert (challenge.start, challenge.started_by_id) == (date(2026, 11, 21), lena.id)
    assert "Day 1 of 30</h1>" in fresh.get("/challenge").get_data(as_text=True)


def test_a_team_challenge_started_over_a_week_ago_takes_no_newcomers(
    app, as_lena, lena, alice, north, clock
):
    as_lena.post(f"/team/{north.id}/challenge")
    clock.travel(days=8)
    token = Invite.issue(
        "nia@example.com", north, "employee", lena, clock.now().replace(tzinfo=None)
    )
    _accept(app.test_client(), token)
    assert (
        not Challenge.select()
        .where(Challenge.person == Person.by_email("nia@example.com"))
        .exists()
    )


def test_a_person_the_admin_moves_onto_the_team_joins_its_running_challenge(
    app, as_lena, lena, alice, carl, north, ada, clock
):
    as_lena.post(f"/team/{north.id}/challenge")
    clock.travel(days=2)
    admin = sign_in(app.test_client(), ada)
    admin.post(
        f"/admin/people/{carl.id}", data={"team": str(north.id), "role": "employee", "active": "1"}
    )
    challenge = Challenge.get(Challenge.person == carl)
    assert (challenge.start, challenge.started_by_id) == (date(2026, 11, 20), lena.id)
    # Saving him again on the same team starts nothing more.
    admin.post(
        f"/admin/people/{carl.id}", data={"team": str(north.id), "role": "employee", "active": "1"}
    )
    assert Challenge.select().where(Challenge.person == carl).count() == 1


def test_someone_part_way_through_their_own_challenge_keeps_it_on_moving_team(
    app, as_lena, lena, alice, carl, north, ada, clock
):
    Challenge.begin(carl, date(2026, 11, 10))
    as_lena.post(f"/team/{north.id}/challenge")
    admin = sign_in(app.test_client(), ada)
    admin.post(
        f"/admin/people/{carl.id}", data={"team": str(north.id), "role": "employee", "active": "1"}
    )
    assert [c.start for c in Challenge.select().where(Challenge.person == carl)] == [
        date(2026, 11, 10)
    ]


def _due_commitment(client, person, clock):
    client.post(
        "/commitment", data={"behaviour": "Call back the same day", "situation": "Missed calls"}
    )
    clock.travel(days=2)  # Friday: "did you keep it?" is due
    return Commitment.get(Commitment.person == person)


def test_yes_i_kept_it_is_acknowledged_with_the_count(as_alice, alice, clock):
    row = _due_commitment(as_alice, alice, clock)
    response = as_alice.post(
        f"/commitment/{row.id}/review", data={"kept": "yes"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert 'role="status">Kept ✓ That&#39;s 1 commitment kept. Well done.</p>' in page
    assert "Did you keep it?" not in page


def test_not_this_time_is_acknowledged_kindly(as_alice, alice, clock):
    row = _due_commitment(as_alice, alice, clock)
    response = as_alice.post(
        f"/commitment/{row.id}/review", data={"kept": "no"}, follow_redirects=True
    )
    assert "Thanks for the honest answer. Next week is a new one" in response.get_data(as_text=True)
    assert Commitment.get_by_id(row.id).kept is False


def test_a_team_challenge_that_starts_nobody_says_so_rather_than_0_of(
    as_lena, lena, alice, bob, north
):
    as_lena.post(f"/team/{north.id}/challenge")
    page = as_lena.get(f"/team?team={north.id}").get_data(as_text=True)
    assert "All 3 of North are already in a challenge." in page
    page = as_lena.post(f"/team/{north.id}/challenge", follow_redirects=True).get_data(as_text=True)
    assert "0 of North" not in page
    assert (
        'class="flash flash-info" role="status">Everyone in North is already in a challenge' in page
    )


def test_a_team_challenge_for_an_empty_team_says_to_invite_first(as_ada, ada):
    east = Team.create(name="East")
    page = as_ada.post(f"/team/{east.id}/challenge", follow_redirects=True).get_data(as_text=True)
    assert "Nobody is on East yet, so no challenge started." in page


def test_a_new_commitment_says_when_we_will_ask_about_it(as_alice, clock):
    data = {"behaviour": "Call back the same day", "situation": "Missed calls"}
    page = as_alice.post("/commitment", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Committed. We&#39;ll ask on Friday whether you kept it." in page
    clock.travel(days=2)  # Friday itself
    page = as_alice.post("/commitment", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Committed. We&#39;ll ask today whether you kept it." in page


def test_an_admin_moving_someone_four_times_at_once_starts_one_challenge(
    live_server, as_lena, lena, alice, carl, ada, north
):
    as_lena.post(f"/team/{north.id}/challenge")
    session, token = _signed_in(live_server, ada.email)
    form = {"team": str(north.id), "role": "employee", "active": "1", "csrf_token": token}

    def move(_):
        return session.post(
            f"{live_server}/admin/people/{carl.id}", data=form, allow_redirects=False
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(move, range(4)))
    assert [r.status_code for r in responses] == [303] * 4
    assert Challenge.select().where(Challenge.person == carl).count() == 1
