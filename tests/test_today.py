"""Today: the check-in, its edits and replays, the streak shown, rights over check-ins."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conftest import make_person, sign_in
from models import Challenge, CheckIn, Person

ALL_YES = {"before": "yes", "during": "yes", "after": "yes"}


def test_today_leads_with_the_core_question_and_three_phases(as_alice):
    page = as_alice.get("/").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert "If this were my only customer, how would I handle this?</h1>" in page
    assert "If this were my only customer, how would I prepare?" in page
    assert "Am I fully present right now?" in page
    assert "would I be proud of how I just handled that?" in page
    assert 'name="before" value="yes"' in page
    assert ">Check in</button>" in page


def test_a_check_in_is_recorded_for_the_local_date_and_today_says_done(as_alice, alice):
    response = as_alice.post("/checkin", data={**ALL_YES, "after_note": "Called back at 4:45."})
    assert response.status_code == 303
    assert response.location == "/"
    row = CheckIn.get(CheckIn.person == alice)
    assert row.day == date(2026, 11, 18)
    assert (row.before, row.during, row.after, row.after_note) == (
        "yes",
        "yes",
        "yes",
        "Called back at 4:45.",
    )
    page = as_alice.get("/").get_data(as_text=True)
    assert "Checked in for today" in page
    assert "Called back at 4:45." in page
    assert "Edit today's answers" in page
    assert '<span class="streak-number">1</span>' in page


def test_the_htmx_check_in_returns_the_fragment_with_the_streak(as_alice):
    response = as_alice.htmx("POST", "/checkin", data=ALL_YES)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="checkin"')
    assert "Checked in for today" in body
    assert "streak-grew" in response.headers["HX-Trigger-After-Settle"]


def test_a_second_submit_edits_and_never_duplicates(as_alice, alice):
    as_alice.post("/checkin", data=ALL_YES)
    as_alice.post("/checkin", data={**ALL_YES, "during": "partly"})
    assert CheckIn.select().where(CheckIn.person == alice).count() == 1
    assert CheckIn.get(CheckIn.person == alice).during == "partly"


def test_a_replay_with_the_same_key_changes_nothing(as_alice, alice):
    as_alice.post("/checkin", data={**ALL_YES, "key": "abc"})
    as_alice.post("/checkin", data={**ALL_YES, "during": "partly", "key": "def"})
    as_alice.post("/checkin", data={**ALL_YES, "key": "abc"})
    row = CheckIn.get(CheckIn.person == alice)
    assert row.during == "partly"
    assert CheckIn.select().count() == 1


def test_the_day_follows_the_persons_own_time_zone(client, alice, clock):
    # 23:30 UTC on Wednesday is already Thursday in Berlin.
    clock.set(datetime(2026, 11, 18, 23, 30, tzinfo=UTC))
    sign_in(client, alice)
    client.post("/checkin", data=ALL_YES)
    assert CheckIn.get(CheckIn.person == alice).day == date(2026, 11, 19)


def test_the_streak_grows_across_work_days_and_a_weekend_does_not_break_it(as_alice, clock):
    for _ in range(3):  # Wed, Thu, Fri
        as_alice.post("/checkin", data=ALL_YES)
        clock.travel(days=1)
    clock.travel(days=2)  # Sat, Sun off: now Monday
    as_alice.post("/checkin", data=ALL_YES)
    page = as_alice.get("/").get_data(as_text=True)
    assert '<span class="streak-number">4</span>' in page


def test_a_freeze_saved_day_is_shown_honestly(as_alice, alice, clock):
    days = [date(2026, 11, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13)]
    for d in days:
        CheckIn.create(person=alice, day=d, before="yes")
    # Monday 16 missed; Tuesday 17 checked in; today is Wednesday 18.
    CheckIn.create(person=alice, day=date(2026, 11, 17), before="yes")
    page = as_alice.get("/").get_data(as_text=True)
    assert "Your freeze saved Mon 16 Nov" in page
    assert '<span class="streak-number">11</span>' in page


def test_an_empty_check_in_is_refused_with_a_clear_message(as_alice, alice):
    response = as_alice.post("/checkin", data={"before_note": "kept text"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tap an answer for at least one phase" in page
    assert "kept text" in page
    assert CheckIn.select().count() == 0


def test_an_oversize_note_comes_back_with_the_text_kept(as_alice):
    note = "x" * 2001
    response = as_alice.htmx("POST", "/checkin", data={**ALL_YES, "during_note": note})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert "2,001 characters" in body
    assert note in body
    assert CheckIn.select().count() == 0


def test_an_unknown_answer_is_refused(as_alice):
    response = as_alice.post("/checkin", data={"before": "maybe"})
    assert response.status_code == 422
    assert "Pick Yes, Partly or Not yet" in response.get_data(as_text=True)


def test_markup_in_a_note_is_shown_as_text(as_alice):
    as_alice.post("/checkin", data={**ALL_YES, "after_note": "<script>alert(1)</script>"})
    page = as_alice.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_control_characters_are_stripped_from_notes(as_alice, alice):
    as_alice.post("/checkin", data={**ALL_YES, "after_note": "ok\x00\x07 fine\nnext"})
    assert CheckIn.get(CheckIn.person == alice).after_note == "ok fine\nnext"


def test_editing_today_shows_the_form_with_the_answers(as_alice):
    as_alice.post("/checkin", data={**ALL_YES, "before": "partly"})
    response = as_alice.htmx("GET", "/?edit=1")
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert 'value="partly" checked' in body
    assert "Save today's answers" in body
    assert "HX-Request" in response.headers["Vary"]


def test_a_boosted_request_gets_the_whole_page(as_alice):
    response = as_alice.get("/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_a_colleagues_notes_never_show_on_my_today(client, alice, bob):
    CheckIn.create(
        person=bob, day=date(2026, 11, 18), before="yes", before_note="Bob's private thought"
    )
    sign_in(client, alice)
    assert "Bob&#39;s private thought" not in client.get("/").get_data(as_text=True)


def test_a_check_in_on_a_day_off_is_welcome_but_does_not_count(as_alice, clock):
    clock.travel(days=3)  # Saturday
    page = as_alice.get("/").get_data(as_text=True)
    assert "Today is a day off for you" in page
    as_alice.post("/checkin", data=ALL_YES)
    page = as_alice.get("/").get_data(as_text=True)
    assert "Checked in for today" in page
    assert "Your streak starts on your next work day" in page
    assert "streak-number" not in page


def test_an_htmx_request_without_sign_in_is_redirected_by_header(client):
    response = client.htmx("GET", "/")
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/signin"


# The offline queue's replays -----------------------------------------------------------------


def queued(client, tapped: str, key: str = "k-queued-1", **headers):
    return client.post(
        "/checkin",
        data=ALL_YES,
        headers={"Idempotency-Key": key, "X-Tapped-At": tapped, **headers},
    )


def test_a_check_in_queued_before_midnight_counts_for_the_day_it_was_made(as_alice, alice, clock):
    clock.set(datetime(2026, 11, 18, 23, 20, tzinfo=UTC))  # 00:20 on the 19th in Berlin
    response = queued(as_alice, "2026-11-18T22:50:00Z")  # 23:50 on the 18th
    assert response.status_code == 200
    assert [row.day for row in CheckIn.select()] == [date(2026, 11, 18)]


def test_the_same_queued_check_in_sent_twice_is_applied_once(as_alice, alice):
    first = queued(as_alice, "2026-11-18T09:55:00Z")
    again = queued(as_alice, "2026-11-18T09:55:00Z")
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.get_data() == again.get_data()
    assert CheckIn.select().count() == 1


def test_a_queued_check_in_older_than_yesterday_is_refused_with_a_clear_message(as_alice):
    response = queued(as_alice, "2026-11-16T12:00:00Z")
    assert response.status_code == 422
    assert "today or yesterday only" in response.get_data(as_text=True)
    assert CheckIn.select().count() == 0


def test_a_queued_check_in_never_lands_before_the_last_zone_change(as_alice, alice):
    alice.tz_changed_on = date(2026, 11, 18)
    alice.save()
    response = queued(as_alice, "2026-11-17T12:00:00Z")
    assert response.status_code == 422
    assert CheckIn.select().count() == 0


def test_a_queued_check_in_with_a_nonsense_instant_is_refused_not_a_500(as_alice):
    for tapped in ("yesterday", "2026-11-18T09:55:00", ""):
        response = queued(as_alice, tapped, key=f"k-{len(tapped)}")
        assert response.status_code == 422, tapped
    assert CheckIn.select().count() == 0


def test_a_check_in_queued_by_someone_else_on_the_phone_waits_for_them(as_alice, alice):
    response = queued(as_alice, "2026-11-18T09:55:00Z", **{"X-Queued-For": str(alice.id + 1)})
    assert response.status_code == 409
    assert CheckIn.select().count() == 0


def test_a_phone_zone_that_is_an_alias_of_mine_offers_no_switch(client, north):
    person = make_person("Priya Sharma", "priya@example.com", team=north, tz="Asia/Kolkata")
    sign_in(client, person)
    # Chromium reports India as Asia/Calcutta, tzdata's old name for Asia/Kolkata.
    assert client.htmx("GET", "/today/zone?phone=Asia/Calcutta").status_code == 204
    assert client.htmx("GET", "/today/zone?phone=Asia/Kolkata").status_code == 204


def test_a_phone_zone_on_the_same_clock_offers_no_switch(as_alice):
    # Paris and Berlin agree on every moment of the coming year: no day would change.
    assert as_alice.htmx("GET", "/today/zone?phone=Europe/Paris").status_code == 204


def test_a_phone_zone_with_other_days_offers_a_switch_named_by_city(as_alice):
    response = as_alice.htmx("GET", "/today/zone?phone=America/New_York")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    # "Your phone" on a phone, "This device" on a laptop: the stylesheet shows the one that fits.
    assert (
        '<span class="on-phone">Your phone</span><span class="on-laptop">This device</span>'
        " is on New York time</h2>"
    ) in body
    assert "Use New York time</button>" in body
    assert "Keep Berlin time</button>" in body
    assert "Europe/Berlin" not in body


def test_an_unknown_phone_zone_offers_nothing(as_alice):
    for phone in ("Mars/Base", "\x00", "", "../../etc/passwd"):
        assert as_alice.htmx("GET", "/today/zone", query_string={"phone": phone}).status_code == 204


def test_keeping_my_time_is_remembered_for_that_zone_on_every_device(app, as_alice, alice):
    response = as_alice.htmx("POST", "/today/zone/keep", data={"phone": "America/New_York"})
    assert response.status_code == 200
    assert "Keeping Berlin time" in response.headers["HX-Trigger"]
    assert Person.get_by_id(alice.id).tz_kept == "America/New_York"
    assert as_alice.htmx("GET", "/today/zone?phone=America/New_York").status_code == 204
    # Its alias and another device ask nothing either; a different trip asks again.
    assert as_alice.htmx("GET", "/today/zone?phone=US/Eastern").status_code == 204
    other = sign_in(app.test_client(), alice)
    assert other.htmx("GET", "/today/zone?phone=America/New_York").status_code == 204
    assert other.htmx("GET", "/today/zone?phone=Asia/Tokyo").status_code == 200


def test_keeping_my_time_without_javascript_comes_back_to_today_saying_so(as_alice):
    response = as_alice.post("/today/zone/keep", data={"phone": "Asia/Tokyo"})
    assert response.status_code == 303
    assert "We won&#39;t ask again while your phone is on Tokyo time" in as_alice.get("/").get_data(
        as_text=True
    )


def test_keeping_an_unknown_zone_is_refused(as_alice, alice):
    assert as_alice.post("/today/zone/keep", data={"phone": "Nowhere/Land"}).status_code == 422
    assert Person.get_by_id(alice.id).tz_kept == ""


def test_a_new_persons_first_streak_card_invites_and_shows_no_zero(as_alice):
    page = as_alice.get("/").get_data(as_text=True)
    assert "Start your streak today" in page
    assert "streak-number" not in page
    assert "0 of 2" not in page
    as_alice.post("/checkin", data=ALL_YES)
    page = as_alice.get("/").get_data(as_text=True)
    assert '<span class="streak-number">1</span>' in page
    assert "Start your streak today" not in page


def test_a_broken_streak_shows_its_zero_with_the_longest_kept(as_alice, alice, clock):
    as_alice.post("/checkin", data=ALL_YES)
    clock.travel(days=7)
    page = as_alice.get("/").get_data(as_text=True)
    assert '<span class="streak-number">0</span>' in page
    assert "A check-in today starts a new streak" in page


def test_each_phase_asks_the_campaign_question_and_answers_a_yes_no_line(as_alice):
    page = as_alice.get("/").get_data(as_text=True)
    for line in (
        "Did I prepare as if they were my only customer?",
        "Was I fully present?",
        "Would I be proud of how I handled it?",
    ):
        assert f"{line}</legend>" in page
    assert page.index("how would I prepare?</h3>") < page.index("Did I prepare as if")


def test_saving_edited_answers_says_saved_and_the_edit_has_cancel(as_alice, alice):
    as_alice.post("/checkin", data=ALL_YES)
    edit = as_alice.htmx("GET", "/?edit=1").get_data(as_text=True)
    assert ">Save today's answers</button>" in edit
    assert 'hx-get="/">Cancel</a>' in edit
    response = as_alice.htmx("POST", "/checkin", data={**ALL_YES, "during": "partly", "edit": "1"})
    assert "Your changes are saved." in response.get_data(as_text=True)
    assert CheckIn.get(CheckIn.person == alice).during == "partly"
    # Without JavaScript the page after the redirect says so.
    response = as_alice.post("/checkin", data={**ALL_YES, "edit": "1"})
    assert response.location == "/?saved=1"
    assert "Your changes are saved." in as_alice.get(response.location).get_data(as_text=True)
    # A first check-in needs no "saved": it says "Checked in".
    assert "Your changes are saved." not in as_alice.get("/").get_data(as_text=True)


def test_the_welcome_after_an_invite_explains_streaks_days_off_and_what_the_lead_sees(as_alice):
    page = as_alice.get("/?welcome=1").get_data(as_text=True)
    assert "Welcome, Alice Martin</h2>" in page
    assert page.count("<li><strong>") == 3
    assert "Days off never count and never break it" in page
    assert "Every 7 days earns a freeze" in page
    assert "Your lead sees that you checked in, never your answers or notes." in page
    assert "Welcome, Alice" not in as_alice.get("/").get_data(as_text=True)


def test_the_welcome_says_when_the_newcomer_joined_the_team_challenge(as_alice, alice, lena):
    Challenge.begin(alice, date(2026, 11, 18), by=lena)
    page = as_alice.get("/?welcome=1").get_data(as_text=True)
    assert "You've joined North's 30-day challenge: today is day 1." in page
