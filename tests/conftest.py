"""Fixtures: a temporary database per test, a travelling clock, signed-in clients, a live server."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask.testing import FlaskClient
from hypothesis import settings
from werkzeug.security import generate_password_hash

import models
from pwa import create_app

# No example may fail for taking long: the suite shares two cores with browsers and servers.
settings.register_profile("otc", deadline=None)
settings.load_profile("otc")

PASSWORD = "correct horse battery"
# A Wednesday, mid-morning in Europe.
START = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
# North and South were made long before the clock's day (the dashboard has no figures before a team).
MADE = datetime(2025, 1, 6)
BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
# The task queue of the tests lives in memory, never in a developer's instance/huey.db.
os.environ.setdefault("HUEY_URL", "memory://")


class FakeClock:
    """A clock the tests move by hand."""

    def __init__(self, now: datetime = START):
        self.current = now

    def now(self) -> datetime:
        return self.current

    def travel(self, **delta) -> None:
        self.current += timedelta(**delta)

    def set(self, when: datetime) -> None:
        self.current = when


class Client(FlaskClient):
    """A test client that sends the CSRF token like a browser form does."""

    def csrf_token(self) -> str:
        page = super().open("/card").get_data(as_text=True)
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def open(self, *args, **kwargs):
        method = kwargs.get("method", "GET")
        if method == "POST" and kwargs.pop("csrf", True):
            data = kwargs.get("data") or {}
            if isinstance(data, dict) and "csrf_token" not in data:
                kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        return super().open(*args, **kwargs)

    def htmx(self, method: str, url: str, **kwargs):
        """Send a request the way htmx does (a fragment is expected back)."""
        headers = {"HX-Request": "true", **kwargs.pop("headers", {})}
        return self.open(url, method=method, headers=headers, **kwargs)


def _worker() -> str:
    # TEST_RUN_ID keeps two checkouts testing against one server at once out of each other's databases.
    return os.environ.get("TEST_RUN_ID", "") + os.environ.get("PYTEST_XDIST_WORKER", "main")


def fresh_postgres_database(prefix: str, drop: bool = False) -> str:
    """Create (or with drop=True, only drop) this worker's PostgreSQL database; return its URL."""
    import psycopg2

    base = os.environ["TEST_POSTGRES_URL"]
    name = f"{prefix}_{_worker()}"
    conn = psycopg2.connect(base)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated empty database for this worker: a file to copy (SQLite) or a database to empty (PostgreSQL)."""
    if BACKEND == "postgres":
        url = fresh_postgres_database("otc_test")
        models.open_database(url)
        models.migrate()
        models.db.close()
        return url
    path = tmp_path_factory.mktemp("template") / "template.db"
    models.open_database(f"sqlite:///{path}")
    models.migrate()
    models.db.close()
    return path


@pytest.fixture
def database_url(database_template, tmp_path):
    """A fresh, empty, migrated database for one test."""
    if BACKEND == "postgres":
        models.open_database(database_template)
        tables = [t for t in models.db.get_tables() if t != "migratehistory"]
        models.db.execute_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        models.db.close()
        return database_template
    path = tmp_path / "otc.db"
    shutil.copy(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def app_config():
    """Extra configuration for the app under test (a test module overrides it)."""
    return {}


@pytest.fixture
def outbox(tmp_path):
    """The folder where mail lands without a mail server."""
    return tmp_path / "outbox"


@pytest.fixture
def app(database_url, clock, tmp_path, app_config, outbox):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "CLOCK": clock,
            "SERVER_NAME": None,
            "MAIL_OUTBOX": str(outbox),
            **app_config,
        }
    )
    app.test_client_class = Client
    models.db.connect(reuse_if_open=True)
    yield app
    if not models.db.is_closed():
        models.db.close()
    pool = getattr(models.db.obj, "close_all", None)
    if pool:
        pool()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def make_person(
    name: str, email: str, role="employee", team=None, tz="Europe/Berlin"
) -> models.Person:
    """A person who has accepted their invite (long before the test clock's day)."""
    return models.Person.create(
        name=name,
        email=email,
        role=role,
        team=team,
        tz=tz,
        created_at=MADE,
        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
    )


@pytest.fixture
def north(app):
    return models.Team.create(name="North", created_at=MADE)


@pytest.fixture
def south(app):
    return models.Team.create(name="South", created_at=MADE)


@pytest.fixture
def alice(north):
    return make_person("Alice Martin", "alice@example.com", team=north)


@pytest.fixture
def bob(north):
    return make_person("Bob Okafor", "bob@example.com", team=north, tz="Europe/London")


@pytest.fixture
def lena(north):
    return make_person("Lena Lead", "lena@example.com", role="lead", team=north)


@pytest.fixture
def carl(south):
    return make_person("Carl Jensen", "carl@example.com", team=south, tz="America/Chicago")


@pytest.fixture
def ada(app):
    return make_person("Ada Admin", "ada@example.com", role="admin", tz="Europe/London")


def sign_in(client: Client, person: models.Person) -> Client:
    """Sign client in as person through the sign-in form."""
    response = client.post("/signin", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


@pytest.fixture
def as_alice(client, alice):
    return sign_in(client, alice)


@pytest.fixture
def as_lena(client, lena):
    return sign_in(client, lena)


@pytest.fixture
def as_ada(client, ada):
    return sign_in(client, ada)


# Real-browser fixtures -------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def queue_at_once(app):
    """Queued tasks (a forgotten password's email) run as they are queued, in app (huey's immediate mode)."""
    from push.queue import huey, use_app

    huey.immediate = True
    use_app(app)
    yield
    huey.immediate = False
    use_app(None)


@pytest.fixture
def live_server(app):
    """The app served on a free local port in a thread, for the browser."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/system-packages.sh")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


def _phone_context(browser, **kwargs):
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        timezone_id="Europe/Berlin",
        **kwargs,
    )


@pytest.fixture
def page(browser):
    context = _phone_context(browser)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


@pytest.fixture
def nojs_page(browser):
    context = _phone_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def tap_answer(page, phase: str, answer: str) -> None:
    """Tap one answer of one phase of the Daily Filter, as a thumb would."""
    group = page.get_by_role("group", name=re.compile(f"^{phase}"))
    group.get_by_role("radio", name=answer, exact=True).tap()


def eventually(page, expression: str, timeout: float = 15, what: str = "") -> None:
    """Poll a page expression (which may return a promise) until it is truthy.

    Playwright's wait_for_function does not await a promise: a predicate that returns one is
    truthy at once, so every wait on caches, IndexedDB or the service worker must poll here.
    A navigation while asking is not an answer: the question is asked again on the new page.
    """
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(expression):
                return
        except Error as error:  # the page navigated meanwhile (a reload after a sync): ask again
            if "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
        assert time.monotonic() < deadline, what or f"never true: {expression}"
        page.wait_for_timeout(100)


def browser_sign_in(page, base: str, person: models.Person) -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/")


# Push fixtures ---------------------------------------------------------------


@pytest.fixture(scope="session")
def vapid_keys():
    """One VAPID key pair for the whole run (making one costs little, but keys rarely change)."""
    from push.keys import generate

    return generate()


@pytest.fixture
def push_service(app, vapid_keys):
    """The local push service stand-in, and the app configured to send to it (tests only)."""
    from push.standin import PushServiceStandIn

    app.config.update(
        VAPID_SUBJECT="mailto:push-admin@example.com",
        PUBLIC_URL="https://otc.example.com",
        **vapid_keys,
    )
    with PushServiceStandIn(vapid_keys["VAPID_PUBLIC_KEY"]) as service:
        app.config["PUSH_INSECURE_ORIGINS"] = (service.origin,)
        yield service


def subscribe_device(person: models.Person, service) -> dict:
    """Give person a device subscribed on the stand-in; return its subscription JSON."""
    subscription = service.subscribe()
    keys = subscription["keys"]
    models.PushSubscription.create(
        person=person, endpoint=subscription["endpoint"], p256dh=keys["p256dh"], auth=keys["auth"]
    )
    return subscription
