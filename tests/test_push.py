"""push.send: what reaches a push service (checked and decrypted by the local stand-in), and its errors."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from push import InvalidSubscription, Notification, PushError, Settings, send
from push.service import PAYLOAD_MAX, check_endpoint, check_keys, topic_for
from push.standin import PushServiceStandIn

NOTE = Notification(
    title="A minute for your check-in?",
    body="Three taps for today's Daily Filter.",
    url="/",
    tag="reminder",
    topic="reminder",
    ttl=3600,
)


def _settings(app) -> Settings:
    return Settings.from_config(app.config)


def test_a_push_arrives_decrypted_as_declarative_web_push(app, push_service):
    subscription = push_service.subscribe()

    send(subscription, NOTE, _settings(app))

    (delivery,) = push_service.for_endpoint(subscription["endpoint"])
    assert delivery.payload == {
        "web_push": 8030,
        "notification": {
            "title": "A minute for your check-in?",
            "body": "Three taps for today's Daily Filter.",
            "navigate": "https://otc.example.com/",
            "tag": "reminder",
            "icon": "https://otc.example.com/static/icons/icon-192.png",
            "badge": "https://otc.example.com/static/icons/icon-192.png",
            "lang": "en",
            "dir": "auto",
        },
    }


def test_every_push_says_how_long_to_keep_it_how_urgent_it_is_and_what_it_replaces(
    app, push_service
):
    subscription = push_service.subscribe()

    send(subscription, NOTE, _settings(app))

    headers = push_service.received[0].headers
    assert headers["TTL"] == "3600"
    assert headers["Urgency"] == "normal"
    assert headers["Topic"] == "reminder"


def test_the_vapid_claims_name_the_push_service_our_contact_and_expire_within_a_day(
    app, push_service
):
    send(push_service.subscribe(), NOTE, _settings(app))

    claims = push_service.received[0].claims
    assert claims["aud"] == push_service.origin
    assert claims["sub"] == "mailto:push-admin@example.com"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600


def test_each_push_service_gets_claims_made_for_it(app, push_service, vapid_keys):
    # pywebpush writes aud into the claims it is given: reusing them would sign for the wrong service.
    with PushServiceStandIn(vapid_keys["VAPID_PUBLIC_KEY"]) as other:
        app.config["PUSH_INSECURE_ORIGINS"] = (push_service.origin, other.origin)
        settings = _settings(app)
        send(push_service.subscribe(), NOTE, settings)
        send(other.subscribe(), NOTE, settings)

        assert other.refused == []
        assert other.received[0].claims["aud"] == other.origin


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_service_no_longer_knows_is_a_permanent_failure(
    app, push_service, status
):
    push_service.answer(status)

    with pytest.raises(PushError) as raised:
        send(push_service.subscribe(), NOTE, _settings(app))

    assert raised.value.permanent and raised.value.status == status
    assert not raised.value.retryable


def test_a_busy_service_is_worth_a_retry_after_the_time_it_asks_for(app, push_service):
    push_service.answer(429, retry_after="120")

    with pytest.raises(PushError) as raised:
        send(push_service.subscribe(), NOTE, _settings(app))

    assert raised.value.retryable and not raised.value.permanent
    assert raised.value.retry_after == 120


def test_a_failing_service_is_worth_a_retry(app, push_service):
    push_service.answer(503)

    with pytest.raises(PushError) as raised:
        send(push_service.subscribe(), NOTE, _settings(app))

    assert raised.value.retryable


def test_a_payload_too_large_is_neither_permanent_nor_retried(app, push_service):
    push_service.answer(413)

    with pytest.raises(PushError) as raised:
        send(push_service.subscribe(), NOTE, _settings(app))

    assert (raised.value.permanent, raised.value.retryable, raised.value.status) == (
        False,
        False,
        413,
    )


def test_a_service_that_does_not_answer_in_time_is_worth_a_retry(app, push_service):
    push_service.latency = 1.5
    settings = Settings.from_config({**app.config, "PUSH_TIMEOUT": 0.3})

    with pytest.raises(PushError) as raised:
        send(push_service.subscribe(), NOTE, settings)

    assert raised.value.retryable and raised.value.status is None


def test_a_long_story_title_is_cut_so_the_push_still_fits(app, push_service):
    note = Notification(title="Featured", body="é" * 5000, url="/stories/1", tag="t", topic="t")
    assert len(note.payload("https://otc.example.com")) < PAYLOAD_MAX

    send(push_service.subscribe(), note, _settings(app))

    body = push_service.received[0].payload["notification"]["body"]
    assert body.endswith("…") and len(body) > 1000
    assert push_service.received[0].size <= 4096


def test_a_push_is_never_sent_to_an_endpoint_outside_the_push_services(app, push_service):
    app.config["PUSH_INSECURE_ORIGINS"] = ()
    subscription = push_service.subscribe()

    with pytest.raises(PushError) as raised:
        send(subscription, NOTE, _settings(app))

    assert raised.value.permanent
    assert push_service.received == [] and push_service.refused == []


def test_nothing_is_sent_without_a_vapid_key(app, push_service):
    app.config["VAPID_PRIVATE_KEY"] = ""

    with pytest.raises(PushError):
        send(push_service.subscribe(), NOTE, _settings(app))

    assert push_service.received == []


ALLOWED = [
    "https://fcm.googleapis.com/fcm/send/abc:APA91b",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
    "https://web.push.apple.com/QGuQyavXutnMH",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
]
REFUSED = [
    "http://fcm.googleapis.com/fcm/send/abc",
    "https://fcm.googleapis.com:8443/fcm/send/abc",
    "https://user:secret@fcm.googleapis.com/fcm/send/abc",
    "https://fcm.googleapis.com.attacker.example/x",
    "https://evilnotify.windows.com/w/",
    "https://169.254.169.254/latest/meta-data/",
    "https://127.0.0.1/push",
    "https://localhost/push",
    "file:///etc/passwd",
    "https://example.com/push",
    "",
]


@pytest.mark.parametrize("endpoint", ALLOWED)
def test_the_known_push_services_are_accepted(endpoint):
    assert check_endpoint(endpoint, Settings("", "", "")) == endpoint


@pytest.mark.parametrize("endpoint", REFUSED)
def test_any_other_address_is_refused(endpoint):
    with pytest.raises(InvalidSubscription):
        check_endpoint(endpoint, Settings("", "", ""))


def test_a_deployment_can_add_its_own_push_service():
    settings = Settings.from_config({"PUSH_SERVICE_HOSTS": ("push.example.org",)})
    assert check_endpoint("https://push.example.org/x", settings)
    with pytest.raises(InvalidSubscription):
        check_endpoint("http://push.example.org/x", settings)


def test_plain_http_origins_are_allowed_only_in_tests():
    config = {"PUSH_INSECURE_ORIGINS": ("http://127.0.0.1:9",)}
    assert Settings.from_config({**config, "TESTING": True}).insecure_origins == (
        "http://127.0.0.1:9",
    )
    assert Settings.from_config(config).insecure_origins == ()


def test_keys_of_the_wrong_shape_are_refused(push_service):
    good = push_service.subscribe()["keys"]
    assert check_keys(good) == (good["p256dh"], good["auth"])
    off_curve = "BA" + "A" * 85  # 65 bytes starting 0x04, but not a point on P-256
    for keys in (
        None,
        {"p256dh": good["p256dh"]},
        {"p256dh": good["p256dh"][:-4], "auth": good["auth"]},
        {"p256dh": good["p256dh"], "auth": good["auth"][:-4]},
        {"p256dh": "not base64!", "auth": good["auth"]},
        {"p256dh": off_curve, "auth": good["auth"]},
        {"p256dh": 12, "auth": good["auth"]},
    ):
        with pytest.raises(InvalidSubscription):
            check_keys(keys)


def test_a_topic_is_at_most_32_url_safe_characters():
    assert topic_for("reminder") == "reminder"
    long = topic_for("featured:story:123456:2026-11-16 and more")
    assert len(long) <= 32 and all(ch.isalnum() or ch in "-_" for ch in long)
    assert long != topic_for("featured:story:123457:2026-11-16 and more")


@pytest.mark.parametrize(
    "subject",
    ["", "ops@example.com", "mailto:nobody", "http://example.com", "https://example.com/x"],
)
def test_a_contact_push_services_would_refuse_sends_nothing(app, push_service, subject):
    app.config["VAPID_SUBJECT"] = subject

    with pytest.raises(PushError) as raised:
        send(push_service.subscribe(), NOTE, _settings(app))

    assert not raised.value.retryable
    assert push_service.received == [] and push_service.refused == []


def test_an_https_address_is_a_valid_contact(app, push_service):
    app.config["VAPID_SUBJECT"] = "https://otc.example.com"

    send(push_service.subscribe(), NOTE, _settings(app))

    assert push_service.received[0].claims["sub"] == "https://otc.example.com"


@settings(max_examples=100, deadline=None)
@given(title=st.text(max_size=120), body=st.text(max_size=6000))
def test_a_payload_stays_under_the_limit_whatever_its_text(title, body):
    note = Notification(title=title, body=body, url="/stories/1", tag="t")
    data = note.payload("https://otc.example.com")
    assert len(data) < PAYLOAD_MAX
    assert json.loads(data)["notification"]["title"] == title
