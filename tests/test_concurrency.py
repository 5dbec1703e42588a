"""Concurrent check-ins through a real threaded server: no "database is locked", never two rows."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import requests

from conftest import PASSWORD, make_person
from models import Badge, CheckIn, Notice, Recognition


def _signed_in(base: str, email: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(f"{base}/signin").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = session.post(
        f"{base}/signin",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 303
    today = session.get(f"{base}/").text
    return session, re.search(r'name="csrf-token" content="([^"]+)"', today).group(1)


def test_many_people_checking_in_at_once_all_succeed(live_server, north):
    people = [make_person(f"Person {n}", f"p{n}@example.com", team=north) for n in range(8)]
    sessions = [_signed_in(live_server, p.email) for p in people]

    def check_in(pair, round_):
        session, token = pair
        answer = ("yes", "partly", "not_yet")[round_ % 3]
        return session.post(
            f"{live_server}/checkin",
            data={"before": answer, "csrf_token": token},
            allow_redirects=False,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(
            pool.map(lambda job: check_in(*job), [(s, r) for r in range(5) for s in sessions])
        )

    assert [r.status_code for r in responses] == [303] * 40
    assert not any("locked" in r.text for r in responses)
    assert CheckIn.select().count() == 8


def test_a_double_tap_sent_twice_at_once_makes_one_check_in(live_server, alice):
    session, token = _signed_in(live_server, alice.email)
    form = {"before": "yes", "key": "same-tap", "csrf_token": token}

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(
            pool.map(
                lambda _: session.post(f"{live_server}/checkin", data=form, allow_redirects=False),
                range(4),
            )
        )

    assert [r.status_code for r in responses] == [303] * 4
    assert CheckIn.select().where(CheckIn.person == alice).count() == 1


def test_requests_at_once_that_each_complete_a_badge_award_it_once(live_server, north, alice):
    colleagues = [make_person(f"Colleague {n}", f"c{n}@example.com", team=north) for n in range(4)]
    # Four phones of the same person, each recognising a different colleague at the same moment.
    sessions = [_signed_in(live_server, alice.email) for _ in colleagues]

    def recognise(job):
        (session, token), colleague = job
        form = {
            "receiver": colleague.id,
            "message": "Thank you",
            "customer_kind": "colleague",
            "csrf_token": token,
        }
        response = session.post(f"{live_server}/recognise", data=form, allow_redirects=False)
        return response, session.get(live_server + response.headers.get("Location", "/")).text

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(recognise, zip(sessions, colleagues, strict=True)))

    assert [r.status_code for r, _ in results] == [303] * 4
    assert Recognition.select().count() == 4
    assert (
        Badge.select().where((Badge.person == alice) & (Badge.key == "first-recognition")).count()
        == 1
    )
    assert Notice.select().where(Notice.ref == "badge:first-recognition").count() == 1
    assert sum("Badge earned: First thanks" in page for _, page in results) == 1
    # Every colleague got their own "internal customer" badge, once each.
    assert Badge.select().where(Badge.key == "internal-customer").count() == 4
