"""The lead's team page: participation (never notes), team challenge, invites and reset links."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, g, request, session

from game import indicators
from game.challenge import ends_on
from game.days import week_start
from models import (
    INVITE_DAYS,
    NAME_MAX,
    Announcement,
    Challenge,
    Invite,
    PasswordReset,
    Person,
    Team,
    board_participation,
    db,
    digest,
    team_participation,
)
from pwa import clock, mail
from pwa.account import deliver_reset, task_connection
from pwa.web import (
    back,
    check_length,
    clean_text,
    external_url,
    normal_email,
    parse_id,
    render,
    role_required,
    today_for,
)

bp = Blueprint("team", __name__)
log = logging.getLogger(__name__)


def read_invite() -> tuple[dict, dict]:
    """The invite form's email and name as typed, and a message for each that won't do."""
    email, error = normal_email(request.form.get("email"))
    form = {"email": email, "name": clean_text(request.form.get("name"))}
    errors = {}
    if error:
        errors["email"] = error
    elif Person.by_email(form["email"]) is not None:
        errors["email"] = "Someone with this email already has an account."
    check_length(errors, "name", form["name"], "The name", NAME_MAX)
    return form, errors


def invite_once(form: dict, team, role: str) -> None:
    """Issue the invite and queue its email; the next page says it is on its way."""
    token = Invite.issue(form["email"], team, role, g.person, clock.naive_now(), name=form["name"])
    send_invite(Invite.get(Invite.token_digest == digest(token)), token)


def send_invite(invite: Invite, token: str) -> None:
    """Queue the invite's email for a worker (no mail is sent in a request) and say so on the next page."""
    who = invite.name or invite.email
    if mail.configured():
        # The worker gives the invite a token of its own: this one, never sent, stops working.
        deliver_invite(invite.id, request.url_root, g.person.id)
        flash(
            f"The invite to {invite.email} is on its way. It works once, for {INVITE_DAYS} days.",
            "success",
        )
    else:
        # No mail server: the maker hands the invite on, as before mail existed; the worker
        # writes the same link to the console and the outbox.
        show_link_once("invite", who, external_url("account.accept_invite", token=token))
        deliver_invite(invite.id, request.url_root, g.person.id, token)


@mail.retried
def deliver_invite(
    invite_id: int, url_root: str, by_id: int, token: str | None = None, task=None
) -> None:
    """On a worker: email the invite, tried again while the server can't take it; once sent, never again.

    Without token each try gives the invite a new one first (no live token waits in the queue);
    an invite given up on is marked so, and shows as not sent, with why, on the team and admin pages.
    """
    with task_connection():
        invite = Invite.get_or_none(
            (Invite.id == invite_id) & Invite.used_at.is_null() & Invite.sent_at.is_null()
        )
        if invite is None:
            return  # used, deleted, or already sent by an earlier task
        by = Person.get_or_none(Person.id == by_id)
        by_name = by.name if by else "A colleague"
        token = token or Invite.fresh_token(invite.id)
        _ = invite.team  # read now: the message is drawn after this connection closes
    # A request context of its own (its teardown closes the task's connection, so outside it).
    with current_app.test_request_context(base_url=url_root):
        msg = mail.message(
            invite.email,
            f"{by_name} invites you to One True Customer",
            "invite",
            invite=invite,
            url=external_url("account.accept_invite", token=token),
            expires=mail.expiry(invite.expires_at, by.tz if by else "UTC"),
            by_name=by_name,
        )
    failure = mail.send_once(msg, "invite", task)
    if failure is not None:
        with task_connection():
            Invite.given_up(invite_id, str(failure), clock.naive_now())
        return
    try:
        with task_connection():
            Invite.update(sent_at=clock.naive_now()).where(Invite.id == invite_id).execute()
    except Exception:  # the mail went: raising would have the queue send it again
        log.exception("invite %s sent but not marked sent", invite_id)


def show_link_once(kind: str, who: str, url: str) -> None:
    """Keep a just-made link for the page after the redirect (a reload won't show it again).

    It waits on the server-side sign-in, never in the cookie (signed, not encrypted).
    """
    # The outbox is the server's business: its path goes to the log, never on the lead's page.
    log.info("no mail server: the %s email for %s went to the outbox %s", kind, who, mail.outbox())
    g.sign_in.keep_link({"kind": kind, "who": who, "url": url})


def resets_not_sent() -> list[PasswordReset]:
    """The reset links I made whose email was given up on, for people I may still reset."""
    found = PasswordReset.not_sent_by(g.person, clock.naive_now())
    return [reset for reset in found if g.person.may_reset(reset.person)]


def resets_allowed(maker: Person) -> bool:
    """Whether maker may reset passwords at all here: by email, or without mail an admin only."""
    if not current_app.config["PASSWORD_SIGN_IN"]:
        return False
    return mail.configured() or maker.is_admin


def _team_for(person, asked: str | None) -> Team:
    """The team person may look at (a lead their own, an admin any): the one asked, or a default."""
    team_id = parse_id(asked)
    if asked and team_id is None:
        abort(404)  # "²", "-1" or a number no database holds names no team
    if team_id:
        return _team_acted_on(person, team_id)
    team = person.team
    if team is None and person.is_admin:
        team = Team.select().order_by(Team.name).first()
    if team is None:
        abort(404)
    return team


def _team_acted_on(person, team_id: int) -> Team:
    """The team a form acts on: it must exist (404), and be the lead's own (403)."""
    if not person.is_admin and team_id != person.team_id:
        abort(403)
    team = Team.get_or_none(Team.id == team_id)
    if team is None:
        abort(404)
    return team


def _page(team, status=200, invite_form=None, errors=None):
    today = today_for(g.person)
    # This week so far, as the dashboard and the board count it: the team's figure is theirs
    # (game.indicators.participation, "fewer than 3" and all), and of each member only whether
    # they took part, never how many days or which (presence, not volume: no leaderboard).
    since = week_start(today)
    counts = team_participation(team, since, today)
    members = list(team.members())
    # Only a lead of this team or an admin writes its weekly announcement.
    may_announce = g.person.leads_team(team)
    challenges = {
        c.person_id: c
        for c in Challenge.select().where(Challenge.person.in_(members)).order_by(Challenge.id)
    }
    now = clock.naive_now()
    not_sent = list(Invite.not_sent(team, now, mail.RETRY_WINDOW))
    return render(
        "team/index.html",
        status=status,
        team=team,
        may_announce=may_announce,
        announcement=Announcement.of_week(team, week_start(today)) if may_announce else None,
        teams=Team.in_name_order() if g.person.is_admin else [],
        members=members,
        counts=counts,
        challenges=challenges,
        since=since,
        today=today,
        checked_in=sum(1 for m in members if counts.get(m.id)),
        participation=indicators.participation(*board_participation(team.id, today)),
        participation_how=indicators.PARTICIPATION_HOW,
        invite_form=invite_form or {"email": "", "name": ""},
        errors=errors or {},
        link=g.sign_in.take_link(),
        notice=session.pop("team_notice", None),
        running=sum(1 for c in challenges.values() if c.start != today and _running(c, today)),
        not_sent=not_sent,
        waiting=[i for i in Invite.waiting(team, now) if i.id not in {n.id for n in not_sent}],
        resets_not_sent=resets_not_sent(),
        resets=resets_allowed(g.person),
        mail_configured=mail.configured(),
        # Members a tap on Start would start (the others are part-way through or began today).
        startable=sum(
            1
            for m in members
            if m.id not in challenges
            or not (challenges[m.id].start == today or _running(challenges[m.id], today))
        ),
    )


@bp.route("/team")
@role_required("lead", "admin")
def index():
    """Show my team's participation this week."""
    return _page(_team_for(g.person, request.args.get("team")))


@bp.route("/team/<id:team_id>/challenge", methods=["POST"])
@role_required("lead", "admin")
def start_challenge(team_id: int):
    """Start the 30-day challenge today for the team; those part-way through keep theirs unless asked."""
    team = _team_acted_on(g.person, team_id)
    restart_running = request.form.get("restart_running") == "1"
    started = 0
    # One transaction: on SQLite it holds the write lock throughout, so a second press waits
    # and then finds everyone started (on PostgreSQL, Challenge.begin's upsert keeps one a day).
    with db.atomic():
        for member in list(team.members()):
            current = Challenge.current_for(member)
            start = today_for(member)
            if current is not None and (
                current.start == start or (_running(current, start) and not restart_running)
            ):
                continue
            Challenge.begin(member, start, by=g.person)
            started += 1
    if started:
        session["team_notice"] = (
            f"The 30-day challenge starts today for {started} of {team.name}'s members."
        )
    else:
        flash(_nobody_started(team, restart_running), "info")
    return back("team.index", team=team.id)


def _nobody_started(team, restarting: bool) -> str:
    """Why starting the team challenge changed nothing."""
    if not team.members():
        return f"Nobody is on {team.name} yet, so no challenge started. Invite someone below."
    if restarting:
        return f"Everyone in {team.name} already started a challenge today: nothing changed."
    return (
        f"Everyone in {team.name} is already in a challenge, so nobody new started."
        " To start them again at day 1, tick “Also restart it” and tap Start."
    )


def _running(challenge, today) -> bool:
    """Whether the challenge is part-way through and not yet completed."""
    return challenge.completed_at is None and today <= ends_on(challenge.start)


@bp.route("/team/<id:team_id>/invite", methods=["POST"])
@role_required("lead", "admin")
def invite(team_id: int):
    """Make an invite link for a new member of the team."""
    team = _team_acted_on(g.person, team_id)
    form, errors = read_invite()
    if errors:
        return _page(team, status=422, invite_form=form, errors=errors)
    invite_once(form, team, "employee")
    return back("team.index", team=team.id)


@bp.route("/invites/<id:invite_id>/resend", methods=["POST"])
@role_required("lead", "admin")
def resend_invite(invite_id: int):
    """Send again an invite the mail server refused (with a new link; the old one stops)."""
    now = clock.naive_now()
    invite = Invite.get_or_none((Invite.id == invite_id) & Invite.used_at.is_null())
    if invite is None:
        abort(404)
    if not g.person.is_admin and (invite.team_id is None or invite.team_id != g.person.team_id):
        abort(403)
    token = invite.renew(now)
    send_invite(Invite.get_by_id(invite.id), token)
    if request.form.get("from") == "admin" and g.person.is_admin:
        return back("admin.index")
    return back("team.index", team=invite.team_id)


@bp.route("/invites/<id:invite_id>/cancel", methods=["POST"])
@role_required("lead", "admin")
def cancel_invite(invite_id: int):
    """Cancel an invite nobody has accepted: its link stops working at once."""
    invite = Invite.get_or_none((Invite.id == invite_id) & Invite.used_at.is_null())
    if invite is None:
        abort(404)
    if not g.person.is_admin and (invite.team_id is None or invite.team_id != g.person.team_id):
        abort(403)
    Invite.update(expires_at=clock.naive_now()).where(Invite.id == invite.id).execute()
    flash(f"The invite to {invite.email} is cancelled: its link no longer works.", "success")
    return back("team.index", team=invite.team_id)


@bp.route("/people/<id:person_id>/reset", methods=["POST"])
@role_required("lead", "admin")
def reset_link(person_id: int):
    """Send an employee of my team (an admin: anyone active) a reset link; without mail only an admin makes one."""
    person = Person.get_or_none(Person.id == person_id)
    if person is None:
        abort(404)
    if not g.person.may_reset(person) or not resets_allowed(g.person):
        abort(403)
    PasswordReset.forget_not_sent(person)
    token = PasswordReset.issue(person, g.person, clock.naive_now())
    reset = PasswordReset.get(PasswordReset.token_digest == digest(token))
    if mail.configured():
        # The worker sends it, with a token of its own: the maker never sees the link.
        deliver_reset(reset.id, request.url_root)
        flash(
            f"A reset link is on its way to {person.name} at {person.email}. Only they can use "
            "it; they'll be told you sent it.",
            "success",
        )
    else:
        show_link_once("reset", person.name, external_url("account.reset_password", token=token))
        deliver_reset(reset.id, request.url_root, token)
    if g.person.is_admin and (request.form.get("from") == "admin" or person.team_id is None):
        return back("admin.index")
    return back("team.index", team=person.team_id)
