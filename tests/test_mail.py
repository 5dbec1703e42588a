"""Email: invites and reset links through a real SMTP server on 127.0.0.1, and the outbox without one."""

from __future__ import annotations

import asyncio
import email
import re
import socket
import time
from email import policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller

from conftest import PASSWORD, make_person, sign_in
from models import Invite, PasswordReset, Person
from push.queue import huey, use_app

LINK = re.compile(r"https?://[^\s\"'<>]+/(?:reset|invite)/[A-Za-z0-9_\-]+")


class Inbox:
    """An aiosmtpd handler keeping every message it accepts (or refusing, or answering slowly)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False
        self.delay = 0.0
        self.busy = 0  # messages to refuse for now ("try again later") before accepting
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refused += 1
            return "554 5.7.1 Message refused"
        if self.busy:
            self.busy -= 1
            self.refused += 1
            return "451 4.3.0 Too busy, try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait(self, count: int = 1, timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_smtp(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def inbox(smtp_port):
    controller, inbox = start_smtp(smtp_port)
    yield inbox
    controller.stop()


@pytest.fixture(autouse=True)
def _tasks_at_once(queue_at_once):
    """Every test here runs queued tasks (a forgotten password's email) as they are queued."""


@pytest.fixture
def worker(app, queue_at_once):
    """A real queue and, once started, a worker's consumer on it in threads: start() and it runs."""
    huey.immediate = False
    consumers = []

    def start():
        consumers.append(huey.create_consumer(workers=1, worker_type="thread", periodic=False))
        consumers[-1].start()

    yield start
    for consumer in consumers:
        consumer.stop(graceful=True)


@pytest.fixture
def app_config(smtp_port):
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_USE_TLS": False,
        "MAIL_TIMEOUT": 5,
        "MAIL_DEFAULT_SENDER": "One True Customer <campaign@example.com>",
    }


def parts(message) -> tuple[str, str]:
    """The plain text and HTML bodies of a message."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def link_in(message) -> str:
    """The path of the one link a message carries (the same in text and HTML)."""
    text, html = parts(message)
    links = set(LINK.findall(text)) | set(LINK.findall(html))
    assert len(links) == 1, links
    return urlsplit(links.pop()).path


def test_an_invite_arrives_by_email_with_its_link_and_expiry(as_lena, north, inbox, client):
    response = as_lena.post(
        f"/team/{north.id}/invite", data={"email": "Nia@Example.com", "name": "Nia"}
    )
    assert response.status_code == 303
    page = as_lena.get(response.location).get_data(as_text=True)
    assert "The invite to nia@example.com is on its way" in page
    assert "/invite/" not in page
    (message,) = inbox.wait()
    assert message["To"] == "nia@example.com"
    assert message["Subject"] == "Lena Lead invites you to One True Customer"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    assert "If this were my only customer" in text and "with North" in text
    assert "works once, until Wed 2 Dec, 11:00 (Europe/Berlin)" in text
    assert "Set your name and password" in html
    path = link_in(message)
    as_lena.post("/signout")
    assert "Nia" in client.get(path).get_data(as_text=True)
    assert Invite.get().sent_at is not None


def run_retries(limit: int = 10) -> list[float]:
    """Run every try the queue scheduled, each when its time comes, as a worker does; return the waits."""
    waits = []
    for _ in range(limit):
        due = huey.scheduled()
        if not due:
            break
        (task,) = huey.read_schedule(min(t.eta for t in due))
        # The wait before this try (huey has already lengthened it for the next one).
        waits.append(round(task.retry_delay / task.retry_backoff))
        huey.execute(task, timestamp=task.eta)
    return waits


def test_a_mail_server_that_is_down_is_tried_again_then_the_invite_is_kept_as_not_sent(
    as_lena, north, smtp_port, client, clock
):
    response = as_lena.post(f"/team/{north.id}/invite", data={"email": "nia@example.com"})
    assert response.status_code == 303
    page = as_lena.get(response.location).get_data(as_text=True)
    assert "The invite to nia@example.com is on its way" in page
    # While the worker is still trying, it is not listed as "not sent".
    assert "Invites not sent" not in page
    # The first try failed; five more wait 30 s, then 1, 2, 4 and 8 minutes, and fail too.
    assert run_retries() == [30, 60, 120, 240, 480]
    assert huey.scheduled() == []
    invite = Invite.get()
    assert invite.sent_at is None and invite.failed_at is not None
    old_digest = invite.token_digest
    # The lead who sent it finds out as soon as the last try failed, and why.
    page = as_lena.get("/team").get_data(as_text=True)
    assert "Invites not sent" in page
    assert "Invite to nia@example.com could not be sent" in page
    assert "the mail server could not be reached" in page
    assert "Send again" in page

    controller, inbox = start_smtp(smtp_port)
    try:
        response = as_lena.post(f"/invites/{invite.id}/resend")
        assert response.status_code == 303
        page = as_lena.get(response.location).get_data(as_text=True)
        assert "The invite to nia@example.com is on its way" in page
        assert "Invites not sent" not in page
        (message,) = inbox.wait()
    finally:
        controller.stop()
    invite = Invite.get()
    assert invite.sent_at is not None and invite.token_digest != old_digest
    assert invite.failed_at is None and invite.failure == ""
    assert client.get(link_in(message)).status_code == 200


@pytest.mark.parametrize("what", ["invite", "lead's reset link", "forgotten password"])
def test_a_mail_the_server_refuses_for_now_is_sent_once_when_it_takes_it(
    what, as_lena, north, alice, inbox, app
):
    inbox.busy = 1
    if what == "invite":
        as_lena.post(f"/team/{north.id}/invite", data={"email": "nia@example.com"})
    elif what == "lead's reset link":
        as_lena.post(f"/people/{alice.id}/reset")
    else:
        app.test_client().post("/forgot", data={"email": alice.email})
    assert inbox.refused == 1 and inbox.messages == []
    assert run_retries() == [30]
    (message,) = inbox.wait()
    # The link in the one message delivered is the one that works (the refused try's never went).
    path = link_in(message)
    assert app.test_client().get(path).status_code == 200
    time.sleep(0.2)
    assert len(inbox.messages) == 1 and inbox.refused == 1 and huey.scheduled() == []
    if what == "invite":
        assert Invite.get().sent_at is not None
    else:
        assert PasswordReset.select().count() == 1


def test_an_invite_the_mail_server_refuses_for_good_shows_on_the_admin_page_at_once(
    as_ada, north, inbox
):
    inbox.refuse = True  # 554 on every try: a stand-in that never takes a message
    response = as_ada.post(
        "/admin/invites", data={"email": "nia@example.com", "team": str(north.id)}
    )
    assert response.status_code == 303
    assert inbox.refused == 1 and huey.scheduled() == []  # a 5xx is not tried again
    page = as_ada.get(response.location).get_data(as_text=True)
    assert "The invite to nia@example.com is on its way" in page
    # Not a quarter of an hour later: the failure is on the row, so the next page says it.
    assert "Invite to nia@example.com could not be sent" in page
    assert "the mail server refused it" in page
    invite = Invite.get()
    assert invite.failure == "the mail server refused it"

    inbox.refuse = False
    response = as_ada.post(f"/invites/{invite.id}/resend", data={"from": "admin"})
    assert response.location == "/admin"
    (message,) = inbox.wait()
    assert message["To"] == "nia@example.com"
    page = as_ada.get("/admin").get_data(as_text=True)
    assert "could not be sent" not in page and "Invites not sent" not in page
    assert Invite.get().failed_at is None


def test_an_invite_once_sent_is_never_sent_again(as_lena, north, inbox):
    from pwa.team import deliver_invite

    as_lena.post(f"/team/{north.id}/invite", data={"email": "nia@example.com"})
    inbox.wait()
    invite = Invite.get()
    digest_sent = invite.token_digest
    # The same task delivered twice (a worker killed after sending, before huey acked it).
    deliver_invite(invite.id, "http://localhost/", invite.created_by_id)
    time.sleep(0.2)
    assert len(inbox.messages) == 1
    assert Invite.get().token_digest == digest_sent  # its link still works


def test_only_the_team_lead_or_an_admin_resends_an_invite(client, north, south, carl, ada, clock):
    invite_token = Invite.issue("nia@example.com", north, "employee", ada, clock.now())
    assert invite_token
    invite = Invite.get()
    southern_lead = Person.create(
        name="Sol",
        email="sol@example.com",
        role="lead",
        team=south,
        password_hash=carl.password_hash,
    )
    sign_in(client, southern_lead)
    assert client.post(f"/invites/{invite.id}/resend").status_code == 403
    assert client.post("/invites/999/resend").status_code == 404


def test_a_lead_sends_a_reset_link_that_only_the_member_receives(as_lena, alice, carl, inbox):
    response = as_lena.post(f"/people/{alice.id}/reset")
    assert response.status_code == 303
    page = as_lena.get(response.location).get_data(as_text=True)
    assert "A reset link is on its way to Alice Martin at alice@example.com" in page
    assert "/reset/" not in page
    (message,) = inbox.wait()
    assert message["To"] == "alice@example.com"
    assert "Lena Lead sent you a link" in parts(message)[0]
    assert link_in(message).startswith("/reset/")
    assert as_lena.post(f"/people/{carl.id}/reset").status_code == 403
    assert PasswordReset.select().count() == 1


def test_a_reset_link_the_mail_server_refuses_for_good_is_not_tried_again_and_its_maker_is_told(
    as_lena, alice, inbox, app
):
    inbox.refuse = True  # 554: no try would do better
    response = as_lena.post(f"/people/{alice.id}/reset")
    assert response.status_code == 303
    page = as_lena.get(response.location).get_data(as_text=True)
    assert "A reset link is on its way to Alice Martin" in page
    assert inbox.refused == 1 and huey.scheduled() == []
    # The lead who sent it finds out on the next page, and sends it again once mail works.
    assert "Reset link to Alice Martin could not be sent" in page
    assert "the mail server refused it" in page
    (failed,) = PasswordReset.select()
    assert failed.failed_at is not None and failed.used_at is None

    inbox.refuse = False
    response = as_lena.post(f"/people/{alice.id}/reset")
    (message,) = inbox.wait()
    assert message["To"] == "alice@example.com"
    page = as_lena.get(response.location).get_data(as_text=True)
    assert "could not be sent" not in page
    (sent,) = PasswordReset.select()  # the one not sent is gone; the new one went
    assert sent.failed_at is None and sent.token_digest != failed.token_digest
    assert app.test_client().get(link_in(message)).status_code == 200


def test_a_forgotten_password_link_the_mail_server_refuses_is_not_kept(client, alice, inbox):
    inbox.refuse = True
    client.post("/forgot", data={"email": alice.email})
    assert inbox.refused == 1 and huey.scheduled() == []
    # Nobody made it for them, so there is nobody to tell, and no row that names them stays.
    assert PasswordReset.select().count() == 0


def test_the_member_is_told_once_who_reset_their_password(app, as_lena, alice, inbox):
    as_lena.post(f"/people/{alice.id}/reset")
    (message,) = inbox.wait()
    mine = app.test_client()
    response = mine.post(
        link_in(message), data={"password": "a brand new one", "again": "a brand new one"}
    )
    assert response.status_code == 303
    # Not at the reset itself (whoever held the link may not be Alice), but at her next sign-in.
    assert "reset your password" not in mine.get("/").get_data(as_text=True)
    mine.post("/signout")
    mine.post("/signin", data={"email": alice.email, "password": "a brand new one"})
    assert "Lena Lead reset your password on Wed 18 Nov" in mine.get("/").get_data(as_text=True)
    assert "reset your password" not in mine.get("/").get_data(as_text=True)
    mine.post("/signout")
    mine.post("/signin", data={"email": alice.email, "password": "a brand new one"})
    assert "reset your password" not in mine.get("/").get_data(as_text=True)
    reset = PasswordReset.get()
    assert (reset.created_by_id, reset.used_at is not None, reset.told_at is not None) == (
        Person.by_email("lena@example.com").id,
        True,
        True,
    )


def test_forgot_password_sends_a_link_that_sets_a_new_password(client, alice, inbox):
    page = client.get("/signin").get_data(as_text=True)
    assert 'href="/forgot"' in page and "Forgot your password?" in page
    response = client.post("/forgot", data={"email": "Alice@Example.com"})
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    (message,) = inbox.wait()
    assert message["To"] == "alice@example.com"
    assert "Someone (we hope you) asked" in parts(message)[0]
    response = client.post(
        link_in(message), data={"password": "a brand new one", "again": "a brand new one"}
    )
    assert (response.status_code, response.location) == (303, "/")


def test_forgot_password_answers_the_same_and_sends_nothing_for_an_unknown_address(
    client, alice, inbox
):
    known = client.post("/forgot", data={"email": alice.email}).get_data(as_text=True)
    unknown = client.post("/forgot", data={"email": "nobody@example.com"}).get_data(as_text=True)
    strip = re.compile(r'content="[^"]+"')  # the CSRF token differs per response
    assert strip.sub("", known.replace(alice.email, "X")) == strip.sub(
        "", unknown.replace("nobody@example.com", "X")
    )
    time.sleep(0.3)
    assert [m["To"] for m in inbox.wait()] == ["alice@example.com"]
    assert PasswordReset.select().count() == 1


def test_forgot_password_queues_the_same_work_for_any_address_and_a_worker_sends_it(
    client, alice, inbox, worker
):
    # The mail server takes 4 s to accept a message: neither answer may wait for it (the bound
    # leaves a loaded machine room; a request that waited would take at least the 4 s).
    inbox.delay = 4.0
    started = time.perf_counter()
    client.post("/forgot", data={"email": alice.email})
    known = time.perf_counter() - started
    started = time.perf_counter()
    client.post("/forgot", data={"email": "nobody@example.com"})
    unknown = time.perf_counter() - started
    assert known < 3.0 and unknown < 3.0, (known, unknown)
    # Each answer queued one task and looked nobody up: the same work on the request path.
    assert huey.pending_count() == 2
    assert PasswordReset.select().count() == 0
    # The app server that answered may be gone by now: whichever worker runs takes the tasks.
    worker()
    (message,) = inbox.wait(timeout=15)
    assert message["To"] == "alice@example.com"
    deadline = time.monotonic() + 15
    while huey.pending_count() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert huey.pending_count() == 0
    time.sleep(0.3)
    assert len(inbox.messages) == 1 and PasswordReset.select().count() == 1


def test_a_forgotten_password_link_is_built_from_the_public_url_on_the_worker(
    app, client, alice, inbox
):
    app.config["PUBLIC_URL"] = "https://otc.example.com"
    client.post("/forgot", data={"email": alice.email})
    (message,) = inbox.wait()
    (link,) = set(LINK.findall(parts(message)[0]))
    assert link.startswith("https://otc.example.com/reset/")
    assert client.get(link_in(message)).status_code == 200


def test_a_refusing_mail_server_costs_the_forgot_answer_nothing(client, alice, inbox):
    inbox.refuse = True
    response = client.post("/forgot", data={"email": alice.email})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert inbox.messages == []


def test_forgot_password_sends_at_most_three_links_an_hour(client, alice, inbox):
    for _ in range(5):
        assert client.post("/forgot", data={"email": alice.email}).status_code == 200
    # Three messages arrive (a loaded machine may take a while), and only three links were made.
    assert len(inbox.wait(3, timeout=30)) == 3
    time.sleep(0.5)
    assert len(inbox.messages) == 3
    assert PasswordReset.select().where(PasswordReset.person == alice.id).count() == 3


def test_a_bad_address_is_refused_with_the_text_kept(client, as_lena, north, alice):
    response = client.post("/forgot", data={"email": "alice@example"})
    assert response.status_code == 422
    assert 'value="alice@example"' in response.get_data(as_text=True)
    response = as_lena.post(f"/team/{north.id}/invite", data={"email": "nia@@example.com"})
    assert response.status_code == 422
    assert "Enter an email address" in response.get_data(as_text=True)
    as_lena.post("/signout")
    response = client.post("/signin", data={"email": "alice at example.com", "password": PASSWORD})
    assert response.status_code == 422


def test_with_mail_configured_no_page_shows_a_reset_link_to_anyone_but_its_recipient(
    app, as_lena, lena, ada, alice, bob, carl, north, south, inbox
):
    lead = as_lena
    admin = sign_in(app.test_client(), ada)
    seen = []
    for client, person in ((lead, alice), (lead, bob), (admin, carl), (admin, lena)):
        response = client.post(f"/people/{person.id}/reset", data={"from": "admin"})
        seen.append(response.get_data(as_text=True))
        with client.session_transaction() as cookie:
            assert "made_link" not in cookie
    lead.post(f"/team/{north.id}/invite", data={"email": "nia@example.com"})
    admin.post("/admin/invites", data={"email": "omar@example.com", "team": str(south.id)})
    assert len(inbox.wait(6)) == 6
    for client in (lead, admin):
        seen += crawl(client)
    assert len(seen) > 20
    for body in seen:
        assert "/reset/" not in body and "/invite/" not in body


def crawl(client, start=("/", "/team", "/admin", "/me", "/stories", "/challenge")) -> list[str]:
    """Every page reachable by GET from start through the app's own links."""
    queue, seen, bodies = list(start), set(), []
    while queue and len(seen) < 200:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 300 or response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        bodies.append(body)
        for href in re.findall(r'href="(/[^"#]*)"', body):
            if not href.startswith("/static/") and href not in seen:
                queue.append(href.replace("&amp;", "&"))
    return bodies


def test_without_mail_a_forgotten_password_link_goes_to_the_outbox(database_url, clock, outbox):
    from conftest import Client, make_person
    from pwa import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "CLOCK": clock,
            "MAIL_OUTBOX": str(outbox),
        }
    )
    app.test_client_class = Client
    use_app(app)
    with app.app_context():
        alice = make_person("Alice Martin", "alice@example.com")
    client = app.test_client()
    page = client.post("/forgot", data={"email": alice.email}).get_data(as_text=True)
    assert "console and outbox folder" in page and "your admin can pass it on" in page
    assert str(outbox) not in page  # a visitor never learns the server's folders
    deadline = time.monotonic() + 5
    while not list(outbox.glob("*.eml")) and time.monotonic() < deadline:
        time.sleep(0.02)
    (saved,) = outbox.glob("*.eml")
    message = email.message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert message["To"] == "alice@example.com"
    assert client.get(link_in(message)).status_code == 200


# The reset-link rights (security review F1), where leads may send links at all: with mail.


def test_a_lead_makes_no_reset_link_for_an_admin_another_lead_or_someone_inactive(
    client, app, lena, ada, bob, north, inbox
):
    Person.update(team=north).where(Person.id == ada.id).execute()  # the admin is on North too
    other_lead = make_person("Olga Lead", "olga@example.com", role="lead", team=north)
    Person.update(active=False).where(Person.id == bob.id).execute()
    as_lena = sign_in(client, lena)
    for target in (ada, other_lead, bob):
        assert as_lena.post(f"/people/{target.id}/reset").status_code == 403, target.name
    assert PasswordReset.select().count() == 0


def test_the_team_page_offers_reset_links_only_for_its_employees(
    as_lena, alice, lena, north, ada, inbox
):
    Person.update(team=north).where(Person.id == ada.id).execute()
    make_person("Olga Lead", "olga@example.com", role="lead", team=north)
    page = as_lena.get("/team").get_data(as_text=True)
    assert 'Send a reset link<span class="visually-hidden"> to Alice Martin' in page
    assert page.count("Send a reset link") == 1
