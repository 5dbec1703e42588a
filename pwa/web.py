"""What every blueprint shares: page-or-fragment rendering, sign-in guards, dates, input checks."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date
from zoneinfo import available_timezones

import email_validator
from flask import (
    abort,
    current_app,
    g,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from htmx_flask import make_response
from jinja2 import StrictUndefined
from markupsafe import Markup, escape

from game import zones
from game.days import WorkWeek, local_today
from pwa import clock
from pwa.csrf import masked_csrf_token
from pwa.recent import Recent

# The Daily Filter, in the campaign's words (Part 3).
PHASES = (
    {
        "key": "before",
        "name": "Before",
        "title": "Before an interaction",
        "questions": ("If this were my only customer, how would I prepare?",),
        "short": "How would I prepare?",
        # The line a check-in answers: the campaign's question, asked of the last interaction.
        "line": "Did I prepare as if they were my only customer?",
    },
    {
        "key": "during",
        "name": "During",
        "title": "During an interaction",
        "questions": (
            "Am I fully present right now?",
            "Would I say this / do this if my career depended on this one relationship?",
        ),
        "short": "Am I fully present?",
        "line": "Was I fully present?",
    },
    {
        "key": "after",
        "name": "After",
        "title": "After an interaction",
        "questions": (
            "If this were my only customer, would I be proud of how I just handled that?",
            "What would I do differently if I could do it again?",
        ),
        "short": "Would I be proud of that?",
        "line": "Would I be proud of how I handled it?",
    },
)
ANSWER_LABELS = {"yes": "Yes", "partly": "Partly", "not_yet": "Not yet"}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NOTE_MAX = 2000
TIMEZONES = frozenset(available_timezones())


@functools.cache
def zone_choices() -> frozenset[str]:
    """The zones offered in lists (tzdata's canonical zones, and UTC): read on first use, not at start-up."""
    return frozenset(zones.canonical()) | {"UTC"}


KEPT_URLS = 4096  # at most this many URLs kept per app; past it, new ones are built each time


def pure_url_default(function):
    """Mark a url_defaults function whose result depends only on the endpoint and its values."""
    function.pure_url_default = True
    return function


def _keepable(app, endpoint: str, values: dict) -> bool:
    return (
        not endpoint.startswith(".")
        and not any(name.startswith("_") for name in values)
        and not (endpoint == "static" and app.debug)  # an edited file gets its new hash at once
        and all(
            getattr(function, "pure_url_default", False)
            for functions in app.url_default_functions.values()
            for function in functions
        )
    )


def template_url_for(endpoint: str, **values) -> str:
    """url_for for templates: a relative URL, once built, is kept (a page builds some 20 of them).

    A relative URL depends only on the endpoint, its values and the app's mount point, so the
    same arguments always give the same URL; anything else goes to url_for itself.
    """
    try:
        key = (request.script_root, endpoint, *values.items())
        kept = g._kept_urls
    except AttributeError:
        kept = g._kept_urls = current_app.extensions.setdefault("kept_urls", {})
    except (TypeError, RuntimeError):  # a value that can't be a key; outside a request
        return url_for(endpoint, **values)
    try:
        return kept[key]
    except KeyError:
        pass
    except TypeError:
        return url_for(endpoint, **values)
    url = url_for(endpoint, **values)
    if len(kept) < KEPT_URLS and _keepable(current_app, endpoint, values):
        kept[key] = url
    return url


KEPT_FRAGMENTS = 2048  # rendered fragments kept per app, the least recently used dropped first
FILL = re.compile("\x1e([a-z_]+)\x1e")
# What a kept template must never read: whatever belongs to one request, session or person. Each
# is shadowed in a kept render by an undefined that raises when used, so a template that tried
# to show one person's state fails in the tests rather than being kept and shown to everyone.
REQUEST_BOUND = (
    "g",
    "request",
    "session",
    "csrf_token",
    "csrf_meta_tag",
    "get_flashed_messages",
    "page_frame",
)


def _forbidden() -> dict:
    hint = "a kept fragment sees only its values and fills (web.kept_fragment)"
    return {name: StrictUndefined(hint=hint, name=name) for name in REQUEST_BOUND}


def kept_fragment(template: str, fill: dict | None = None, **values) -> Markup:
    """A fragment whose HTML depends only on values, rendered once per distinct values and kept.

    The template sees its values and the environment's pure globals (url_for, the campaign's
    words), never the request, the session or the signed-in person (REQUEST_BOUND: using one
    raises): whatever it shows comes in through values, so the same values always give the same
    HTML. What differs in every response (the CSRF token, a form's key) or belongs to one person
    (their notes) comes in through fill: the template's `fill` maps each name to a placeholder,
    and the text, escaped, replaces it in the kept HTML (Markup goes in as it is: HTML made for
    this response). So a fragment is kept for what many people share, never for their own words.
    """
    app = current_app._get_current_object()  # one look-up through the proxy, not four
    kept = app.extensions.get("kept_fragments")
    if kept is None:
        kept = app.extensions.setdefault("kept_fragments", Recent(KEPT_FRAGMENTS))
    names = tuple(fill) if fill else ()
    # Fills and values in the caller's order: a call site always passes them in the same order.
    key = (request.script_root, template, names, *values.items())
    parts = kept.get(key)
    if parts is None:
        placeholders = {name: f"\x1e{name}\x1e" for name in names}
        html = app.jinja_env.get_template(template).render(
            _forbidden(), **values, fill=placeholders
        )
        # Split once: the text between placeholders at even places, the names at odd ones.
        parts = tuple(FILL.split(html))
        if not app.debug:  # in debug, an edited template shows at once
            kept.put(key, parts)
    if len(parts) == 1:
        return Markup(parts[0])
    pieces = list(parts)
    for at in range(1, len(pieces), 2):
        text = fill[pieces[at]]
        pieces[at] = text if isinstance(text, Markup) else escape(text)
    return Markup("".join(pieces))


def page_frame(person=None) -> dict:
    """What base.html shows around every page for this response: the token, who is signed in,
    the flashed messages and celebrations, the tabs. A kept page gets these as its fills."""
    from pwa.events import pending_moments

    if person is None:
        person = g.get("person")
    messages = get_flashed_messages(with_categories=True)
    moments = pending_moments() if person is not None else []
    return {
        "csrf": masked_csrf_token(),
        "tz": person.tz if person is not None else "",
        "person_id": str(person.id) if person is not None else "",
        "flashes": Markup(render_template("partials/flashes.html", messages=messages))
        if messages
        else Markup(),
        "moments": Markup(
            "".join(render_template("partials/moment.html", moment=m) for m in moments)
        ),
        "tabs": tabs_for(person) if person is not None else Markup(),
    }


# Which tab a page belongs to: the first prefix of its endpoint found here.
SECTIONS = (
    ("today.", "today"),
    ("challenge.", "challenge"),
    ("stories.", "stories"),
    ("recognition.", "thanks"),
    ("badges.", "thanks"),
    ("profile.", "thanks"),
    ("announcements.", "thanks"),
    ("team.", "team"),
    ("admin.", "admin"),
    ("lagging.", "admin"),
    ("board.manage", "team"),
    ("campaign.card", "card"),
    ("account.", "me"),
    ("campaign.pledge", "me"),
    ("notifications.", "me"),
)


@functools.lru_cache(maxsize=512)
def section_of(endpoint: str | None) -> str:
    """The tab a page with this endpoint belongs to ("" for none)."""
    for prefix, section in SECTIONS:
        if endpoint and endpoint.startswith(prefix):
            return section
    return ""


def tabs_for(person) -> Markup:
    """The navigation of a signed-in person's page: the same HTML for everyone alike."""
    unseen = person.news_unseen or 0
    return kept_fragment(
        "partials/tabs.html",
        lead=person.role in ("lead", "admin"),
        admin=person.is_admin,
        here=section_of(request.endpoint),
        unseen=unseen if unseen < 100 else "99+",
    )


def wants_fragment() -> bool:
    """Whether this is a plain htmx request (boosted and history-restore requests want the page)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(template: str, fragment: str | None = None, status: int = 200, trigger=None, **context):
    """Render the whole page, or only the fragment for a plain (non-boosted) htmx request."""
    body = render_template(fragment if fragment and wants_fragment() else template, **context)
    # Events fire once the new content has settled, so listeners find the new elements.
    response = make_response(body, status, trigger_after_settle=trigger)
    if fragment is not None:
        response.headers["Vary"] = "HX-Request"  # a new response: nothing to merge with
    return response


def back(endpoint: str, **values):
    """Redirect after a successful plain POST (POST, redirect, GET)."""
    return redirect(url_for(endpoint, **values), code=303)


def to_sign_in():
    """The answer to someone not signed in: the sign-in page and back afterwards (401 and HX-Redirect for htmx)."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("account.sign_in")
        return response
    return redirect(url_for("account.sign_in", next=request.full_path.rstrip("?")))


def sign_in_required(view):
    """Send a visitor who isn't signed in to the sign-in page, and back afterwards."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("person") is None:
            return to_sign_in()
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: str):
    """Allow only signed-in people with one of these roles; others get 403."""

    def decorate(view):
        @functools.wraps(view)
        @sign_in_required
        def wrapped(*args, **kwargs):
            if g.person.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def today_for(person) -> date:
    """The person's local calendar date now (never before the day they last changed zone)."""
    return local_today(clock.now(), person.tz, person.tz_changed_on)


def workdays_of(person) -> WorkWeek:
    """The person's work days (Mon=0), now and as they were before each change."""
    return person.work_week()


# Explicit direction overrides and isolates: typed text never needs them, and they can
# make a name or a story read backwards on the page.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_text(value: str | None) -> str:
    """Text as typed, without control characters (newlines and tabs kept) or outer blanks."""
    value = (value or "").replace("\r\n", "\n")
    kept = (
        ch
        for ch in value
        if ch in "\n\t"
        or (unicodedata.category(ch) not in ("Cc", "Cs", "Co") and ch not in BIDI_CONTROLS)
    )
    return "".join(kept).strip()


EMAIL_ERROR = "Enter an email address like name@company.com."


def normal_email(value: str | None) -> tuple[str, str | None]:
    """The typed address checked and normalised (lower case), or as typed with a message."""
    typed = clean_text(value)
    try:
        # No DNS look-up: it fails offline and would refuse every demo and test address.
        checked = email_validator.validate_email(typed, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return typed, EMAIL_ERROR
    return checked.normalized.lower(), None


def check_length(errors: dict, field: str, value: str, label: str, maximum: int, required=False):
    """Add a clear message to errors when value is missing or too long."""
    if required and not value:
        errors[field] = f"{label} is needed."
    elif len(value) > maximum:
        errors[field] = f"{label} is {len(value):,} characters; {maximum:,} at most, please."


# The largest row id both databases hold (PostgreSQL's integer); a larger number names nothing.
ID_MAX = 2**31 - 1
# Tokens and form keys are URL-safe base64 or hex: anything else (a NUL, a space) names nothing.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")


def parse_id(value: str | None) -> int | None:
    """A row id typed in a query or form ("12"), or None for anything else.

    Only ASCII digits count ("²" and "٣" are digits to str.isdigit() but not to int()), and a
    number beyond what the databases hold is unknown, never an OverflowError.
    """
    if not value or len(value) > 10 or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 1 <= number <= ID_MAX else None


def found(model, row_id: int, may=None):
    """model.one(row_id), or 404 when there is none, or when may(row) says the person may not know of it."""
    row = model.one(row_id) if 1 <= row_id <= ID_MAX else None
    if row is None or (may is not None and not may(row)):
        abort(404)
    return row


def is_token(value: str | None) -> bool:
    """Whether value could be a token or key the app made (safe to look up in any database)."""
    return bool(value) and _TOKEN.fullmatch(value) is not None


def form_key(value: str | None) -> str | None:
    """A form's idempotency key, or None when it is missing or not one the app made."""
    return value if is_token(value) and len(value) <= 64 else None


def external_url(endpoint: str, **values) -> str:
    """An absolute link to endpoint: from PUBLIC_URL when set, never from the request's Host."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


@functools.lru_cache(maxsize=64)
def long_date(d: date) -> str:
    """Monday 23 November."""
    return f"{WEEKDAY_NAMES[d.weekday()]} {d.day} {d:%B}"


def short_date(d: date) -> str:
    """Mon 23 Nov."""
    return f"{d:%a} {d.day} {d:%b}"
