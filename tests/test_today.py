"""Today: the check-in, its edits and replays, the streak shown, rights over check-ins."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conftest import sign_in
from models import CheckIn

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
    assert '<span class="streak-number">0</span>' in page


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
