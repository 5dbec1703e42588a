"""Today: the daily check-in with the Daily Filter, and the streak."""

from __future__ import annotations

import uuid

from flask import Blueprint, g, request

from game.days import is_workday, week_start
from models import ANSWERS, CheckIn
from pwa import clock
from pwa.challenge import commitment_to_review
from pwa.web import (
    NOTE_MAX,
    PHASES,
    back,
    check_length,
    clean_text,
    render,
    sign_in_required,
    today_for,
    wants_fragment,
    workdays_of,
)

bp = Blueprint("today", __name__)


def _state(person, check_in=None, form=None, errors=None):
    """Everything Today shows for person: two statements with the sign-in's, one for a fragment."""
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
    commitment = facts.get("commitment")
    review = commitment_to_review(commitment, facts["earlier"], workdays, today) if page else None
    return {
        "today": today,
        "workday": is_workday(today, workdays),
        "check_in": check_in,
        "streak": person.streak_on(today),
        "form": form,
        "errors": errors or {},
        "key": uuid.uuid4().hex,
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


@bp.route("/")
@sign_in_required
def index():
    """Show Today: the question, the three phases, the streak."""
    editing = request.args.get("edit") == "1"
    return render(
        "today/index.html",
        fragment="partials/checkin.html",
        editing=editing,
        welcome=request.args.get("welcome") == "1",
        **_state(g.person),
    )


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
    if errors:
        return render(
            "today/index.html",
            fragment="partials/checkin.html",
            status=422,
            editing=True,
            welcome=False,
            **_state(person, form=form, errors=errors),
        )
    key = (request.form.get("key") or "")[:64] or None
    today = today_for(person)
    before = person.streak_on(today).current
    record = CheckIn.record(person, today, form, key, clock.naive_now())
    if not wants_fragment():
        return back("today.index")
    state = _state(person, check_in=record)
    trigger = {"checked-in": {"streak": state["streak"].current}}
    if state["streak"].current > before:
        trigger["streak-grew"] = {"streak": state["streak"].current}
    return render(
        "today/index.html",
        fragment="partials/checkin.html",
        editing=False,
        welcome=False,
        trigger=trigger,
        **state,
    )
