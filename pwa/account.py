"""Signing in and out, accepting an invite, resetting a password, and the Me page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

import models
from game.days import format_past_workdays, format_workdays
from models import Invite, LoginAttempt, PasswordReset, Person, SignIn, db
from pwa import clock
from pwa.web import TIMEZONES, back, clean_text, render, sign_in_required, today_for, workdays_of

bp = Blueprint("account", __name__)

MAX_FAILURES = 10
PASSWORD_MIN = 10


@bp.before_app_request
def load_person() -> None:
    """Find who holds this request's sign-in cookie."""
    g.person = None
    token = session.get("sign_in")
    if not token:
        return
    found = Person.signed_in(token, clock.naive_now())
    if found is None:
        session.pop("sign_in", None)
        return
    g.person, g.sign_in = found
    if g.sign_in.extend(clock.naive_now()):
        session.modified = True  # the cookie's expiry slides with the server-side one


def _start_session(person: Person) -> None:
    # A fresh cookie at every sign-in: nothing an attacker planted survives it.
    session.clear()
    session.permanent = True
    session["sign_in"] = SignIn.start(
        person, clock.naive_now(), request.headers.get("User-Agent", "")
    )


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        return target
    return url_for("today.index")


@bp.route("/signin", methods=["GET", "POST"])
def sign_in():
    """Show the sign-in form, and sign in with email and password."""
    if request.method == "GET":
        if g.person is not None:
            return redirect(url_for("today.index"))
        return render("account/sign_in.html", email="", error=None, next=request.args.get("next"))
    email = clean_text(request.form.get("email")).lower()
    password = request.form.get("password") or ""
    ip = request.remote_addr or ""
    now = clock.naive_now()
    next_url = request.form.get("next")
    if LoginAttempt.recent_failures(email, ip, now) >= MAX_FAILURES:
        error = "Too many tries. Wait a quarter of an hour, or ask your lead for a reset link."
        return render("account/sign_in.html", status=429, email=email, error=error, next=next_url)
    person = Person.by_email(email) if email else None
    if (
        person is None
        or not person.active
        or not person.password_hash
        or not check_password_hash(person.password_hash, password)
    ):
        LoginAttempt.create(email=email[:254], ip=ip[:64], at=now)
        error = "That email and password don't match. Check both and try again."
        return render("account/sign_in.html", status=422, email=email, error=error, next=next_url)
    _start_session(person)
    return redirect(_safe_next(next_url), code=303)


@bp.route("/signout", methods=["POST"])
def sign_out():
    """End this sign-in on the server, so the old cookie is worthless."""
    if g.person is not None:
        SignIn.delete().where(SignIn.id == g.sign_in.id).execute()
    session.clear()
    return redirect(url_for("account.sign_in"), code=303)


def _password_errors(password: str, again: str) -> dict:
    errors = {}
    if len(password) < PASSWORD_MIN:
        errors["password"] = f"Use at least {PASSWORD_MIN} characters."
    elif len(password) > 200:
        errors["password"] = "Use at most 200 characters."
    elif password != again:
        errors["again"] = "The two passwords differ."
    return errors


def _zone_error(tz: str) -> str | None:
    return None if tz in TIMEZONES else "Pick a time zone from the list."


def _profile_errors(form: dict) -> dict:
    """Messages for a missing or long name and an unknown time zone."""
    errors = {}
    if not form["name"]:
        errors["name"] = "Tell us your name, as colleagues know you."
    elif len(form["name"]) > 80:
        errors["name"] = "Keep your name to 80 characters at most."
    if error := _zone_error(form["tz"]):
        errors["tz"] = error
    return errors


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    """Let an invited person set their name, password and time zone, then land on Today."""
    now = clock.naive_now()
    invite = Invite.usable(token, now)
    if invite is None:
        return render("account/invite_gone.html", status=404, used=Invite.was_used(token))
    if request.method == "GET":
        form = {"name": invite.name, "tz": "UTC"}
        return render("account/invite.html", invite=invite, form=form, errors={})
    form = {"name": clean_text(request.form.get("name")), "tz": request.form.get("tz", "")}
    password = request.form.get("password") or ""
    errors = {
        **_password_errors(password, request.form.get("again") or ""),
        **_profile_errors(form),
    }
    if Person.by_email(invite.email) is not None:
        errors["name"] = "This email already has an account. Sign in instead."
    if errors:
        return render("account/invite.html", status=422, invite=invite, form=form, errors=errors)
    with db.atomic():
        person = Person.create(
            email=invite.email,
            name=form["name"],
            password_hash=generate_password_hash(password),
            role=invite.role,
            team=invite.team,
            tz=form["tz"],
            created_at=now,
        )
        Invite.update(used_at=now).where(Invite.id == invite.id).execute()
    _start_session(person)
    return redirect(url_for("today.index", welcome=1), code=303)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password through a link a lead or admin made."""
    now = clock.naive_now()
    reset = PasswordReset.usable(token, now)
    if reset is None:
        return render(
            "account/invite_gone.html", status=404, reset=True, used=PasswordReset.was_used(token)
        )
    if request.method == "GET":
        return render("account/reset.html", person=reset.person, errors={})
    password = request.form.get("password") or ""
    errors = _password_errors(password, request.form.get("again") or "")
    if errors:
        return render("account/reset.html", status=422, person=reset.person, errors=errors)
    with db.atomic():
        Person.update(password_hash=generate_password_hash(password)).where(
            Person.id == reset.person_id
        ).execute()
        PasswordReset.update(used_at=now).where(PasswordReset.id == reset.id).execute()
        # A new password ends every old sign-in.
        SignIn.delete().where(SignIn.person == reset.person_id).execute()
    _start_session(reset.person)
    return redirect(url_for("today.index"), code=303)


@bp.route("/me", methods=["GET", "POST"])
@sign_in_required
def me():
    """Show and change my name, time zone and work days."""
    person = g.person
    if request.method == "GET":
        form = {"name": person.name, "tz": person.tz, "workdays": person.workdays.split(",")}
        return render("account/me.html", form=form, errors={})
    workdays = request.form.getlist("workdays")
    form = {
        "name": clean_text(request.form.get("name")),
        "tz": request.form.get("tz", ""),
        "workdays": workdays,
    }
    errors = _profile_errors(form)
    days = {int(d) for d in workdays if d in {"0", "1", "2", "3", "4", "5", "6"}}
    if not days or len(days) != len(workdays):
        errors["workdays"] = "Pick at least one work day."
    if errors:
        return render("account/me.html", status=422, form=form, errors=errors)
    # New work days apply from today; earlier days keep theirs, so no streak is rewritten.
    week = workdays_of(person).changed(today_for(person), frozenset(days))
    with db.atomic():
        Person.update(
            name=form["name"],
            tz=form["tz"],
            workdays=format_workdays(week.current),
            past_workdays=format_past_workdays(week.past),
        ).where(Person.id == person.id).execute()
        if week != workdays_of(person) or form["tz"] != person.tz:
            models.PersonSummary.rebuild(person, week)
    return back("account.me", saved=1)


@bp.route("/me/timezone", methods=["POST"])
@sign_in_required
def set_timezone():
    """Switch to the time zone the phone reports (offered on Today after travel)."""
    tz = request.form.get("tz", "")
    if _zone_error(tz):
        return render("errors/error.html", status=422, code=422, message="Unknown time zone.")
    with db.atomic():
        models.Person.update(tz=tz).where(models.Person.id == g.person.id).execute()
        models.PersonSummary.rebuild(g.person)
    return back("today.index")
