"""The production set-up as real processes: gunicorn app servers, nginx in front, workers on Redis.

The nginx tests need nginx on the PATH; the multi-server and kill tests need PostgreSQL (the
PostgreSQL run of the suite) and Redis (TEST_REDIS_URL). Without them they skip, saying what to install.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime

import procs
import pytest
import requests

import models
from conftest import BACKEND, PASSWORD, make_person, subscribe_device


@pytest.fixture
def redis_url():
    """TEST_REDIS_URL, emptied, in the PostgreSQL pass of the suite (else the test skips)."""
    if BACKEND != "postgres":
        pytest.skip(
            "needs PostgreSQL and Redis: runs in the PostgreSQL pass (TEST_DATABASE=postgres"
            " TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres TEST_REDIS_URL=...)"
        )
    url = procs.redis_url()
    import redis

    redis.Redis.from_url(url).flushdb()  # no task of another test is left in the queue
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def started(tmp_path):
    """Processes started by a test, stopped after it whatever happened."""
    running: list[procs.Proc] = []
    yield running
    for proc in reversed(running):
        proc.stop()


def midday_zone() -> str:
    """An Etc/GMT zone where it is now early afternoon: inside the push window for hours yet."""
    offset = 13 - datetime.now(UTC).hour  # hours east of UTC
    offset = max(-12, min(14, offset))
    if offset == 0:
        return "Etc/GMT"
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"  # Etc/ signs are inverted


def everyday(person: models.Person, tz: str) -> None:
    person.tz, person.workdays = tz, "0,1,2,3,4,5,6"
    person.save()


def reminders(service, token_of: dict[str, int]) -> Counter:
    """Reminder pushes the stand-in accepted, per person."""
    return Counter(
        token_of[d.token]
        for d in list(service.received)
        if d.payload["notification"]["tag"] == "reminder"
    )


def worker_config(push_service, vapid_keys) -> dict:
    """The worker's app: it may send to the stand-in's plain-HTTP origin (tests only)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "deployment-test-secret",
        "PUSH_INSECURE_ORIGINS": [push_service.origin],
        "VAPID_SUBJECT": "mailto:push-admin@example.com",
        "PUBLIC_URL": "https://otc.example.com",
        "PUSH_CONCURRENCY": 2,
        **vapid_keys,
    }


# nginx in front ------------------------------------------------------------------


def test_gunicorn_alone_trusts_no_forwarded_proto_without_trust_proxy(app, tmp_path, started):
    server, base = procs.gunicorn(tmp_path, procs.base_env(app.config["DATABASE_URL"]), workers=1)
    started.append(server)
    response = requests.get(f"{base}/signin", headers={"X-Forwarded-Proto": "https"}, timeout=30)
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers.get("Set-Cookie", "")


def test_nginx_keeps_answering_while_a_dozen_clients_trickle_their_headers(app, tmp_path, started):
    env = procs.base_env(app.config["DATABASE_URL"], TRUST_PROXY="1")
    # As small as the security review's gunicorn that 12 trickling clients made unreachable.
    server, app_base = procs.gunicorn(tmp_path, env, workers=1, threads=2)
    started.append(server)
    proxy, base = procs.nginx(tmp_path, [app_base.removeprefix("http://")])
    started.append(proxy)
    port = int(base.rsplit(":", 1)[1])

    stop = threading.Event()
    slow = []
    for _ in range(12):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(b"GET /signin HTTP/1.1\r\nHost: otc.example.com\r\n")
        slow.append(sock)

    def trickle():
        n = 0
        while not stop.wait(1.0):
            n += 1
            for sock in slow:
                with contextlib.suppress(OSError):
                    sock.sendall(f"X-Slow-{n}: a\r\n".encode())

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        for _ in range(3):
            response = requests.get(f"{base}/signin", timeout=60)
            assert response.status_code == 200
            assert "Sign in" in response.text
    finally:
        stop.set()
        thread.join()
        for sock in slow:
            sock.close()


def test_nginx_serves_hashed_static_files_from_disk_compressed_and_cached_for_a_year(
    app, tmp_path, started
):
    env = procs.base_env(app.config["DATABASE_URL"], TRUST_PROXY="1")
    server, app_base = procs.gunicorn(tmp_path, env, workers=1)
    started.append(server)
    proxy, base = procs.nginx(tmp_path, [app_base.removeprefix("http://")])
    started.append(proxy)

    page = requests.get(f"{base}/signin", timeout=30)
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.text).group(1)
    response = requests.get(f"{base}{css}", headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Content-Security-Policy" not in response.headers  # nginx sent it, not the app
    assert response.content == (procs.ROOT / "pwa/static/css/app.css").read_bytes()
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"

    # The app's pages are compressed by the app and passed through once.
    page = requests.get(f"{base}/signin", headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert page.headers["Content-Encoding"] == "gzip"
    assert page.headers["X-Request-Id"]


def test_nginx_caches_for_a_year_only_the_hashed_names_the_app_published(app, tmp_path, started):
    import hashlib

    env = procs.base_env(app.config["DATABASE_URL"], TRUST_PROXY="1")
    server, app_base = procs.gunicorn(tmp_path, env, workers=1)
    started.append(server)
    proxy, base = procs.nginx(tmp_path, [app_base.removeprefix("http://")])
    started.append(proxy)
    current = (procs.ROOT / "pwa/static/css/app.css").read_bytes()
    # A page still open from the last release asks for the file it was made with.
    older = b"body { color: #123; }\n"
    older_name = f"app.{hashlib.sha256(older).hexdigest()[:12]}.css"
    (tmp_path / "nginx/public/static/css" / older_name).write_bytes(older)

    page = requests.get(f"{base}/signin", timeout=30)
    published = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.text).group(1)
    made_up = "/static/css/app.0123456789ab.css"
    responses = {
        path: requests.get(f"{base}{path}", timeout=30)
        for path in (
            published,
            f"/static/css/{older_name}",
            made_up,
            "/static/css/no.0123456789ab.css",
        )
    }

    mine = responses[published]
    assert (mine.status_code, mine.content) == (200, current)
    assert mine.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    old = responses[f"/static/css/{older_name}"]
    assert (old.status_code, old.content) == (200, older)
    assert old.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # Today's file under a hash it doesn't have is the app's answer: revalidated, never kept a year.
    stale = responses[made_up]
    assert (stale.status_code, stale.content) == (200, current)
    assert stale.headers["Cache-Control"] == "no-cache"
    assert "Content-Security-Policy" in stale.headers  # the app sent it
    assert responses["/static/css/no.0123456789ab.css"].status_code == 404
    assert "immutable" not in responses["/static/css/no.0123456789ab.css"].headers.get(
        "Cache-Control", ""
    )


def test_nginx_is_the_only_hop_whose_forwarded_headers_count(app, tmp_path, started):
    env = procs.base_env(app.config["DATABASE_URL"], TRUST_PROXY="1")
    server, app_base = procs.gunicorn(tmp_path, env, workers=1)
    started.append(server)
    proxy, base = procs.nginx(tmp_path, [app_base.removeprefix("http://")])
    started.append(proxy)
    spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    response = requests.get(f"{base}/signin", headers=spoofed, timeout=30)
    assert response.status_code == 200
    # nginx replaced them with what it saw: plain HTTP, so no HSTS and no Secure cookie.
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers.get("Set-Cookie", "")
    assert "evil.example" not in response.text


# Several app servers and workers on PostgreSQL and Redis -------------------------


def test_two_app_servers_and_a_worker_share_one_sign_in_one_check_in_one_reminder(
    app, alice, bob, tmp_path, started, redis_url, push_service, vapid_keys
):
    zone = midday_zone()
    for person in (alice, bob):
        everyday(person, zone)
    token_of = {}
    for person in (alice, bob):
        token_of[subscribe_device(person, push_service)["endpoint"].rsplit("/", 1)[1]] = person.id
    env = procs.base_env(
        app.config["DATABASE_URL"],
        HUEY_URL=redis_url,
        VAPID_SUBJECT="mailto:push-admin@example.com",
        **vapid_keys,
    )
    first, one = procs.gunicorn(tmp_path, env)
    started.append(first)
    second, other = procs.gunicorn(tmp_path, env)
    started.append(second)

    session = procs.signed_in(one, alice.email, PASSWORD)
    token = procs.csrf(session, other)  # the sign-in made on one server holds on the other
    form = {"csrf_token": token, "key": uuid.uuid4().hex}
    form.update(before="yes", during="yes", after="yes")
    response = session.post(f"{other}/checkin", data=form, allow_redirects=False, timeout=30)
    assert response.status_code == 303, response.text[:500]
    again = session.post(f"{one}/checkin", data=form, allow_redirects=False, timeout=30)
    assert again.status_code == 303  # the same form sent twice, to the other server
    assert models.CheckIn.select().where(models.CheckIn.person == alice).count() == 1

    worker = procs.worker(tmp_path, env, worker_config(push_service, vapid_keys), "--workers", "2")
    started.append(worker)

    def settled():
        rows = models.Message.select().where(models.Message.kind == "reminder")
        return rows.count() == 2 and all(row.state in ("sent", "skipped") for row in rows)

    worker.wait_until(settled, f"settled both reminders ({zone})")
    states = {
        row.person_id: row.state
        for row in models.Message.select().where(models.Message.kind == "reminder")
    }
    assert states == {alice.id: "skipped", bob.id: "sent"}  # alice had checked in
    assert reminders(push_service, token_of) == Counter({bob.id: 1})


def test_a_worker_killed_mid_run_delivers_every_reminder_after_its_restart(
    app, tmp_path, started, redis_url, push_service, vapid_keys, north
):
    zone = midday_zone()
    token_of = {}
    people = []
    for n in range(30):
        person = make_person(f"Person {n}", f"person{n}@example.com", team=north, tz=zone)
        everyday(person, zone)
        token_of[subscribe_device(person, push_service)["endpoint"].rsplit("/", 1)[1]] = person.id
        people.append(person.id)
    push_service.latency = 0.3  # each push takes a while, so the run is long enough to cut
    env = procs.base_env(app.config["DATABASE_URL"], HUEY_URL=redis_url)
    config = worker_config(push_service, vapid_keys)

    worker = procs.worker(tmp_path, env, config, "--workers", "2", name="worker-1")
    started.append(worker)
    worker.wait_until(lambda: len(push_service.received) >= 4, "sent its first pushes")
    worker.kill()
    before_kill = reminders(push_service, token_of)
    unsettled = {
        row.person_id
        for row in models.Message.select().where(models.Message.kind == "reminder")
        if row.state != "sent"
    }
    assert 4 <= sum(before_kill.values()) < len(people)  # cut in the middle
    # The push issue's guarantee: a row is repeated only if it was delivered and not yet marked
    # sent when its sender died. These are the rows that can repeat; no other may.
    may_repeat = set(before_kill) & unsettled

    # Their lease (5 minutes) runs out: moved back rather than waited for.
    models.Message.update(lease_until=datetime(2000, 1, 1)).where(
        models.Message.state == "claimed"
    ).execute()
    again = procs.worker(tmp_path, env, config, "--workers", "2", name="worker-2")
    started.append(again)

    def all_sent():
        rows = models.Message.select().where(models.Message.kind == "reminder")
        return rows.count() == len(people) and all(row.state == "sent" for row in rows)

    again.wait_until(all_sent, "sent every reminder")
    delivered = reminders(push_service, token_of)
    assert set(delivered) == set(people)  # none lost
    repeated = {person for person, times in delivered.items() if times > 1}
    assert repeated <= may_repeat
    assert max(delivered.values()) <= 2


def test_a_forgotten_password_asked_of_servers_that_then_die_is_sent_by_a_worker(
    app, alice, tmp_path, started, redis_url
):
    from test_mail import LINK, free_port, parts, start_smtp

    smtp_port = free_port()
    controller, inbox = start_smtp(smtp_port)
    try:
        env = procs.base_env(
            app.config["DATABASE_URL"],
            HUEY_URL=redis_url,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=str(smtp_port),
            MAIL_USE_TLS="0",
            PUBLIC_URL="https://otc.example.com",
        )
        first, one = procs.gunicorn(tmp_path, env, workers=1)
        started.append(first)
        second, other = procs.gunicorn(tmp_path, env, workers=1)
        started.append(second)
        session = requests.Session()
        token = procs.csrf(session, one)
        for base, address in ((one, alice.email), (other, "nobody@example.com")):
            response = session.post(
                f"{base}/forgot", data={"email": address, "csrf_token": token}, timeout=30
            )
            assert response.status_code == 200 and "Check your email" in response.text
        # Both app servers die having answered; nothing was sent from them.
        first.kill()
        second.kill()
        assert inbox.messages == []

        worker = procs.worker(tmp_path, env, {}, "--workers", "1", "--no-periodic")
        started.append(worker)
        worker.wait_until(lambda: len(inbox.messages) >= 1, "sent the reset link")
        (message,) = inbox.messages
        assert message["To"] == "alice@example.com"
        (link,) = set(LINK.findall(parts(message)[0]))
        assert link.startswith("https://otc.example.com/reset/")
        assert models.PasswordReset.select().count() == 1
    finally:
        controller.stop()
