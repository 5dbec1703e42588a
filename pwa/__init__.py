"""One True Customer: the Flask app factory."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from flask import Flask, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress
from htmx_flask import Htmx
from itsdangerous import BadSignature
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

import models
from pwa.clock import SystemClock
from pwa.csrf import MaskedCSRFProtect
from pwa.recent import Recent
from pwa.static_files import StaticFiles

csrf = MaskedCSRFProtect()
htmx = Htmx()
DEVELOPMENT_SECRET = "dev-only-secret-change-me"
compress = Compress()

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


class IdConverter(IntegerConverter):
    """A row id in a URL: a number the databases can hold, so a larger one is simply not found."""

    def __init__(self, map, *args, **kwargs):
        from pwa.web import ID_MAX

        super().__init__(map, min=1, max=ID_MAX)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, Secure whenever the request came over HTTPS (or config says
    so), and verified once per process: a cookie seen before is not checked and parsed again.

    Checking the signature and parsing the cookie was a sixth of Today's time; a phone sends the
    same cookie with every request. A kept cookie is still refused once it is older than the
    session's lifetime, and only one holding plain values (no list a request could change in
    place) is kept. What it names is checked on every request anyway: the sign-in it carries is
    looked up in the database.
    """

    KEPT = 4096  # verified cookies kept per process, the least recently used dropped first

    def __init__(self) -> None:
        self._verified = Recent(self.KEPT)  # cookie -> (its values, when it was signed)

    def open_session(self, app: Flask, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        lifetime = app.permanent_session_lifetime.total_seconds()
        found = self._verified.get(value)
        if found is not None and time.time() - found[1] <= lifetime:
            return self.session_class(found[0])
        try:
            data, signed_at = self.get_signing_serializer(app).loads(
                value, max_age=int(lifetime), return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        if all(isinstance(item, str | int | float | bool | None) for item in data.values()):
            self._verified.put(value, (dict(data), signed_at.timestamp()))
        return self.session_class(data)

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = super().get_cookie_secure(app)
        return configured or (has_request_context() and request.is_secure)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, extensions, database, blueprints."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET),
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", f"sqlite:///{os.path.join(app.instance_path, 'otc.db')}"
        ),
        CLOCK=SystemClock(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        PERMANENT_SESSION_LIFETIME=timedelta(days=models.SIGN_IN_DAYS),
        # The server-side sign-in slides its own expiry; no need to re-sign the cookie each time.
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=False,
        MAX_CONTENT_LENGTH=256 * 1024,
        TRUST_PROXY=os.environ.get("TRUST_PROXY", "") == "1",
        PUBLIC_URL=os.environ.get("PUBLIC_URL", ""),
        # Mail: with MAIL_SERVER unset, mail goes to the console and to MAIL_OUTBOX.
        MAIL_SERVER=os.environ.get("MAIL_SERVER", ""),
        MAIL_PORT=int(os.environ.get("MAIL_PORT", "587")),
        MAIL_USERNAME=os.environ.get("MAIL_USERNAME") or None,
        MAIL_PASSWORD=os.environ.get("MAIL_PASSWORD") or None,
        MAIL_USE_TLS=os.environ.get("MAIL_USE_TLS", "1") == "1",
        MAIL_USE_SSL=os.environ.get("MAIL_USE_SSL", "") == "1",
        MAIL_DEFAULT_SENDER=os.environ.get(
            "MAIL_DEFAULT_SENDER", "One True Customer <no-reply@localhost>"
        ),
        MAIL_TIMEOUT=int(os.environ.get("MAIL_TIMEOUT", "10")),
        MAIL_OUTBOX=os.environ.get("MAIL_OUTBOX", os.path.join(app.instance_path, "outbox")),
        # Company sign-in through OpenID Connect: on when issuer, client id and secret are set.
        OIDC_ISSUER=os.environ.get("OIDC_ISSUER", ""),
        OIDC_CLIENT_ID=os.environ.get("OIDC_CLIENT_ID", ""),
        OIDC_CLIENT_SECRET=os.environ.get("OIDC_CLIENT_SECRET", ""),
        OIDC_PROVIDER_NAME=os.environ.get("OIDC_PROVIDER_NAME", "your company account"),
        OIDC_TRUST_UNVERIFIED_EMAIL=os.environ.get("OIDC_TRUST_UNVERIFIED_EMAIL", "") == "1",
        OIDC_ALLOWED_DOMAINS=os.environ.get("OIDC_ALLOWED_DOMAINS", ""),
        OIDC_TIMEOUT=int(os.environ.get("OIDC_TIMEOUT", "10")),
        PASSWORD_SIGN_IN=os.environ.get("PASSWORD_SIGN_IN", "1") != "0",
        # How long each request took, in a header anyone can read: for benchmarks, not production.
        SERVER_TIMING=os.environ.get("SERVER_TIMING", "") == "1",
        # Pages are compressed as they are sent (static files once, by pwa.static_files).
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "gzip"],
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    _check_production(app.config)
    if app.config["TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    app.session_interface = SessionInterface()
    app.url_map.converters["id"] = IdConverter
    # First registered, so its after_request runs last: it compresses what the others finished.
    compress.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    _init_mail(app)
    StaticFiles(app.static_folder).init_app(app)
    _init_database(app)
    _init_headers(app)
    _init_templates(app)

    import push
    from pwa import (
        account,
        admin,
        announcements,
        badges,
        board,
        campaign,
        challenge,
        company,
        dashboard,
        digest,
        errors,
        events,
        export,
        lagging,
        notifications,
        ops,
        profile,
        recognition,
        rights,
        stories,
        team,
        today,
    )

    push.init_app(app)
    for module in (
        account,
        today,
        challenge,
        stories,
        campaign,
        team,
        admin,
        notifications,
        company,
    ):
        app.register_blueprint(module.bp)
    for module in (recognition, announcements, badges, profile):
        app.register_blueprint(module.bp)
    app.register_blueprint(digest.bp)
    app.register_blueprint(rights.bp)
    app.register_blueprint(board.bp)
    for module in (lagging, export):
        app.register_blueprint(module.bp)
    app.register_blueprint(dashboard.bp)
    # The one POST without a CSRF token: mail clients' one-click unsubscribe (RFC 8058) carries
    # no session; the signed token in its URL is what protects it.
    csrf.exempt(digest.unsubscribe)
    events.init_app(app)
    company.init_app(app)
    errors.init_app(app)
    ops.init_app(app)
    app.jinja_env.globals["endpoints"] = app.view_functions
    return app


def _init_mail(app: Flask) -> None:
    from pwa.mail import OutboxBackend, mail

    if not app.config.get("MAIL_BACKEND"):
        app.config["MAIL_BACKEND"] = "smtp" if app.config["MAIL_SERVER"] else OutboxBackend
    mail.init_app(app)


def connection_policy(testing: bool) -> str:
    """How a request's connection is handled; the bench's yardstick follows the same policy.

    A SQLite connection stays open in its thread (opening one costs more than most queries);
    a PostgreSQL connection goes back to the pool after each request. Tests close SQLite too,
    so each test's temporary database can be removed.
    """
    if models.is_sqlite() and not testing:
        return "kept open per thread"
    return "returned to the pool" if not models.is_sqlite() else "closed after each request"


class ConfigError(RuntimeError):
    """The configuration is unsafe to serve with."""


def _check_production(config) -> None:
    """Refuse to serve over HTTPS with a published secret or links built from the Host header."""
    if not config["SESSION_COOKIE_SECURE"]:
        return
    missing = []
    if not config.get("SECRET_KEY") or config["SECRET_KEY"] == DEVELOPMENT_SECRET:
        missing.append("SECRET_KEY (a long random value)")
    if not config.get("PUBLIC_URL"):
        missing.append("PUBLIC_URL (the address people open, like https://otc.example.com)")
    if missing:
        raise ConfigError(
            "SESSION_COOKIE_SECURE=1 is production, which needs " + " and ".join(missing) + "."
        )


def _init_database(app: Flask) -> None:
    models.open_database(app.config["DATABASE_URL"])

    @app.before_request
    def connect() -> None:
        g.started = time.perf_counter()
        if request.endpoint != "ops.healthz":  # it connects itself, and says so when it cannot
            models.db.connect(reuse_if_open=True)

    keep_open = connection_policy(app.testing) == "kept open per thread"

    @app.teardown_request
    def close(exc) -> None:
        if not keep_open and not models.db.is_closed():
            models.db.close()


SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


SECURITY_NAMES = frozenset(name.lower() for name, _ in SECURITY_HEADERS)


def _init_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        here = g._get_current_object()
        # A view may set its own (a board framed nowhere, a stricter policy): those are kept.
        present = SECURITY_NAMES.intersection(name.lower() for name, _ in headers.items())
        headers.extend([pair for pair in SECURITY_HEADERS if pair[0].lower() not in present])
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if getattr(here, "person", None) is not None and response.mimetype == "text/html":
            # Pages of a signed-in person hold private notes: never cache them anywhere.
            headers["Cache-Control"] = "no-store"
        if app.config["SERVER_TIMING"] and "started" in here:
            elapsed = (time.perf_counter() - here.started) * 1000
            headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
        return response


def _init_templates(app: Flask) -> None:
    from game.streaks import MAX_FREEZES
    from game.zones import aliases as zone_aliases
    from game.zones import by_region as zone_groups
    from game.zones import label as zone_label
    from models import NAME_MAX, in_sentence
    from pwa import web

    app.jinja_env.globals.update(
        url_for=web.template_url_for,
        phases=web.PHASES,
        answer_labels=web.ANSWER_LABELS,
        weekday_names=web.WEEKDAY_NAMES,
        max_freezes=MAX_FREEZES,
        name_max=NAME_MAX,
        long_date=web.long_date,
        short_date=web.short_date,
        # Functions, not values: the zone files are read when a page first lists them (aliases()
        # reads some 600), not by every process that starts.
        zone_groups=zone_groups,
        zone_choices=web.zone_choices,
        zone_aliases=zone_aliases,
        zone_label=zone_label,
        kept_fragment=web.kept_fragment,
        page_frame=web.page_frame,
    )
    app.jinja_env.filters["in_sentence"] = in_sentence
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
