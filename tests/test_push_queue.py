"""Delivery: daily reminders in each person's zone, streak at risk, held events, retries, clean-up, at most once."""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest

import push
from conftest import make_person, sign_in, subscribe_device
from manage import cli
from models import CheckIn, Message, PushPreference, PushSubscription, Recognition, Story
from push import outbox
from push.queue import huey, make_huey, send_due_pushes, use_app

# Wednesday 18 November 2026; Berlin is UTC+1.
BERLIN_NINE = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)


def _titles(service) -> list[str]:
    return [d.payload["notification"]["title"] for d in service.received]


def _run(app) -> dict:
    with app.app_context():
        return push.send_due()


def test_the_daily_reminder_comes_at_nine_in_the_persons_zone_once(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    clock.set(BERLIN_NINE - timedelta(minutes=1))
    assert _run(app)["planned"] == 0
    assert push_service.received == []

    clock.set(BERLIN_NINE)
    counts = _run(app)
    clock.travel(minutes=1)
    _run(app)

    assert counts["sent"] == 1
    assert _titles(push_service) == ["A minute for your check-in?"]
    notification = push_service.received[0].payload["notification"]
    assert (notification["navigate"], notification["tag"]) == (
        "https://otc.example.com/",
        "reminder",
    )
    row = Message.get()
    assert (row.kind, row.day, row.state) == ("reminder", date(2026, 11, 18), "sent")


def test_each_person_gets_the_reminder_at_their_own_time(app, clock, alice, bob, push_service):
    subscribe_device(alice, push_service)  # Berlin
    subscribe_device(bob, push_service)  # London: 09:00 there is 09:00 UTC
    PushPreference.choose(bob, "09:00", ["reminder"], clock.now())

    clock.set(BERLIN_NINE)
    _run(app)
    assert len(push_service.received) == 1

    clock.set(BERLIN_NINE + timedelta(hours=1))
    _run(app)
    assert len(push_service.received) == 2


def test_a_chosen_reminder_time_is_honoured(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    PushPreference.choose(alice, "11:30", ["reminder"], clock.now())

    clock.set(BERLIN_NINE)
    _run(app)
    assert push_service.received == []
    clock.set(datetime(2026, 11, 18, 10, 30, tzinfo=UTC))
    _run(app)
    assert len(push_service.received) == 1


def test_no_reminder_for_someone_who_already_checked_in(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    CheckIn.create(person=alice, day=date(2026, 11, 18), before="yes")

    clock.set(BERLIN_NINE)
    _run(app)

    assert push_service.received == []
    assert Message.get().state == "skipped"


def test_no_reminder_on_a_day_off(app, clock, alice, push_service):
    subscribe_device(alice, push_service)

    clock.set(datetime(2026, 11, 21, 8, 0, tzinfo=UTC))  # Saturday 09:00 in Berlin
    _run(app)

    assert push_service.received == []
    assert Message.select().count() == 0


def test_no_reminder_when_the_person_turned_it_off(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    PushPreference.choose(alice, "09:00", ["featured"], clock.now())

    clock.set(BERLIN_NINE)
    _run(app)

    assert push_service.received == []


def test_every_device_of_the_person_gets_the_reminder(app, clock, alice, push_service):
    phone = subscribe_device(alice, push_service)
    laptop = subscribe_device(alice, push_service)

    clock.set(BERLIN_NINE)
    _run(app)

    assert len(push_service.for_endpoint(phone["endpoint"])) == 1
    assert len(push_service.for_endpoint(laptop["endpoint"])) == 1


def _streak_of_three(person) -> None:
    for day in (date(2026, 11, 13), date(2026, 11, 16), date(2026, 11, 17)):
        CheckIn.create(person=person, day=day, before="yes")


def test_a_streak_of_three_is_at_risk_at_four_in_the_afternoon(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    PushPreference.choose(alice, "09:00", ["streak_risk"], clock.now())
    _streak_of_three(alice)

    clock.set(datetime(2026, 11, 18, 14, 59, tzinfo=UTC))
    _run(app)
    assert push_service.received == []
    clock.set(datetime(2026, 11, 18, 15, 0, tzinfo=UTC))  # 16:00 in Berlin
    _run(app)
    clock.travel(minutes=30)
    _run(app)

    assert _titles(push_service) == ["Your 3-day streak is waiting for today"]


def test_no_streak_push_once_today_is_checked_in(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    _streak_of_three(alice)
    CheckIn.create(person=alice, day=date(2026, 11, 18), before="yes")

    clock.set(datetime(2026, 11, 18, 15, 0, tzinfo=UTC))
    _run(app)

    assert push_service.received == []


def test_no_streak_push_for_a_short_streak(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    PushPreference.choose(alice, "09:00", ["streak_risk"], clock.now())
    CheckIn.create(person=alice, day=date(2026, 11, 17), before="yes")

    clock.set(datetime(2026, 11, 18, 15, 0, tzinfo=UTC))
    _run(app)

    assert push_service.received == []


def test_a_subscription_the_service_calls_gone_is_deleted(app, clock, alice, push_service):
    phone = subscribe_device(alice, push_service)
    laptop = subscribe_device(alice, push_service)
    push_service.forget(phone)  # the phone's app was uninstalled: 410 from now on

    clock.set(BERLIN_NINE)
    _run(app)

    assert [d.endpoint for d in PushSubscription.select()] == [laptop["endpoint"]]
    assert len(push_service.for_endpoint(laptop["endpoint"])) == 1
    assert Message.get().state == "sent"


def test_a_busy_service_gets_the_message_again_after_it_asked_to_wait(
    app, clock, alice, push_service
):
    subscribe_device(alice, push_service)
    push_service.answer(429, retry_after="60")

    clock.set(BERLIN_NINE)
    _run(app)
    row = Message.get()
    assert (row.state, row.due_at) == ("due", datetime(2026, 11, 18, 8, 1))
    assert push_service.received == []

    clock.travel(seconds=59)
    _run(app)
    assert push_service.received == []
    clock.travel(seconds=1)
    _run(app)
    assert len(push_service.received) == 1 and Message.get().state == "sent"


def test_a_retry_reaches_only_the_devices_that_missed_it(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    subscribe_device(alice, push_service)
    push_service.answer(503)  # one of the two sends fails

    clock.set(BERLIN_NINE)
    _run(app)
    assert len(push_service.received) == 1
    clock.travel(minutes=5)
    _run(app)

    endpoints = [d.token for d in push_service.received]
    assert len(endpoints) == 2 and len(set(endpoints)) == 2


def test_a_reminder_still_unsent_by_eight_in_the_evening_is_dropped(
    app, clock, alice, push_service
):
    subscribe_device(alice, push_service)
    push_service.answer(503, times=50)

    clock.set(BERLIN_NINE)
    _run(app)
    clock.set(datetime(2026, 11, 18, 19, 0, tzinfo=UTC))  # 20:00 in Berlin
    _run(app)

    assert Message.get().state == "dropped"


def test_a_message_that_keeps_failing_gives_up_after_some_tries(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    push_service.answer(500, times=50)

    clock.set(BERLIN_NINE)
    for _ in range(outbox.MAX_ATTEMPTS + 1):
        _run(app)
        clock.travel(minutes=40)

    assert Message.get().state == "failed"
    assert Message.get().attempts == outbox.MAX_ATTEMPTS


def test_an_event_in_the_working_day_is_pushed_within_the_minute(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    PushPreference.choose(alice, "09:00", ["recognised"], clock.now())
    clock.set(datetime(2026, 11, 18, 10, 0, tzinfo=UTC))
    with app.test_request_context():
        queued = push.notify(
            alice.id,
            "recognised",
            "recognition-7",
            "Bob recognised you",
            "Thank you for the Saturday call.",
            "/me",
        )
        push.notify(alice.id, "recognised", "recognition-7", "Bob recognised you", "Twice?", "/me")

    _run(app)

    assert queued
    assert _titles(push_service) == ["Bob recognised you"]
    note = push_service.received[0].payload["notification"]
    assert note["navigate"] == "https://otc.example.com/me"
    assert note["body"] == "Thank you for the Saturday call."


def test_an_event_on_saturday_waits_for_mondays_reminder_time(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    PushPreference.choose(alice, "09:30", ["badges"], clock.now())
    clock.set(datetime(2026, 11, 21, 11, 0, tzinfo=UTC))
    with app.app_context():
        push.notify(
            alice.id, "badges", "badge-1", "A badge for you", "Seven days of the filter.", "/"
        )

    _run(app)
    clock.set(datetime(2026, 11, 23, 8, 29, tzinfo=UTC))  # Monday 09:29 in Berlin
    _run(app)
    assert push_service.received == []
    clock.travel(minutes=1)
    _run(app)

    assert _titles(push_service) == ["A badge for you"]


def test_an_event_more_than_three_days_old_is_dropped(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    PushPreference.choose(alice, "09:00", ["team_news"], clock.now())
    clock.set(datetime(2026, 11, 18, 10, 0, tzinfo=UTC))
    with app.app_context():
        push.notify(alice.id, "team_news", "week-47", "This week", "News.", "/")

    clock.travel(days=3, minutes=1)  # the queue was down meanwhile
    _run(app)

    assert push_service.received == []
    assert Message.get().state == "dropped"


def test_no_event_push_for_someone_without_a_device_or_who_turned_it_off(
    app, clock, alice, bob, push_service
):
    subscribe_device(bob, push_service)
    PushPreference.choose(bob, "09:00", ["reminder"], clock.now())
    with app.app_context():
        assert not push.notify(alice.id, "featured", "x", "t", "b", "/")
        assert not push.notify(bob.id, "featured", "x", "t", "b", "/")

    assert Message.select().count() == 0


def test_an_unknown_event_kind_is_a_programming_error(app, alice):
    with app.app_context(), pytest.raises(ValueError):
        push.notify(alice.id, "reminder", "x", "t", "b", "/")


def _story_by(person) -> Story:
    return Story.create(
        author=person,
        member=person,
        team=person.team,
        day=date(2026, 11, 17),
        title="The Saturday Call",
        situation="A worried customer",
        moment="I called back on Saturday",
        customer_kind="external",
        phase="after",
    )


def test_featuring_a_story_tells_its_author(app, client, clock, lena, bob, alice, push_service):
    subscribe_device(bob, push_service)
    PushPreference.choose(bob, "09:00", ["featured"], clock.now())
    story = _story_by(bob)

    response = sign_in(client, lena).post(f"/stories/{story.id}/feature")
    _run(app)

    assert response.status_code == 303
    (delivery,) = push_service.received
    assert delivery.payload["notification"]["title"] == "Your story is the story of the week"
    assert "The Saturday Call" in delivery.payload["notification"]["body"]
    assert (
        delivery.payload["notification"]["navigate"]
        == f"https://otc.example.com/stories/{story.id}"
    )


def test_two_schedulers_at_once_send_each_reminder_once(app, clock, north, push_service):
    people = [make_person(f"P{n}", f"p{n}@example.com", team=north) for n in range(12)]
    endpoints = [subscribe_device(person, push_service)["endpoint"] for person in people]
    clock.set(BERLIN_NINE)
    start = threading.Barrier(2)
    failures = []

    def scheduler():
        try:
            with app.app_context():
                start.wait()
                push.send_due()
        except Exception as error:  # surfaced below, with the thread's own error
            failures.append(error)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sorted(len(push_service.for_endpoint(e)) for e in endpoints) == [1] * 12
    assert Message.select().where(Message.state == "sent").count() == 12


def test_rows_held_by_a_sender_that_died_go_out_once_its_lease_runs_out(
    app, clock, alice, bob, push_service
):
    subscribe_device(alice, push_service)
    subscribe_device(bob, push_service)
    PushPreference.choose(bob, "08:00", ["reminder"], clock.now())
    clock.set(BERLIN_NINE)
    with app.app_context():
        push.planner.plan(clock.now())
        # A sender takes both rows, sends nothing and is never heard of again.
        held = Message.claim("push", clock.now().replace(tzinfo=None), outbox.LEASE, 500)
    assert len(held) == 2

    _run(app)
    assert push_service.received == []
    clock.travel(minutes=5, seconds=1)
    _run(app)
    clock.travel(minutes=10)
    _run(app)

    assert len(push_service.received) == 2


def test_the_send_due_command_runs_one_pass_and_says_what_it_did(
    app, runner, clock, alice, push_service
):
    subscribe_device(alice, push_service)
    clock.set(BERLIN_NINE)

    with app.app_context():
        result = runner.invoke(cli, ["send-due"])

    assert result.exit_code == 0, result.output
    assert (
        result.output.strip().splitlines()[-1]
        == "Sent 1 message (1 planned, 0 to retry, 0 dropped)."
    )
    assert len(push_service.received) == 1


def test_the_every_minute_task_of_the_worker_sends_due_reminders(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    clock.set(BERLIN_NINE)
    use_app(app)
    try:
        counts = send_due_pushes.call_local()
    finally:
        use_app(None)

    assert counts["sent"] == 1 and len(push_service.received) == 1
    due = huey.read_periodic(datetime(2026, 11, 18, 9, 17))
    assert [task.name for task in due] == ["send_due_pushes"]


def test_the_queue_is_sqlite_by_default_and_redis_when_configured(tmp_path):
    from huey import RedisHuey, SqliteHuey

    assert isinstance(make_huey({"HUEY_URL": f"sqlite:///{tmp_path}/q.db"}), SqliteHuey)
    assert isinstance(make_huey({"REDIS_URL": "redis://127.0.0.1:6379/0"}), RedisHuey)
    with pytest.raises(ValueError):
        make_huey({"HUEY_URL": "ftp://nowhere"})


def test_the_story_of_the_week_is_team_news_for_the_rest_of_the_team_only(
    app, client, clock, lena, bob, alice, carl, push_service
):
    alices = subscribe_device(alice, push_service)
    carls = subscribe_device(carl, push_service)
    bobs = subscribe_device(bob, push_service)
    for person in (alice, carl, bob):
        PushPreference.choose(person, "09:00", ["featured", "team_news"], clock.now())
    story = _story_by(bob)

    sign_in(client, lena).post(f"/stories/{story.id}/feature")
    _run(app)

    assert [
        d.payload["notification"]["title"] for d in push_service.for_endpoint(alices["endpoint"])
    ] == ["This week's story"]
    assert [
        d.payload["notification"]["title"] for d in push_service.for_endpoint(bobs["endpoint"])
    ] == ["Your story is the story of the week"]
    assert push_service.for_endpoint(carls["endpoint"]) == []


def test_the_queue_runs_a_queued_task_in_the_app(app, clock, alice, push_service):
    # The worker's consumer, in threads rather than its own process: a queued pass sends.
    subscribe_device(alice, push_service)
    PushPreference.choose(alice, "09:00", ["recognised"], clock.now())
    with app.app_context():
        push.notify(alice.id, "recognised", "r-1", "Bob recognised you", "Thanks!", "/")
    use_app(app)
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        counts = push.queue.send_due_now()(blocking=True, timeout=20)
    finally:
        consumer.stop(graceful=True)
        use_app(None)

    assert counts["sent"] == 1
    assert _titles(push_service) == ["Bob recognised you"]


def test_without_vapid_keys_push_is_off_and_nothing_is_planned(
    app, runner, clock, alice, push_service
):
    subscribe_device(alice, push_service)
    app.config["VAPID_PRIVATE_KEY"] = ""
    clock.set(BERLIN_NINE)

    with app.app_context():
        result = runner.invoke(cli, ["send-due"])

    assert "Push is off" in result.output
    assert Message.select().count() == 0 and push_service.received == []


def test_the_vapid_command_prints_a_key_pair_and_keeps_it_on_the_embedded_default(
    app, runner, tmp_path, monkeypatch
):
    monkeypatch.delenv("VAPID_PRIVATE_KEY", raising=False)
    monkeypatch.setitem(app.config, "DATABASE_URL", "sqlite:///embedded.db")  # the embedded default
    app.instance_path = str(tmp_path)

    with app.app_context():
        result = runner.invoke(cli, ["vapid"])

    lines = dict(
        line.split("=", 1) for line in result.output.splitlines() if "=" in line and " " not in line
    )
    assert set(lines) == {"VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY"}
    assert len(base64.urlsafe_b64decode(lines["VAPID_PUBLIC_KEY"] + "=")) == 65
    stored = json.loads((tmp_path / "vapid.json").read_text())
    assert stored == lines
    assert (tmp_path / "vapid.json").stat().st_mode & 0o077 == 0
    # An app reads them from there when the environment has none.
    from push.keys import configure

    app.config.update(VAPID_PRIVATE_KEY="", VAPID_PUBLIC_KEY="")
    configure(app)
    assert app.config["VAPID_PUBLIC_KEY"] == lines["VAPID_PUBLIC_KEY"]

    with app.app_context():
        again = runner.invoke(cli, ["vapid"])
    assert "Kept the keys already in" in again.output
    assert f"VAPID_PUBLIC_KEY={lines['VAPID_PUBLIC_KEY']}" in again.output
    assert json.loads((tmp_path / "vapid.json").read_text()) == stored


def test_an_unexpected_error_while_sending_leaves_the_message_for_a_retry(
    app, clock, alice, push_service
):
    device = subscribe_device(alice, push_service)
    PushSubscription.update(p256dh="AAAA").execute()  # a stored key no push service would take
    clock.set(BERLIN_NINE)

    counts = _run(app)

    assert counts["retry"] == 1
    row = Message.get()
    assert row.state == "due" and row.lease_token is None
    assert push_service.for_endpoint(device["endpoint"]) == []


def test_settled_messages_are_forgotten_after_thirty_days(app, clock, alice, push_service):
    subscribe_device(alice, push_service)
    clock.set(BERLIN_NINE)
    _run(app)
    assert Message.select().count() == 1

    clock.travel(days=29)
    _run(app)
    assert Message.select().where(Message.day == date(2026, 11, 18)).count() == 1
    clock.travel(days=1, minutes=1)
    _run(app)
    assert Message.select().where(Message.day == date(2026, 11, 18)).count() == 0


def test_a_colleague_recognised_hears_of_it_in_the_givers_words(
    app, client, clock, alice, bob, push_service
):
    subscribe_device(bob, push_service)
    response = sign_in(client, alice).post(
        "/recognise",
        data={
            "receiver": str(bob.id),
            "message": "Stayed until it was sorted.",
            "customer_kind": "external",
        },
    )
    _run(app)

    assert response.status_code == 303
    recognition = Recognition.get()
    (delivery,) = [
        d for d in push_service.received if "recognised" in d.payload["notification"]["title"]
    ]
    assert delivery.payload["notification"]["title"] == f"{alice.name} recognised you"
    assert delivery.payload["notification"]["body"] == "Stayed until it was sorted."
    assert delivery.payload["notification"]["navigate"] == (
        f"https://otc.example.com/recognitions/{recognition.id}"
    )


def test_the_weekly_announcement_tells_the_person_and_is_team_news_for_the_rest(
    app, client, clock, lena, alice, bob, push_service
):
    subscribe_device(bob, push_service)
    subscribe_device(alice, push_service)
    text = f"This week's One True Customer recognition goes to {bob.name}."
    sign_in(client, lena).post(
        f"/teams/{lena.team_id}/announcement", data={"receiver": str(bob.id), "text": text}
    )
    _run(app)

    titles = sorted(t for t in _titles(push_service) if "recognition" in t)
    assert titles == [
        "This week's One True Customer recognition",
        "This week's recognition goes to you",
    ]
