"""The weekly digest email: through a real SMTP server, once per person and week, and a one-click unsubscribe."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from test_mail import inbox, parts, smtp_port  # noqa: F401  (the SMTP server fixtures)

import push
from conftest import make_person, sign_in
from models import (
    CheckIn,
    Commitment,
    Message,
    PushPreference,
    PushSubscription,
    Recognition,
    Story,
)

# Friday 20 November 2026, 09:00 in Berlin (UTC+1): the last work day of a Monday-to-Friday week.
FRIDAY_NINE = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 16)
UNSUBSCRIBE = re.compile(r"<(https://otc\.example\.com(/mail/unsubscribe/[^>]+))>")


@pytest.fixture
def app_config(smtp_port):  # noqa: F811
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_USE_TLS": False,
        "MAIL_TIMEOUT": 5,
        "MAIL_DEFAULT_SENDER": "One True Customer <campaign@example.com>",
        "PUBLIC_URL": "https://otc.example.com",
    }


def _run(app) -> dict:
    with app.app_context():
        return push.send_due()


def _device(person) -> None:
    PushSubscription.create(
        person=person,
        endpoint=f"https://fcm.googleapis.com/fcm/send/{person.id}",
        p256dh="k",
        auth="a",
    )


def _digests() -> int:
    return Message.select().where((Message.kind == "digest") & (Message.state == "sent")).count()


def test_the_digest_arrives_on_friday_at_nine_with_the_persons_week(
    app,
    clock,
    alice,
    bob,
    inbox,  # noqa: F811
):
    for day in (MONDAY + timedelta(days=n) for n in range(4)):
        CheckIn.create(person=alice, day=day, before="yes")
    Commitment.create(
        person=alice, week=MONDAY, behaviour="Call back the same day", situation="Missed calls"
    )
    story = Story.create(
        author=bob,
        member=bob,
        team=bob.team,
        day=date(2026, 11, 17),
        title="The Saturday Call",
        situation="A worried customer",
        moment="I called back on Saturday",
        customer_kind="external",
        phase="after",
    )
    story.feature(MONDAY, clock.now().replace(tzinfo=None))
    Recognition.create(
        giver=bob,
        receiver=alice,
        team=alice.team,
        message="Walked a borrower through every line item",
        customer_kind="external",
        day=date(2026, 11, 17),
        week=MONDAY,
    )
    PushPreference.choose_weekly_email(bob, False, clock.now())

    clock.set(FRIDAY_NINE - timedelta(minutes=1))
    _run(app)
    assert inbox.messages == []

    clock.set(FRIDAY_NINE)
    _run(app)
    (message,) = inbox.wait()
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "Your week with One True Customer"
    assert message.get_content_type() == "multipart/alternative"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert UNSUBSCRIBE.fullmatch(message["List-Unsubscribe"].strip())
    text, html = parts(message)
    for body in (text, html):
        assert re.search(r"Days checked in this week: (<strong>)?4", body)
        assert "Call back the same day" in body
        assert "The Saturday Call" in body
        assert "Walked a borrower through every line item" in body
        assert "/mail/unsubscribe/" in body
    assert "Your streak: 4 work days" in text
    assert "Every interaction. Every time." in text
    assert _digests() == 1


def test_the_digest_goes_once_however_often_the_pass_runs(app, clock, alice, inbox):  # noqa: F811
    clock.set(FRIDAY_NINE)
    _run(app)
    clock.travel(hours=2)
    _run(app)
    _run(app)
    assert len(inbox.wait()) == 1
    assert _digests() == 1


def test_two_passes_at_once_send_each_digest_once(app, clock, north, inbox):  # noqa: F811
    people = [make_person(f"P{n}", f"p{n}@example.com", team=north) for n in range(8)]
    clock.set(FRIDAY_NINE)
    start = threading.Barrier(2)
    failures = []

    def scheduler():
        try:
            with app.app_context():
                start.wait()
                push.send_due()
        except Exception as error:  # surfaced below
            failures.append(error)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    inbox.wait(len(people))
    assert sorted(m["To"] for m in inbox.messages) == sorted(p.email for p in people)
    assert _digests() == len(people)


def test_no_digest_when_turned_off_nor_for_someone_with_a_push_device(
    app,
    clock,
    alice,
    bob,
    inbox,  # noqa: F811
):
    PushPreference.choose_weekly_email(alice, False, clock.now())
    _device(bob)
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))  # 09:00 in London, Bob's zone
    _run(app)
    assert inbox.messages == []
    assert Message.select().where(Message.kind == "digest").count() == 0


def test_someone_with_a_push_device_who_turns_it_on_gets_it(
    app,
    client,
    clock,
    alice,
    inbox,  # noqa: F811
):
    _device(alice)
    sign_in(client, alice)
    page = client.get("/me/notifications").get_data(as_text=True)
    assert 'checked name="weekly_email" value="off"' in page
    response = client.post("/me/notifications/weekly-email", data={"weekly_email": "on"})
    assert response.status_code == 303
    assert 'checked name="weekly_email" value="on"' in client.get("/me/notifications").get_data(
        as_text=True
    )
    clock.set(FRIDAY_NINE)
    _run(app)
    (message,) = inbox.wait()
    assert message["To"] == "alice@example.com"


def test_a_weekly_email_choice_that_is_neither_is_refused_with_a_message(client, alice):
    sign_in(client, alice)
    # Without a push device the weekly email is on until the person says otherwise.
    page = client.get("/me/notifications").get_data(as_text=True)
    assert 'checked name="weekly_email" value="on"' in page
    response = client.post("/me/notifications/weekly-email", data={"weekly_email": "maybe"})
    assert response.status_code == 422
    assert "Choose whether you want the weekly email." in response.get_data(as_text=True)


def test_the_one_click_post_unsubscribes_without_a_session_or_csrf_token(
    app,
    clock,
    alice,
    inbox,  # noqa: F811
):
    clock.set(FRIDAY_NINE)
    _run(app)
    (message,) = inbox.wait()
    path = UNSUBSCRIBE.fullmatch(message["List-Unsubscribe"].strip()).group(2)

    stranger = app.test_client()
    # Other POSTs still need the token: the exemption is this route alone.
    assert stranger.post("/me/notifications/weekly-email", csrf=False).status_code == 400
    response = stranger.post(path, data={"List-Unsubscribe": "One-Click"}, csrf=False)
    assert response.status_code in (200, 204)
    assert PushPreference.of(alice).weekly_email is False

    clock.travel(days=7)
    _run(app)
    assert len(inbox.messages) == 1


def test_a_forged_unsubscribe_token_changes_nothing(app, alice):
    stranger = app.test_client()
    for token in ("forged", "eyJwIjoxLCJmb3IiOiJ1bnN1YnNjcmliZS1kaWdlc3QifQ.bad"):
        assert stranger.get(f"/mail/unsubscribe/{token}").status_code == 404
        response = stranger.post(f"/mail/unsubscribe/{token}", csrf=False)
        assert response.status_code == 404
    assert PushPreference.of(alice).weekly_email is None


def test_the_unsubscribe_page_works_signed_out_and_its_button_turns_the_email_off(app, alice):
    from pwa.digest import unsubscribe_token

    with app.app_context():
        token = unsubscribe_token(alice.id)
    stranger = app.test_client()
    page = stranger.get(f"/mail/unsubscribe/{token}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "<h1>Weekly email</h1>" in body
    assert "Stop the weekly email</button>" in body
    action = re.search(r'<form[^>]*action="([^"]+)"', body).group(1)
    assert urlsplit(action).path == f"/mail/unsubscribe/{token}"
    assert PushPreference.of(alice).weekly_email is None
    done = stranger.post(action, csrf=False)
    assert done.status_code == 200
    assert "no more weekly emails" in done.get_data(as_text=True)
    assert PushPreference.of(alice).weekly_email is False
