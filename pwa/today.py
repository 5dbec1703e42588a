"""Today: the daily check-in with the Daily Filter, and the streak."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import Blueprint, Response, current_app, flash, g, render_template, request
from htmx_flask import make_response
from jinja2.filters import do_truncate
from markupsafe import Markup

from game.days import is_workday, queued_day, week_start
from game.zones import city, same_days
from models import ANSWERS, CheckIn, Person
from pwa import clock, events
from pwa.challenge import commitment_to_review
from pwa.csrf import masked_csrf_token
from pwa.web import (
    NOTE_MAX,
    PHASES,
    TIMEZONES,
    back,
    check_length,
    clean_text,
    form_key,
    kept_fragment,
    long_date,
    page_frame,
    render,
    sign_in_required,
    today_for,
    wants_fragment,
    workdays_of,
)

bp = Blueprint("today", __name__)


def _state(person, check_in=None, form=None, errors=None, editing=False, saved=False):
    """Everything Today shows for person: no statement of its own when the sign-in read its
    facts ahead (pwa.account.load_person), else one; one for a fragment."""
    today = today_for(person)
    workdays = workdays_of(person)
    page = not wants_fragment()
    facts = {}
    if page:
        facts = person.today_facts(week_start(today), day=today)
        check_in = check_in or facts["check_in"]
    elif check_in is None:
        check_in = CheckIn.on(person, today)
    if form is None:
        form = _form_of(check_in)
    notes = {f"{phase['key']}_note": form.get(f"{phase['key']}_note") or "" for phase in PHASES}
    commitment = facts.get("commitment")
    review = commitment_to_review(commitment, facts["earlier"], workdays, today) if page else None
    return {
        "page": page,
        "today": today,
        "workday": is_workday(today, workdays),
        "check_in": check_in,
        "streak": person.streak_on(today),
        "editing": editing,
        "saved": saved,
        "answers": tuple((phase["key"], form.get(phase["key"])) for phase in PHASES),
        "notes": notes,
        "error_items": tuple(sorted((errors or {}).items())),
        # The tiles below the check-in: only on the whole page, never in the fragment.
        "challenge": facts.get("challenge"),
        "commitment": commitment,
        "review": review,
        "pledged": facts.get("pledged", True),
    }


def _form_of(check_in) -> dict:
    form = {}
    for phase in PHASES:
        key = phase["key"]
        form[key] = getattr(check_in, key) if check_in else None
        form[f"{key}_note"] = getattr(check_in, f"{key}_note") if check_in else ""
    return form


def _checkin(state) -> Markup:
    """The check-in widget (#checkin): kept for the state many people share, with this
    response's token and a new form key, and this person's notes, filled in."""
    notes = state["notes"]
    return kept_fragment(
        "partials/checkin.html",
        checked_in=state["check_in"] is not None,
        editing=state["editing"],
        saved=state["saved"],
        workday=state["workday"],
        streak=state["streak"],
        answers=state["answers"],
        with_notes=tuple(name for name, text in notes.items() if text),
        error_items=state["error_items"],
        note_max=NOTE_MAX,
        fill=dict(notes, csrf=masked_csrf_token(), key=secrets.token_hex(16)),
    )


def _challenge_meta(challenge, today) -> str:
    """What the challenge tile says: the day of the 30, done, or an invitation."""
    if challenge is None:
        return "Start it today"
    if challenge.completed_at:
        return "Completed ✓"
    n = (today - challenge.start).days + 1
    return f"Day {n} of 30" if n <= 30 else "30 days done: reflect"


def _tiles(state) -> Markup:
    review, commitment = state["review"], state["commitment"]
    shown = review or commitment
    return kept_fragment(
        "partials/today_tiles.html",
        challenge_meta=_challenge_meta(state["challenge"], state["today"]),
        review=review is not None,
        commitment=commitment is not None,
        pledged=state["pledged"],
        fill={
            "behaviour": do_truncate(current_app.jinja_env, shown.behaviour, 60) if shown else ""
        },
    )


def _respond(person, state, status=200, trigger=None, welcome=False) -> Response:
    """Today's whole page, or only the check-in for a plain htmx request.

    The page is kept whole (web.kept_fragment): base.html's frame for this response, the date,
    the check-in and the tiles are its fills, so a page costs one look-up and one join.
    """
    if not state["page"]:
        body = _checkin(state)
    else:
        welcome_html = Markup()
        if welcome:
            welcome_html = Markup(
                render_template(
                    "today/welcome.html", challenge=state["challenge"], today=state["today"]
                )
            )
        body = kept_fragment(
            "today/index.html",
            framed=True,
            fill=dict(
                page_frame(person),
                date=long_date(state["today"]),
                welcome=welcome_html,
                checkin=_checkin(state),
                tiles=_tiles(state),
            ),
        )
    response = make_response(body, status, trigger_after_settle=trigger)
    response.headers["Vary"] = "HX-Request"  # a new response: nothing to merge with
    return response


@bp.route("/")
@sign_in_required
def index():
    """Show Today: the question, the three phases, the streak."""
    person, args = g.person, request.args
    state = _state(person, editing=args.get("edit") == "1", saved=args.get("saved") == "1")
    return _respond(person, state, welcome=args.get("welcome") == "1")


@bp.route("/checkin", methods=["POST"])
@sign_in_required
def check_in():
    """Record today's check-in (a second submit edits it; a replay changes nothing)."""
    person = g.person
    form, errors = {}, {}
    for phase in PHASES:
        key = phase["key"]
        answer = request.form.get(key) or None
        if answer is not None and answer not in ANSWERS:
            errors[key] = "Pick Yes, Partly or Not yet."
        form[key] = answer
        note = clean_text(request.form.get(f"{key}_note"))
        form[f"{key}_note"] = note
        check_length(errors, f"{key}_note", note, "This note", NOTE_MAX)
    if not errors and not any(form[p["key"]] for p in PHASES):
        errors["form"] = "Tap an answer for at least one phase, then check in."
    tapped = request.headers.get("X-Tapped-At")
    if errors and tapped is not None:
        return _plain(next(iter(errors.values())), 422)
    if errors:
        state = _state(person, form=form, errors=errors, editing=True)
        return _respond(person, state, status=422)
    # The form's key, or the same key sent as a header by the offline queue (js/queue.js).
    key = form_key(request.headers.get("Idempotency-Key") or request.form.get("key"))
    if tapped is not None:
        return _queued(person, form, key, tapped)
    record, before_streak = _record(person, today_for(person), form, key)
    # An edit is acknowledged ("Saved"); a first check-in speaks for itself.
    saved = request.form.get("edit") == "1"
    if not wants_fragment():
        return back("today.index", **({"saved": 1} if saved else {}))
    state = _state(person, check_in=record, saved=saved)
    before = before_streak.current
    trigger = {"checked-in": {"streak": state["streak"].current}}
    if state["streak"].current > before:
        trigger["streak-grew"] = {"streak": state["streak"].current}
    return _respond(person, state, trigger=trigger)


def _plain(text: str, status: int) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def _queued(person, form: dict, key: str | None, tapped_text: str) -> Response:
    """A check-in kept on the phone while offline, sent now: it counts for the day it was tapped."""
    if request.headers.get("X-Queued-For", str(person.id)) != str(person.id):
        # Made by whoever was signed in on this phone before: it waits for them.
        return _plain("This check-in was made by someone else on this phone.", 409)
    try:
        tapped = datetime.fromisoformat(tapped_text.strip().replace("Z", "+00:00"))
    except ValueError:
        tapped = None
    day = None
    if tapped is not None and tapped.tzinfo is not None:
        day = queued_day(tapped, clock.now(), person.tz, person.tz_changed_on)
    if day is None:
        return _plain(
            "A check-in kept on this phone arrived too late to count: "
            "check-ins count for today or yesterday only.",
            422,
        )
    # A replay of the same key is answered as the first was, and changes nothing.
    _record(person, day, form, key, kept=True)
    return _plain("Sent", 200)


def _record(person, day, form: dict, key: str | None, kept: bool = False):
    """Record the check-in for day and run what it earned; return it and the streak before it.

    The streak before and after both come from the summary row: no walk through the history.
    A replay of a key leaves the streak as it was, so no moment or badge comes of it twice.
    """
    today = today_for(person)
    before = person.streak_on(today)
    first = person.known_summary().last_day is None  # no check-in before this one
    record = CheckIn.record(person, day, form, key, clock.naive_now())
    events.checked_in(person, before, person.streak_on(today), first, kept)
    return record, before


def _zone_to_offer(person, phone: str) -> bool:
    """Whether the phone's zone would give person other days than theirs, and wasn't kept."""
    if phone not in TIMEZONES:
        return False
    today = today_for(person)
    if same_days(phone, person.tz, today):
        return False
    return not (person.tz_kept in TIMEZONES and same_days(phone, person.tz_kept, today))


@bp.route("/today/zone")
@sign_in_required
def zone_hint():
    """Offer the phone's time zone when it would change my days (nothing, 204, when it wouldn't)."""
    phone = request.args.get("phone", "")
    if not _zone_to_offer(g.person, phone):
        return "", 204
    return render("partials/tz_hint.html", phone=phone, home=g.person.tz, city=city)


@bp.route("/today/zone/keep", methods=["POST"])
@sign_in_required
def keep_zone():
    """Keep my own time zone while the phone reports this one: the hint stops asking, on every device."""
    phone = request.form.get("phone", "")
    if phone not in TIMEZONES:
        return render("errors/error.html", status=422, code=422, message="Unknown time zone.")
    Person.update(tz_kept=phone).where(Person.id == g.person.id).execute()
    message = (
        f"Keeping {city(g.person.tz)} time. We won't ask again while your phone is on"
        f" {city(phone)} time."
    )
    if not wants_fragment():
        flash(message, "success")
        return back("today.index")
    return make_response("", 200, trigger={"notice": message})
