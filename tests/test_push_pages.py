"""Settings → Notifications and /push/subscriptions: devices in, devices out, choices kept, bad input refused."""

from __future__ import annotations

import pytest

from conftest import sign_in
from models import PushPreference, PushSubscription
from push.keys import generate

FCM = "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91bH"
PIXEL = "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Mobile Safari/537.36"


@pytest.fixture
def keys():
    # Any P-256 public key will do as a browser's p256dh; 16 random bytes as its auth secret.
    return {"p256dh": generate()["VAPID_PUBLIC_KEY"], "auth": "c2l4dGVlbiBieXRlcyBoZXJl"[:22]}


def _post(client, body, **kwargs):
    headers = {"X-CSRFToken": client.csrf_token(), "User-Agent": PIXEL, **kwargs.pop("headers", {})}
    return client.post("/push/subscriptions", json=body, headers=headers, csrf=False, **kwargs)


def _delete(client, body):
    headers = {"X-CSRFToken": client.csrf_token()}
    return client.delete("/push/subscriptions", json=body, headers=headers)


def test_the_notifications_page_explains_what_comes_and_offers_one_tap(as_alice, app, vapid_keys):
    app.config.update(vapid_keys)

    page = as_alice.get("/me/notifications").get_data(as_text=True)

    assert page.count("<h1") == 1 and ">Notifications</h1>" in page
    assert "Only on your work days, only between 08:00 and 20:00" in page
    assert "Turn on notifications on this device" in page
    assert f'data-key="{vapid_keys["VAPID_PUBLIC_KEY"]}"' in page
    assert "Add to Home Screen" in page


def test_the_me_page_leads_to_the_notifications_settings(as_alice):
    assert 'href="/me/notifications"' in as_alice.get("/me").get_data(as_text=True)


def test_without_vapid_keys_the_page_says_notifications_are_not_set_up(as_alice, app):
    app.config["VAPID_PUBLIC_KEY"] = ""

    page = as_alice.get("/me/notifications").get_data(as_text=True)

    assert "aren't set up on this server yet" in page
    assert "data-push-on" not in page


def test_posting_a_subscription_keeps_this_device(as_alice, alice, keys):
    response = _post(as_alice, {"endpoint": FCM, "expirationTime": None, "keys": keys})

    assert response.status_code == 201
    device = PushSubscription.get(PushSubscription.endpoint == FCM)
    assert (device.person_id, device.p256dh, device.auth) == (
        alice.id,
        keys["p256dh"],
        keys["auth"],
    )
    assert device.device == "Chrome on Android"
    assert "Chrome on Android" in as_alice.get("/me/notifications").get_data(as_text=True)


def test_a_person_may_have_several_devices(as_alice, alice, keys):
    _post(as_alice, {"endpoint": FCM, "keys": keys})
    _post(as_alice, {"endpoint": "https://web.push.apple.com/QGuQ", "keys": keys})

    assert PushSubscription.select().where(PushSubscription.person == alice).count() == 2


def test_the_same_device_subscribing_twice_is_one_device(as_alice, keys):
    _post(as_alice, {"endpoint": FCM, "keys": keys})
    again = _post(as_alice, {"endpoint": FCM, "keys": keys})

    assert again.status_code == 201
    assert PushSubscription.select().count() == 1


def test_a_device_that_changes_hands_moves_to_the_new_person(client, alice, bob, keys):
    _post(sign_in(client, alice), {"endpoint": FCM, "keys": keys})
    client.post("/signout")
    _post(sign_in(client, bob), {"endpoint": FCM, "keys": keys})

    assert [d.person_id for d in PushSubscription.select()] == [bob.id]


def test_a_subscription_without_the_csrf_token_is_refused(as_alice, keys):
    response = as_alice.post(
        "/push/subscriptions", json={"endpoint": FCM, "keys": keys}, csrf=False
    )

    assert response.status_code == 400
    assert PushSubscription.select().count() == 0


def test_a_visitor_who_is_not_signed_in_cannot_subscribe(client, keys):
    response = _post(client, {"endpoint": FCM, "keys": keys})

    assert response.status_code == 401
    assert PushSubscription.select().count() == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://169.254.169.254/latest/meta-data/",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://intranet.example.com/admin",
        "https://127.0.0.1:5000/push/x",
        None,
    ],
)
def test_an_endpoint_that_is_not_a_push_service_is_refused(as_alice, keys, endpoint):
    response = _post(as_alice, {"endpoint": endpoint, "keys": keys})

    assert response.status_code == 400
    assert response.get_json()["error"]
    assert PushSubscription.select().count() == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"p256dh": "short", "auth": "c2l4dGVlbiBieXRlcyBo"},
        {"p256dh": None, "auth": "c2l4dGVlbiBieXRlcyBo"},
        {"auth": "c2l4dGVlbiBieXRlcyBo"},
        "not an object",
    ],
)
def test_keys_of_the_wrong_length_or_encoding_are_refused(as_alice, bad):
    response = _post(as_alice, {"endpoint": FCM, "keys": bad})

    assert response.status_code == 400
    assert "keys" in response.get_json()["error"]
    assert PushSubscription.select().count() == 0


def test_a_body_that_is_not_json_is_refused(as_alice):
    response = as_alice.post(
        "/push/subscriptions",
        data="endpoint=x",
        headers={"X-CSRFToken": as_alice.csrf_token(), "Content-Type": "text/plain"},
        csrf=False,
    )

    assert response.status_code == 400


def test_turning_off_forgets_this_device(as_alice, keys):
    _post(as_alice, {"endpoint": FCM, "keys": keys})

    response = _delete(as_alice, {"endpoint": FCM})

    assert response.status_code == 204
    assert PushSubscription.select().count() == 0


def test_nobody_can_turn_off_someone_elses_device(client, alice, bob, keys):
    _post(sign_in(client, alice), {"endpoint": FCM, "keys": keys})
    client.post("/signout")

    _delete(sign_in(client, bob), {"endpoint": FCM})

    assert PushSubscription.select().count() == 1


def test_a_device_can_be_removed_from_the_list(as_alice, keys):
    _post(as_alice, {"endpoint": FCM, "keys": keys})
    device = PushSubscription.get()

    response = as_alice.post(f"/me/notifications/devices/{device.id}/remove")

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/me/notifications")
    assert PushSubscription.select().count() == 0


def test_nobody_can_remove_someone_elses_device(client, alice, carl, keys):
    _post(sign_in(client, alice), {"endpoint": FCM, "keys": keys})
    client.post("/signout")
    device = PushSubscription.get()

    response = sign_in(client, carl).post(f"/me/notifications/devices/{device.id}/remove")

    assert response.status_code == 404
    assert PushSubscription.select().count() == 1


def test_the_device_list_is_a_fragment_for_the_page_to_refresh(as_alice, keys):
    _post(as_alice, {"endpoint": FCM, "keys": keys})

    fragment = as_alice.htmx("GET", "/me/notifications/devices").get_data(as_text=True)

    assert "<html" not in fragment and 'id="push-devices"' in fragment
    assert "Remove Chrome on Android" in fragment


def test_the_reminder_comes_at_nine_with_every_kind_until_a_person_chooses(as_alice, alice):
    page = as_alice.get("/me/notifications").get_data(as_text=True)

    assert '<option value="09:00" selected>' in page
    assert page.count('name="kinds"') == 6 and page.count("checked>") == 6
    preference = PushPreference.of(alice)
    assert (preference.reminder_time, preference.wanted) == ("09:00", frozenset(preference.wanted))


def test_a_person_chooses_their_reminder_time_and_kinds(as_alice, alice):
    response = as_alice.post(
        "/me/notifications", data={"reminder_time": "08:30", "kinds": ["reminder", "featured"]}
    )

    assert response.status_code == 303
    preference = PushPreference.of(alice)
    assert preference.reminder_time == "08:30"
    assert preference.wanted == {"reminder", "featured"}
    page = as_alice.get("/me/notifications?saved=1").get_data(as_text=True)
    assert '<option value="08:30" selected>' in page and page.count("checked>") == 2


def test_a_reminder_time_outside_the_list_is_refused_and_the_choices_kept(as_alice, alice):
    response = as_alice.post(
        "/me/notifications", data={"reminder_time": "03:00", "kinds": ["featured"]}
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Pick a time between 08:00 and 19:45" in page
    assert page.count("checked>") == 1
    assert PushPreference.select().count() == 0


def test_choosing_twice_keeps_one_row(as_alice, alice):
    for hour in ("08:00", "10:00"):
        as_alice.post("/me/notifications", data={"reminder_time": hour, "kinds": ["reminder"]})

    assert PushPreference.select().count() == 1
    assert PushPreference.of(alice).reminder_time == "10:00"


def test_one_device_subscribing_four_times_at_once_is_one_row(live_server, alice, keys):
    from concurrent.futures import ThreadPoolExecutor

    from test_concurrency import _signed_in

    session, token = _signed_in(live_server, alice.email)
    body = {"endpoint": FCM, "keys": keys}

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(
            pool.map(
                lambda _: session.post(
                    f"{live_server}/push/subscriptions", json=body, headers={"X-CSRFToken": token}
                ),
                range(4),
            )
        )

    assert [r.status_code for r in responses] == [201] * 4
    assert PushSubscription.select().count() == 1


def test_choosing_four_times_at_once_keeps_one_row(live_server, alice):
    from concurrent.futures import ThreadPoolExecutor

    from test_concurrency import _signed_in

    session, token = _signed_in(live_server, alice.email)

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(
            pool.map(
                lambda hour: session.post(
                    f"{live_server}/me/notifications",
                    data={
                        "reminder_time": f"1{hour}:00",
                        "kinds": ["reminder"],
                        "csrf_token": token,
                    },
                    allow_redirects=False,
                ),
                range(4),
            )
        )

    assert [r.status_code for r in responses] == [303] * 4
    assert PushPreference.select().count() == 1


def test_a_person_keeps_at_most_ten_devices_the_oldest_making_way(as_alice, keys):
    for n in range(12):
        assert _post(as_alice, {"endpoint": f"{FCM}-{n}", "keys": keys}).status_code == 201

    endpoints = [d.endpoint for d in PushSubscription.select().order_by(PushSubscription.id)]
    assert endpoints == [f"{FCM}-{n}" for n in range(2, 12)]
