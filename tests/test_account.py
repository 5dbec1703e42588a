"""Signing in and out, invites, password resets, the Me page."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import models
from conftest import PASSWORD, make_person, sign_in
from models import CheckIn, Invite, PasswordReset, Person, SignIn, SignInLimit


def test_a_visitor_is_sent_to_sign_in_and_back_afterwards(client, alice):
    response = client.get("/challenge")
    assert response.status_code == 302
    assert response.location == "/signin?next=/challenge"
    response = client.post(
        "/signin", data={"email": alice.email, "password": PASSWORD, "next": "/challenge"}
    )
    assert response.status_code == 303
    assert response.location == "/challenge"


def test_sign_in_page_has_one_h1_and_labelled_fields(client):
    page = client.get("/signin").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert '<label for="email">Email</label>' in page
    assert '<label for="password">Password</label>' in page


def test_a_wrong_password_is_refused_with_the_email_kept(client, alice):
    response = client.post("/signin", data={"email": alice.email, "password": "nope"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "don&#39;t match" in page
    assert 'value="alice@example.com"' in page


def test_the_email_is_matched_whatever_its_case(client, alice):
    response = client.post("/signin", data={"email": "  ALICE@Example.com ", "password": PASSWORD})
    assert response.status_code == 303


def test_an_open_redirect_is_not_followed_after_sign_in(client, alice):
    response = client.post(
        "/signin",
        data={"email": alice.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.location == "/"


OFFICE = {"REMOTE_ADDR": "198.51.100.7"}
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}


def _try(client, email, password, address=OFFICE):
    return client.post("/signin", data={"email": email, "password": password}, environ_base=address)


def test_wrong_passwords_from_one_device_make_it_wait_then_the_right_one_gets_in(
    client, alice, clock
):
    assert [_try(client, alice.email, "wrong").status_code for _ in range(5)] == [422] * 5
    response = _try(client, alice.email, PASSWORD)
    assert response.status_code == 429
    assert "Wait a second" in response.get_data(as_text=True)
    clock.travel(seconds=1)
    assert _try(client, alice.email, PASSWORD).status_code == 303


def test_each_further_wrong_password_doubles_the_wait(client, alice, clock):
    for _ in range(5):
        _try(client, alice.email, "wrong")
    waits = []
    for _ in range(4):
        clock.travel(seconds=600)
        _try(client, alice.email, "wrong")
        waits.append(SignInLimit.get().next_at - clock.now().replace(tzinfo=None))
    assert [w.total_seconds() for w in waits] == [2, 4, 8, 16]
    clock.travel(seconds=16)
    assert _try(client, alice.email, PASSWORD).status_code == 303
    assert SignInLimit.select().count() == 0


def test_the_count_starts_again_after_a_quarter_of_an_hour(client, alice, clock):
    for _ in range(5):
        _try(client, alice.email, "wrong")
    clock.travel(minutes=16)
    assert [_try(client, alice.email, "wrong").status_code for _ in range(5)] == [422] * 5


def test_wrong_passwords_from_elsewhere_never_keep_a_person_out(client, alice):
    for _ in range(20):
        _try(client, alice.email, "wrong", address=ELSEWHERE)
    assert _try(client, alice.email, PASSWORD).status_code == 303


def test_failures_of_others_behind_one_office_address_keep_nobody_else_out(client, alice, bob):
    for n in range(30):
        _try(client, f"typo{n}@example.com", "wrong")
        _try(client, bob.email, "wrong")
    assert _try(client, alice.email, PASSWORD).status_code == 303


def test_an_address_sweeping_unknown_emails_is_slowed_down_for_them_alone(
    client, alice, monkeypatch
):
    from pwa import account

    monkeypatch.setattr(account, "ADDRESS_FREE", 10)
    statuses = [_try(client, f"nobody{n}@example.com", "guess").status_code for n in range(12)]
    assert statuses == [422] * 10 + [429] * 2
    # A wrong password for a real account now reads the same, so the sweep learns nothing ...
    assert _try(client, alice.email, "guess").status_code == 429
    # ... but the person with the right password still gets in, and other addresses are untouched.
    assert _try(client, alice.email, PASSWORD).status_code == 303
    assert _try(client, "nobody@example.com", "guess", address=ELSEWHERE).status_code == 422


def test_the_sign_in_limit_keeps_no_email_or_address(client, alice):
    _try(client, alice.email, "wrong")
    _try(client, "nobody@example.com", "wrong")
    stored = " ".join(f"{row.key}" for row in SignInLimit.select())
    assert "example.com" not in stored and "198.51" not in stored


def test_head_on_the_sign_in_page_counts_no_try(client, alice):
    for _ in range(15):
        assert client.head("/signin", data={"email": alice.email}).status_code == 200
    assert SignInLimit.select().count() == 0
    assert _try(client, alice.email, PASSWORD).status_code == 303


def test_a_wrong_password_for_an_unknown_email_does_the_work_of_a_known_one(
    client, north, monkeypatch
):
    """An unknown email checks the password against a hash as costly as a real one (no timing oracle)."""
    from werkzeug.security import check_password_hash, generate_password_hash

    from pwa import account

    Person.create(
        name="Real Hash",
        email="real@example.com",
        team=north,
        password_hash=generate_password_hash(PASSWORD),  # the hash an invite or reset makes
    )
    checked = []

    def recording(pwhash, password):
        checked.append(pwhash.split("$")[0])  # the method and its cost, e.g. scrypt:32768:8:1
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(account, "check_password_hash", recording)
    for n, email in enumerate(("real@example.com", "nobody@example.com")):
        response = _try(client, email, "wrong", address={"REMOTE_ADDR": f"192.0.2.{n}"})
        assert response.status_code == 422
        assert "don&#39;t match" in response.get_data(as_text=True)  # the same words for both
    real_method = generate_password_hash(PASSWORD).split("$")[0]
    assert checked == [real_method, real_method]


def test_server_timing_is_sent_only_when_configured(app, client):
    assert "Server-Timing" not in client.get("/card").headers
    app.config["SERVER_TIMING"] = True
    assert client.get("/card").headers["Server-Timing"].startswith("app;dur=")


def test_a_post_without_the_csrf_token_is_refused(client, alice):
    response = client.post("/signin", data={"email": alice.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert "This form had expired" in response.get_data(as_text=True)


def test_a_signed_in_person_with_an_expired_form_keeps_their_navigation(as_alice):
    response = as_alice.post("/checkin", data={"before": "yes"}, csrf=False)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'aria-label="Main"' in page and "Back to Today" in page


def test_the_session_cookie_is_httponly_and_lax(client, alice):
    sign_in(client, alice)
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_the_session_cookie_is_secure_over_https(client, alice):
    client.post(
        "/signin",
        data={"email": alice.email, "password": PASSWORD},
        base_url="https://otc.example",
    )
    assert client.get_cookie("session", domain="otc.example").secure


def test_sign_in_stays_valid_for_weeks_on_a_phone(as_alice, clock):
    clock.travel(days=45)
    assert as_alice.get("/").status_code == 200
    clock.travel(days=80)
    assert as_alice.get("/").status_code == 200


def test_sign_out_really_ends_the_session_on_the_server(client, alice):
    sign_in(client, alice)
    stolen = client.get_cookie("session").value
    assert client.post("/signout").status_code == 303
    assert SignIn.select().count() == 0
    client.set_cookie("session", stolen)
    assert client.get("/").status_code == 302


def test_sign_in_rotates_the_session(client, alice):
    client.get("/signin")
    before = client.get_cookie("session").value if client.get_cookie("session") else None
    sign_in(client, alice)
    assert client.get_cookie("session").value != before


def test_an_invite_lets_a_person_set_name_password_and_zone_and_lands_on_today(
    client, north, ada, clock
):
    token = Invite.issue(
        "new@example.com", north, "employee", ada, clock.now().replace(tzinfo=None)
    )
    page = client.get(f"/invite/{token}").get_data(as_text=True)
    assert "new@example.com" in page
    response = client.post(
        f"/invite/{token}",
        data={
            "name": "Nia New",
            "password": "long enough pw",
            "again": "long enough pw",
            "tz": "Asia/Tokyo",
        },
    )
    assert response.status_code == 303
    assert response.location.startswith("/?welcome=1")
    person = Person.by_email("new@example.com")
    assert (person.name, person.tz, person.team_id, person.role) == (
        "Nia New",
        "Asia/Tokyo",
        north.id,
        "employee",
    )
    assert "Welcome, Nia New" in client.get(response.location).get_data(as_text=True)


def test_an_invite_works_only_once(client, north, ada, clock):
    token = Invite.issue(
        "new@example.com", north, "employee", ada, clock.now().replace(tzinfo=None)
    )
    data = {"name": "Nia", "password": "long enough pw", "again": "long enough pw", "tz": "UTC"}
    client.post(f"/invite/{token}", data=data)
    response = client.get(f"/invite/{token}")
    assert response.status_code == 404
    assert "already been used" in response.get_data(as_text=True)


def test_an_expired_invite_says_so(client, north, ada, clock):
    token = Invite.issue(
        "new@example.com", north, "employee", ada, clock.now().replace(tzinfo=None)
    )
    clock.travel(days=15)
    response = client.get(f"/invite/{token}")
    assert response.status_code == 404
    assert "expired" in response.get_data(as_text=True)


def test_a_bad_invite_form_comes_back_with_messages_and_the_name_kept(client, north, ada, clock):
    token = Invite.issue(
        "new@example.com", north, "employee", ada, clock.now().replace(tzinfo=None)
    )
    response = client.post(
        f"/invite/{token}",
        data={"name": "Nia <b>New</b>", "password": "short", "again": "short", "tz": "Mars/Base"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "at least 10 characters" in page
    assert "Pick a time zone" in page
    assert "Nia &lt;b&gt;New&lt;/b&gt;" in page
    assert Person.by_email("new@example.com") is None


LONG_NAME = (
    "Alexandrina-Maximiliana Wojciechowska-Ångström de la Cruz y Villanueva Supercalifragilistic"
)


def test_me_refuses_a_name_too_long_and_keeps_it_as_typed(as_alice, alice):
    form = {"name": LONG_NAME, "tz": alice.tz, "workdays": ["0", "1", "2", "3", "4"]}
    response = as_alice.post("/me", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Your name is 91 characters; 80 at most, please." in page
    assert f'value="{LONG_NAME}"' in page
    assert Person.get_by_id(alice.id).name == "Alice Martin"


def test_the_name_fields_never_cut_a_longer_name_in_the_browser(app, as_alice, north, ada, clock):
    # A maxlength attribute would drop what is pasted past 80 without a word; the server says so.
    token = Invite.issue(
        "new@example.com", north, "employee", ada, clock.now().replace(tzinfo=None)
    )
    for page in (as_alice.get("/me"), app.test_client().get(f"/invite/{token}")):
        field = re.search(r'<input id="name"[^>]*>', page.get_data(as_text=True))[0]
        assert 'data-maxlength="80"' in field and " maxlength=" not in field


def test_an_invite_refuses_a_name_too_long_and_keeps_it(client, north, ada, clock):
    token = Invite.issue(
        "new@example.com", north, "employee", ada, clock.now().replace(tzinfo=None)
    )
    data = {"name": LONG_NAME, "password": "long enough pass", "again": "long enough pass"}
    response = client.post(f"/invite/{token}", data={**data, "tz": "Europe/Berlin"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Your name is 91 characters; 80 at most, please." in page
    assert f'value="{LONG_NAME}"' in page
    assert Person.by_email("new@example.com") is None


def test_a_reset_link_sets_a_new_password_and_ends_old_sign_ins(client, app, alice, lena, clock):
    other = app.test_client()
    sign_in(other, alice)
    token = PasswordReset.issue(alice, lena, clock.now().replace(tzinfo=None))
    response = client.post(
        f"/reset/{token}", data={"password": "a brand new one", "again": "a brand new one"}
    )
    assert response.status_code == 303
    assert other.get("/").status_code == 302
    assert client.get("/").status_code == 200
    fresh = app.test_client()
    assert (
        fresh.post(
            "/signin", data={"email": alice.email, "password": "a brand new one"}
        ).status_code
        == 303
    )
    assert client.get(f"/reset/{token}").status_code == 404


def test_a_reset_link_expires_after_two_days(client, alice, lena, clock):
    token = PasswordReset.issue(alice, lena, clock.now().replace(tzinfo=None))
    clock.travel(hours=49)
    assert client.get(f"/reset/{token}").status_code == 404


def test_me_changes_name_zone_and_work_days(as_alice, alice):
    response = as_alice.post(
        "/me", data={"name": "Alice M.", "tz": "America/New_York", "workdays": ["0", "1", "2", "3"]}
    )
    assert response.status_code == 303
    person = Person.get_by_id(alice.id)
    assert (person.name, person.tz, person.workdays) == ("Alice M.", "America/New_York", "0,1,2,3")


def test_me_refuses_no_work_days_and_an_unknown_zone_keeping_the_name(as_alice, alice):
    response = as_alice.post("/me", data={"name": "Alice Typed", "tz": "Nowhere/Land"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Pick at least one work day" in page
    assert "Pick a time zone" in page
    assert 'value="Alice Typed"' in page
    assert Person.get_by_id(alice.id).name == "Alice Martin"


def test_the_phone_time_zone_can_be_taken_from_today(as_alice, alice):
    response = as_alice.post("/me/timezone", data={"tz": "Asia/Singapore"})
    assert response.status_code == 303
    assert Person.get_by_id(alice.id).tz == "Asia/Singapore"
    assert as_alice.post("/me/timezone", data={"tz": "x"}).status_code == 422


def test_pages_with_private_notes_are_never_cached(as_alice):
    response = as_alice.get("/")
    assert response.headers["Cache-Control"] == "no-store"


def test_every_response_carries_a_strict_content_security_policy(client):
    response = client.get("/signin")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    page = response.get_data(as_text=True)
    assert "<script>" not in page and "style=" not in page
    assert '"allowEval":false' in page and '"includeIndicatorStyles":false' in page


def test_an_inactive_person_is_signed_out(as_alice, alice):
    Person.update(active=False).where(Person.id == alice.id).execute()
    assert as_alice.get("/").status_code == 302


def test_an_expired_sign_in_is_refused(as_alice, clock):
    models.SignIn.update(
        expires_at=clock.now().replace(tzinfo=None) - timedelta(seconds=1)
    ).execute()
    assert as_alice.get("/").status_code == 302


def test_changing_work_days_keeps_the_streak_already_earned(as_alice, alice, clock):
    from datetime import date

    from models import CheckIn

    for d in (16, 17):  # Monday and Tuesday
        CheckIn.create(person=alice, day=date(2026, 11, d), before="yes")
    as_alice.post("/me", data={"name": alice.name, "tz": alice.tz, "workdays": ["0"]})
    person = Person.get_by_id(alice.id)
    assert person.workdays == "0" and person.past_workdays == "2026-11-18=0,1,2,3,4"
    page = as_alice.get("/").get_data(as_text=True)
    # Tuesday still counts: it was a work day then (Monday-only everywhere would say 1).
    assert '<span class="streak-number">2</span>' in page and "<dd>2 days</dd>" in page


def test_head_on_the_me_page_changes_nothing(as_alice, alice):
    response = as_alice.head("/me", data={"name": "X", "tz": "UTC", "workdays": "0"})
    assert response.status_code == 200
    person = Person.get_by_id(alice.id)
    assert (person.name, person.tz, person.workdays) == (
        "Alice Martin",
        "Europe/Berlin",
        "0,1,2,3,4",
    )


def test_head_on_a_reset_link_resets_nothing(client, alice, lena, clock):
    token = PasswordReset.issue(alice, lena, clock.now().replace(tzinfo=None))
    data = {"password": "a brand new one", "again": "a brand new one"}
    assert client.head(f"/reset/{token}", data=data).status_code == 200
    assert "Set-Cookie" not in client.head(f"/reset/{token}").headers
    assert PasswordReset.get().used_at is None
    assert Person.get_by_id(alice.id).password_hash == alice.password_hash


def test_head_on_an_invite_makes_no_account(client, north, ada, clock):
    token = Invite.issue(
        "nia@example.com", north, "employee", ada, clock.now().replace(tzinfo=None)
    )
    data = {"name": "Nia", "password": "long enough pw", "again": "long enough pw", "tz": "UTC"}
    assert client.head(f"/invite/{token}", data=data).status_code == 200
    assert Person.by_email("nia@example.com") is None and Invite.get().used_at is None


def test_a_used_reset_link_is_gone(client, alice, lena, clock):
    token = PasswordReset.issue(alice, lena, clock.now().replace(tzinfo=None))
    data = {"password": "a brand new one", "again": "a brand new one"}
    assert client.post(f"/reset/{token}", data=data).status_code == 303
    response = client.post(f"/reset/{token}", data=data)
    assert response.status_code == 404
    assert "already" in response.get_data(as_text=True)


def test_moving_west_after_checking_in_never_reopens_yesterday(client, north, clock):
    from datetime import UTC, date, datetime

    person = make_person("Load Four", "load04@example.com", team=north, tz="UTC")
    clock.set(datetime(2026, 11, 18, 8, 30, tzinfo=UTC))
    sign_in(client, person)
    client.post("/checkin", data={"before": "yes"})
    assert client.post("/me/timezone", data={"tz": "Pacific/Pago_Pago"}).status_code == 303

    client.post("/checkin", data={"before": "partly"})

    days = [c.day for c in CheckIn.select().where(CheckIn.person == person)]
    assert days == [date(2026, 11, 18)]
    assert '<span class="streak-number">1</span>' in client.get("/").get_data(as_text=True)
    assert Person.get_by_id(person.id).tz_changed_on == date(2026, 11, 18)
    # Once Pago Pago's own calendar reaches the next day, check-ins are dated by it again.
    clock.set(datetime(2026, 11, 19, 12, 0, tzinfo=UTC))  # 01:00 on the 19th in Pago Pago
    client.post("/checkin", data={"before": "yes"})
    assert CheckIn.select().where(CheckIn.person == person).count() == 2


def test_changing_zone_on_the_me_page_keeps_the_day_of_the_change(as_alice, alice, clock):
    from datetime import UTC, date, datetime

    clock.set(datetime(2026, 11, 18, 7, 0, tzinfo=UTC))  # 08:00 in Berlin, 21:00 the 17th in Hawaii
    form = {"name": "Alice Martin", "tz": "Pacific/Honolulu", "workdays": ["0", "1", "2", "3", "4"]}
    assert as_alice.post("/me", data=form).status_code == 303
    as_alice.post("/checkin", data={"before": "yes"})
    assert CheckIn.get(CheckIn.person == alice).day == date(2026, 11, 18)
    # Choosing the same zone again moves nothing.
    assert as_alice.post("/me", data=form).status_code == 303
    assert Person.get_by_id(alice.id).tz_changed_on == date(2026, 11, 18)


def _zone_options(page: str) -> list[tuple[str, str]]:
    select = page[page.index('<select id="tz"') : page.index("</select>")]
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select)


def test_the_zone_list_on_me_is_grouped_canonical_cities_with_utc_once(as_alice):
    page = as_alice.get("/me").get_data(as_text=True)
    options = _zone_options(page)
    values = [value for value, _ in options]
    assert '<optgroup label="Europe">' in page and '<optgroup label="America">' in page
    assert not set(values) & {
        "Africa/Asmera",
        "America/Buenos_Aires",
        "America/Knox_IN",
        "US/Eastern",
    }
    assert [shown for _, shown in options if "Buenos Aires" in shown] == [
        "Argentina / Buenos Aires"
    ]
    assert ("America/Indiana/Knox", "Indiana / Knox") in options
    assert values.count("UTC") == 1 and values[-1] == "UTC"
    assert re.search(r'<option value="Europe/Berlin" selected>Berlin</option>', page)


def test_a_person_saved_under_an_old_zone_name_sees_it_selected_and_can_save(as_alice, alice):
    Person.update(tz="Asia/Calcutta").where(Person.id == alice.id).execute()
    page = as_alice.get("/me").get_data(as_text=True)
    assert '<option value="Asia/Calcutta" selected>Kolkata (Asia/Calcutta)</option>' in page
    assert (
        len(
            re.findall(r"\bselected\b", page[page.index('<select id="tz"') :].split("</select>")[0])
        )
        == 1
    )
    response = as_alice.post(
        "/me", data={"name": "Alice M.", "tz": "Asia/Calcutta", "workdays": ["0", "1"]}
    )
    assert response.status_code == 303
    person = Person.get_by_id(alice.id)
    assert (person.name, person.tz) == ("Alice M.", "Asia/Calcutta")


def test_the_invite_form_offers_the_grouped_zones_and_maps_a_phones_alias(
    client, north, ada, clock
):
    token = Invite.issue(
        "new@example.com", north, "employee", ada, clock.now().replace(tzinfo=None)
    )
    page = client.get(f"/invite/{token}").get_data(as_text=True)
    values = [value for value, _ in _zone_options(page)]
    assert "Asia/Kolkata" in values and "Asia/Calcutta" not in values
    assert '"Asia/Calcutta": "Asia/Kolkata"' in html.unescape(page)
