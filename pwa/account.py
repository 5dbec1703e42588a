"""Signing in and out, accepting an invite, resetting a password, and the Me page."""

from __future__ import annotations

import contextlib
import functools
import math
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

import models
from game.days import format_past_workdays, format_workdays, local_date, local_today
from models import (
    NAME_MAX,
    Challenge,
    IntegrityError,
    Invite,
    PasswordReset,
    Person,
    PersonSummary,
    SignIn,
    SignInLimit,
    db,
    digest,
)
from push.queue import task
from pwa import clock, mail
from pwa.recent import Recent
from pwa.web import (
    TIMEZONES,
    back,
    check_length,
    clean_text,
    external_url,
    normal_email,
    render,
    short_date,
    sign_in_required,
    today_for,
    workdays_of,
)

bp = Blueprint("account", __name__)

# Tries for one email from one address before waiting starts (then 1 s, 2 s, 4 s... 15 min).
PAIR_FREE = 5
# Tries for emails nobody has, from one address: far more than typos, far fewer than a sweep.
ADDRESS_FREE = 100
PASSWORD_MIN = 10


# The zone (and zone-change day) each sign-in was last seen with on Today in this process, so
# that Today's facts are read with the sign-in itself, for the day it is there. Only a guess:
# Today asks for the day it works out from the person's row, and reads again if that differs.
_ZONES_SEEN = Recent(4096)


@bp.before_app_request
def load_person() -> None:
    """Find who holds this request's sign-in cookie."""
    g.person = None
    token = session.get("sign_in")
    if not token:
        return
    now = clock.now()
    day = seen = None
    today = request.endpoint == "today.index"
    if today and (seen := _ZONES_SEEN.get(token)) is not None:
        day = local_today(now, *seen)
    now = now.replace(tzinfo=None)  # as timestamps are stored
    found = Person.signed_in(token, now, day)
    if found is None:
        session.pop("sign_in", None)
        return
    g.person, g.sign_in = person, sign_in = found
    if today and seen != (zone := (person.tz, person.tz_changed_on)):
        _ZONES_SEEN.put(token, zone)
    if sign_in.extend(now):
        session.modified = True  # the cookie's expiry slides with the server-side one


def _start_session(person: Person, tell: bool = True) -> None:
    # A fresh cookie at every sign-in: nothing an attacker planted survives it.
    session.clear()
    session.permanent = True
    agent = clean_text(request.headers.get("User-Agent"))
    session["sign_in"] = SignIn.start(person, clock.naive_now(), agent)
    if tell:
        tell_of_reset(person)


def tell_of_reset(person: Person) -> None:
    """Say once, at sign-in, that someone else reset this person's password.

    Not at a sign-in through the reset link itself: whoever holds the link may not be the person.
    """
    reset = PasswordReset.untold_reset(person)
    if reset is None:
        return
    by = Person.get_or_none(Person.id == reset.created_by_id)
    day = local_date(reset.used_at.replace(tzinfo=UTC), person.tz)
    flash(
        f"{by.name if by else 'Someone'} reset your password on {short_date(day)}. "
        "If you didn't expect it, tell your admin.",
        "info",
    )
    reset.told(clock.naive_now())


def passwords_on() -> bool:
    """Whether people sign in with a password here (PASSWORD_SIGN_IN=0 leaves only the provider)."""
    return current_app.config["PASSWORD_SIGN_IN"]


def _sign_in_page(status=200, email="", error=None, next_url=None):
    return render(
        "account/sign_in.html",
        status=status,
        email=email,
        error=error,
        next=next_url,
        passwords=passwords_on(),
        signed_out=request.args.get("out") == "1",
    )


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        return target
    return url_for("today.index")


@functools.cache
def _dummy_hash() -> str:
    """A hash to check an unknown email's password against, so it takes as long as a real one."""
    return generate_password_hash("no account has this password")


@bp.get("/signin")
def sign_in():
    """Show the sign-in form."""
    if g.person is not None:
        return redirect(url_for("today.index"))
    return _sign_in_page(next_url=request.args.get("next"))


@bp.post("/signin")
def sign_in_post():
    """Sign in with email and password (tries are limited per email and address, not per address)."""
    if not passwords_on():
        return _sign_in_page(403, error="Passwords are off here: use the button above.")
    email, email_error = normal_email(request.form.get("email"))
    password = request.form.get("password") or ""
    ip = clean_text(request.remote_addr)[:64]
    now = clock.naive_now()
    next_url = request.form.get("next")
    if email_error:
        return _sign_in_page(422, email[:254], email_error, next_url)
    pair, address = f"pair\n{email}\n{ip}", f"address\n{ip}"

    def refused(until):
        seconds = max(1, math.ceil((until - now).total_seconds())) if until else 1
        if seconds < 120:
            wait = "a second" if seconds == 1 else f"{seconds} seconds"
        else:
            wait = f"{math.ceil(seconds / 60)} minutes"
        error = f"Too many tries. Wait {wait} and try again, or use “Forgot your password?”."
        return _sign_in_page(429, email, error, next_url)

    if SignInLimit.take(pair, now, PAIR_FREE) is None:
        return refused(SignInLimit.waiting_until(pair, now))
    person = Person.by_email(email) if email else None
    if person is None or not person.active or not person.password_hash:
        check_password_hash(_dummy_hash(), password)
        if SignInLimit.take(address, now, ADDRESS_FREE) is None:
            return refused(SignInLimit.waiting_until(address, now))
        person = None
    elif check_password_hash(person.password_hash, password):
        SignInLimit.forget(pair, now)
        _start_session(person)
        return redirect(_safe_next(next_url), code=303)
    # A wrong password from an address that is sweeping unknown emails reads the same as theirs.
    if person is not None and (until := SignInLimit.waiting_until(address, now)):
        return refused(until)
    error = "That email and password don't match. Check both and try again."
    return _sign_in_page(422, email, error, next_url)


@bp.route("/signout", methods=["POST"])
def sign_out():
    """End this sign-in on the server, so the old cookie is worthless."""
    if g.person is not None:
        SignIn.delete().where(SignIn.id == g.sign_in.id).execute()
    session.clear()
    return redirect(url_for("account.sign_in", out=1), code=303)


@bp.get("/forgot")
def forgot_password():
    """Ask for the address to send a reset link to."""
    if not passwords_on():
        abort(404)
    email = clean_text(request.args.get("email"))[:254]
    return render("account/forgot.html", email=email, error=None)


@bp.post("/forgot")
def forgot_password_post():
    """Send a reset link to the address typed, with the same answer whether or not it has an account."""
    if not passwords_on():
        abort(404)
    email, error = normal_email(request.form.get("email"))
    if error:
        return render("account/forgot.html", status=422, email=email[:254], error=error)
    # One task is queued for every address, and the look-up, the reset row, its token and the
    # email all happen on a worker: the answer is the same work whether or not the address has an
    # account, and a queued message outlives the app server that took the request.
    send_reset_if_known(email, request.url_root)
    # The outbox is the server's business: a visitor is told it exists, never where it is.
    no_mail = mail.outbox() is not None
    return render("account/forgot_sent.html", email=email, where=mail.where(), no_mail=no_mail)


RESETS_PER_HOUR = 3


@task()
def send_reset_if_known(email: str, url_root: str) -> None:
    """On a worker: make a reset link for the active person with this address, a few an hour at most.

    url_root is the asking request's (PUBLIC_URL, when set, wins as on any page). The email goes
    out in its own task (deliver_reset), which a mail server that refuses for now has tried again.
    It returns nothing, so the queue keeps no result saying whether the address has an account.
    """
    with task_connection():
        person = Person.by_email(email)
        now = clock.naive_now()
        if person is None or not person.active:
            return
        # The hour's three uses are slots in the database, so requests at once on any app server
        # (and tasks on any worker) keep to three.
        if not models.LimitSlot.take(person, "reset", now, RESETS_PER_HOUR, timedelta(hours=1)):
            return
        reset = PasswordReset.get(
            PasswordReset.token_digest == digest(PasswordReset.issue(person, None, now))
        )
    deliver_reset(reset.id, url_root)


def task_connection():
    """The database connection for a task: its own in the worker's threads; in a request (the
    tests' immediate mode) the request's, which stays open."""
    return db.connection_context() if db.is_closed() else contextlib.nullcontext()


@mail.retried
def deliver_reset(reset_id: int, url_root: str, token: str | None = None, task=None) -> None:
    """On a worker: email the reset link reset_id to its person, tried again while the server can't take it.

    Without token, each try gives the link a new token first, so no live token waits in the queue
    and a try that failed leaves none behind; with one (no mail server: the admin was shown that
    link) it is the link sent. A link given up on that the person asked for is deleted (nobody
    holds it); one a lead or admin made stays, marked, so their page says it was not sent.
    """
    with task_connection():
        reset = PasswordReset.get_or_none(
            (PasswordReset.id == reset_id) & PasswordReset.used_at.is_null()
        )
        if reset is None:
            return
        token = token or PasswordReset.fresh_token(reset.id)
        person, by = reset.person, reset.created_by
    # A request context of its own (its teardown closes the task's connection, so outside it).
    with current_app.test_request_context(base_url=url_root):
        url = external_url("account.reset_password", token=token)
        msg = reset_message(person, url, by)
    failure = mail.send_once(msg, "reset link", task)
    if failure is not None:
        with task_connection():
            if by is None:
                PasswordReset.delete().where(PasswordReset.id == reset_id).execute()
            else:
                PasswordReset.given_up(reset_id, str(failure), clock.naive_now())


def reset_message(person: Person, url: str, by: Person | None):
    """The email carrying the reset link url to person."""
    expires = clock.naive_now() + timedelta(hours=models.RESET_HOURS)
    subject = "Choose a new password for One True Customer"
    return mail.message(
        person.email,
        subject,
        "reset",
        person=person,
        url=url,
        expires=mail.expiry(expires, person.tz),
        by_name=by.name if by else None,
    )


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
    else:
        check_length(errors, "name", form["name"], "Your name", NAME_MAX)
    if error := _zone_error(form["tz"]):
        errors["tz"] = error
    return errors


def _usable_or_gone(link_class, token: str):
    """The unused link behind token, or the page saying it is gone."""
    link = link_class.usable(token, clock.naive_now())
    if link is None:
        used = link_class.was_used(token)
        abort(
            render(
                "account/invite_gone.html", status=404, used=used, reset=link_class is PasswordReset
            )
        )
    return link


def _link_and_password(link_class, token: str):
    """The unused link behind token (or the page saying it is gone), the new password typed, and
    what is wrong with that password."""
    link = _usable_or_gone(link_class, token)
    password = request.form.get("password") or ""
    return link, password, _password_errors(password, request.form.get("again") or "")


@bp.get("/invite/<token>")
def accept_invite(token: str):
    """Let an invited person set their name, password and time zone."""
    invite = _usable_or_gone(Invite, token)
    form = {"name": invite.name, "tz": "UTC"}
    return render(
        "account/invite.html", invite=invite, form=form, errors={}, passwords=passwords_on()
    )


@bp.post("/invite/<token>")
def accept_invite_post(token: str):
    """Create the invited person's account (once, however often it is sent), then land on Today."""
    if not passwords_on():
        abort(403)
    invite, password, errors = _link_and_password(Invite, token)
    now = clock.naive_now()
    form = {"name": clean_text(request.form.get("name")), "tz": request.form.get("tz", "")}
    errors = {
        **errors,
        **_profile_errors(form),
    }
    taken = "This email already has an account. Sign in instead."
    if Person.by_email(invite.email) is not None:
        errors["name"] = taken
    if errors:
        return render(
            "account/invite.html",
            status=422,
            invite=invite,
            form=form,
            errors=errors,
            passwords=True,
        )
    try:
        with db.atomic():
            if not Invite.claim(invite.id, now):
                # The same form sent again a moment ago made the account.
                return redirect(url_for("account.sign_in"), code=303)
            person = Person.create(
                email=invite.email,
                name=form["name"],
                password_hash=generate_password_hash(password),
                role=invite.role,
                team=invite.team,
                tz=form["tz"],
                created_at=now,
            )
            Challenge.join_team_challenge(person, today_for(person))
    except IntegrityError:
        # Another invite for this email was accepted at the same moment.
        errors["name"] = taken
        return render(
            "account/invite.html",
            status=422,
            invite=invite,
            form=form,
            errors=errors,
            passwords=True,
        )
    _start_session(person)
    return redirect(url_for("today.index", welcome=1), code=303)


@bp.get("/reset/<token>")
def reset_password(token: str):
    """Show the form for a new password, behind a link a lead or admin made."""
    if not passwords_on():
        abort(404)
    reset = _usable_or_gone(PasswordReset, token)
    return render("account/reset.html", person=reset.person, errors={})


@bp.post("/reset/<token>")
def reset_password_post(token: str):
    """Set the new password: the link works once, even when sent several times at once."""
    if not passwords_on():
        abort(404)
    reset, password, errors = _link_and_password(PasswordReset, token)
    now = clock.naive_now()
    if errors:
        return render("account/reset.html", status=422, person=reset.person, errors=errors)
    with db.atomic():
        if not PasswordReset.claim(reset.id, now):
            return render("account/invite_gone.html", status=404, reset=True, used=True)
        Person.update(password_hash=generate_password_hash(password)).where(
            Person.id == reset.person_id
        ).execute()
        # A new password ends every old sign-in.
        SignIn.delete().where(SignIn.person == reset.person_id).execute()
    _start_session(reset.person, tell=False)
    return redirect(url_for("today.index"), code=303)


@bp.get("/me")
@sign_in_required
def me():
    """Show my name, time zone and work days."""
    person = g.person
    form = {"name": person.name, "tz": person.tz, "workdays": person.workdays.split(",")}
    return render("account/me.html", form=form, errors={})


@bp.post("/me")
@sign_in_required
def me_post():
    """Change my name, time zone and work days."""
    person = g.person
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
    today = today_for(person)
    # New work days apply from today; earlier days keep theirs, so no streak is rewritten.
    week = workdays_of(person).changed(today, frozenset(days))
    rebuild = week != workdays_of(person) or form["tz"] != person.tz
    with db.atomic():
        Person.update(
            name=form["name"],
            workdays=format_workdays(week.current),
            past_workdays=format_past_workdays(week.past),
        ).where(Person.id == person.id).execute()
        person.change_zone(form["tz"], today)
        if rebuild:  # the summary was built from the old work days and zone
            PersonSummary.rebuild(person, week)
    return back("account.me", saved=1)


@bp.post("/me/timezone")
@sign_in_required
def set_timezone():
    """Switch to the time zone the phone reports (offered on Today after travel)."""
    tz = request.form.get("tz", "")
    if _zone_error(tz):
        return render("errors/error.html", status=422, code=422, message="Unknown time zone.")
    with db.atomic():
        g.person.change_zone(tz, today_for(g.person))
        PersonSummary.rebuild(g.person)
    return back("today.index")
