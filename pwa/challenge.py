"""The 30-day challenge and the weekly commitment."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, request

from game import moments
from game.challenge import challenge_view, ends_on
from game.days import week_start
from game.weeks import last_workday, review_due
from models import Challenge, CheckIn, Commitment
from pwa import clock, events
from pwa.web import (
    NOTE_MAX,
    WEEKDAY_NAMES,
    back,
    check_length,
    clean_text,
    render,
    sign_in_required,
    today_for,
    workdays_of,
)

bp = Blueprint("challenge", __name__)


def _view(person, challenge):
    if challenge is None:
        return None
    today = today_for(person)
    if today < challenge.start:
        return None
    days = CheckIn.days_between(person, challenge.start, ends_on(challenge.start))
    return challenge_view(challenge.start, days, workdays_of(person), today)


def _page(status=200, form=None, errors=None):
    person = g.person
    challenge = Challenge.current_for(person)
    return render(
        "challenge/index.html",
        status=status,
        challenge=challenge,
        view=_view(person, challenge),
        today=today_for(person),
        completed=Challenge.completed_count(person),
        form=form or {"reflection": challenge.reflection if challenge else ""},
        errors=errors or {},
    )


@bp.route("/challenge")
@sign_in_required
def index():
    """Show day N of 30 and the calendar, or the invitation to start."""
    return _page()


@bp.route("/challenge/start", methods=["POST"])
@sign_in_required
def start():
    """Start (or restart) my 30-day challenge today."""
    person = g.person
    current = Challenge.current_for(person)
    today = today_for(person)
    if current is not None and current.start == today:
        return back("challenge.index")
    Challenge.begin(person, today)
    return back("challenge.index")


@bp.route("/challenge/reflection", methods=["POST"])
@sign_in_required
def reflect():
    """Save the closing reflection, which completes the challenge."""
    person = g.person
    challenge = Challenge.current_for(person)
    view = _view(person, challenge)
    if challenge is None or view is None or not view.finished:
        abort(409)
    text = clean_text(request.form.get("reflection"))
    errors = {}
    check_length(errors, "reflection", text, "Your reflection", NOTE_MAX, required=True)
    if errors:
        return _page(status=422, form={"reflection": text}, errors=errors)
    Challenge.update(
        reflection=text, completed_at=challenge.completed_at or clock.naive_now()
    ).where(Challenge.id == challenge.id).execute()
    if challenge.completed_at is None:
        events.celebrate(moments.for_challenge(view.done))
    events.content_changed(person)
    return back("challenge.index")


def commitment_to_review(current, earlier, workdays, today):
    """The commitment to ask "did you keep it?" about: this week's once due, else an earlier one."""
    week = week_start(today)
    if current is not None and current.kept is None and review_due(week, workdays, today):
        return current
    return earlier


def _commitment_page(status=200, form=None, errors=None):
    person = g.person
    today = today_for(person)
    week = week_start(today)
    facts = person.today_facts(week)
    current = facts["commitment"]
    review = commitment_to_review(current, facts["earlier"], workdays_of(person), today)
    if form is None:
        form = {
            "behaviour": current.behaviour if current else "",
            "situation": current.situation if current else "",
        }
    kept = Commitment.kept_count(person)
    return render(
        "challenge/commitment.html",
        status=status,
        week=week,
        current=current,
        review=review,
        form=form,
        errors=errors or {},
        kept=kept,
        editing=request.args.get("edit") == "1" or errors,
    )


@bp.route("/commitment")
@sign_in_required
def commitment():
    """Show this week's commitment, its form, and any "did you keep it?" that is due."""
    return _commitment_page()


@bp.route("/commitment", methods=["POST"])
@sign_in_required
def commit():
    """Write (or rewrite) this week's commitment."""
    person = g.person
    form = {
        "behaviour": clean_text(request.form.get("behaviour")),
        "situation": clean_text(request.form.get("situation")),
    }
    errors = {}
    check_length(errors, "behaviour", form["behaviour"], "The behaviour", 500, required=True)
    check_length(errors, "situation", form["situation"], "The situation", 500, required=True)
    if errors:
        return _commitment_page(status=422, form=form, errors=errors)
    flash(_committed(person), "success")
    week = week_start(today_for(person))
    Commitment.write(person, week, form["behaviour"], form["situation"], clock.naive_now())
    return back("challenge.commitment")


def _committed(person) -> str:
    """The acknowledgement of this week's commitment, saying when we'll ask about it."""
    today = today_for(person)
    ask_on = last_workday(today, workdays_of(person))
    when = "today" if ask_on <= today else f"on {WEEKDAY_NAMES[ask_on.weekday()]}"
    return f"Committed. We'll ask {when} whether you kept it."


@bp.route("/commitment/<id:commitment_id>/review", methods=["POST"])
@sign_in_required
def review(commitment_id: int):
    """Answer "did you keep it?" for one of my commitments."""
    item = Commitment.get_or_none(Commitment.id == commitment_id)
    if item is None:
        abort(404)
    if item.person_id != g.person.id:
        abort(403)
    answer = request.form.get("kept")
    if answer not in ("yes", "no"):
        return _commitment_page(status=422, errors={"kept": "Answer yes or no."})
    Commitment.update(kept=answer == "yes", reviewed_at=clock.naive_now()).where(
        Commitment.id == item.id
    ).execute()
    events.content_changed(g.person)
    flash(_reviewed(answer == "yes", Commitment.kept_count(g.person)), "success")
    return back("challenge.commitment")


def _reviewed(kept: bool, count: int) -> str:
    """The acknowledgement of a "did you keep it?" answer."""
    if kept:
        return f"Kept ✓ That's {count} commitment{'' if count == 1 else 's'} kept. Well done."
    return "Thanks for the honest answer. Next week is a new one: pick one you can keep."
