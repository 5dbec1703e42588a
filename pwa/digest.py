"""The weekly digest email: planned into the push queue's message rows, sent as mail, unsubscribed by a signed link."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from game.days import WorkWeek, parse_past_workdays, parse_workdays
from game.digest import digest_due, digest_expiry
from game.streaks import streak
from models import (
    CheckIn,
    Commitment,
    Message,
    Person,
    PushPreference,
    PushSubscription,
    Recognition,
    Story,
)
from push import outbox
from pwa import clock
from pwa.web import render, short_date

bp = Blueprint("digest", __name__)
log = logging.getLogger(__name__)
KIND = "digest"
PURPOSE = "unsubscribe-digest"


def _naive(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(tzinfo=None)


def wants(choice: bool | None, has_device: bool) -> bool:
    """Whether a person gets the digest: their choice, else on only when push cannot reach them."""
    return (not has_device) if choice is None else choice


def plan(instant: datetime) -> int:
    """Write a mail row for every digest due at instant (aware), one per person and week at most."""
    naive = _naive(instant)
    rows = []
    for person_id, tz, week, at, preference, device in PushPreference.schedules(with_email=True):
        if not wants(preference.weekly_email, device):
            continue
        monday = digest_due(instant, tz, at, week)
        if monday is None:
            continue
        rows.append(
            {
                "person": person_id,
                "channel": "mail",
                "kind": KIND,
                "day": monday,
                "payload": json.dumps({"week": monday.isoformat()}),
                "state": "due",
                "due_at": naive,
                "expires_at": _naive(digest_expiry(monday, tz)),
                "created_at": naive,
            }
        )
    if not rows:
        return 0
    made = Message.existing_daily([KIND], {row["day"] for row in rows})
    rows = [r for r in rows if (r["person"], KIND, r["day"]) not in made]
    # The unique (person, kind, day) leaves out a row another pass wrote meanwhile.
    Message.add_many(rows)
    return len(rows)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=PURPOSE)


def unsubscribe_token(person_id: int) -> str:
    """A signed token that turns this person's weekly email off (no sign-in needed)."""
    return _serializer().dumps({"p": person_id, "for": PURPOSE})


def person_of(token: str) -> Person | None:
    """The person a genuine unsubscribe token names, or None for a forged or foreign one."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(data, dict)
        or data.get("for") != PURPOSE
        or not isinstance(data.get("p"), int)
    ):
        return None
    return Person.get_or_none(Person.id == data["p"])


def _link(path: str) -> str:
    base = current_app.config.get("PUBLIC_URL") or "http://localhost"
    return base.rstrip("/") + path


def week_of(person: Person, monday: date, today: date) -> dict:
    """What the digest tells: days checked in, streak, commitment, story of the week, recognitions."""
    workdays = WorkWeek(parse_workdays(person.workdays), parse_past_workdays(person.past_workdays))
    days = CheckIn.days_of(person)
    this_week = [d for d in days if monday <= d <= monday + timedelta(days=6)]
    recognitions = []
    story = None
    if person.team_id:
        story = Story.of_the_week(person.team_id, monday)
        recognitions = Recognition.of_team_week(person.team_id, monday)
    mine = [r for r in recognitions if r.receiver_id == person.id]
    return {
        "checked_in": len(this_week),
        "streak": streak(days, workdays, today).current,
        "commitment": Commitment.of_week(person, monday),
        "story": story,
        "recognitions": (mine + [r for r in recognitions if r.receiver_id != person.id])[:3],
        "monday": monday,
        "week_label": short_date(monday),
    }


def compose(person: Person, monday: date, today: date):
    """The digest for person's week: plain text and HTML, with List-Unsubscribe (RFC 8058)."""
    from pwa import mail

    unsubscribe = _link(f"/mail/unsubscribe/{unsubscribe_token(person.id)}")
    with current_app.test_request_context(base_url=_link("/")):
        msg = mail.message(
            person.email,
            "Your week with One True Customer",
            "digest",
            person=person,
            unsubscribe=unsubscribe,
            home=_link("/"),
            settings=_link("/me/notifications"),
            **week_of(person, monday, today),
        )
    msg.extra_headers["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return msg


@outbox.sender("mail")
def deliver(rows: list[Message], now: datetime) -> dict[int, outbox.Outcome]:
    """Send the claimed digest rows as email, one at a time; a refused or unreachable server retries."""
    from pwa import mail

    outcomes: dict[int, outbox.Outcome] = {}
    people = {p.id: p for p in Person.select().where(Person.id.in_([r.person_id for r in rows]))}
    choices = dict(
        PushPreference.select(PushPreference.person, PushPreference.weekly_email)
        .where(PushPreference.person.in_(list(people)))
        .tuples()
    )
    devices = PushSubscription.of_people(people)
    for row in rows:
        person = people.get(row.person_id)
        if row.kind != KIND or person is None or not person.active:
            outcomes[row.id] = outbox.Outcome("dropped", error="nobody to send it to")
            continue
        if not wants(choices.get(person.id), bool(devices.get(person.id))):
            outcomes[row.id] = outbox.Outcome("skipped", error="turned off since")
            continue
        today = now.replace(tzinfo=UTC).astimezone(ZoneInfo(person.tz)).date()
        try:
            mail.send(compose(person, row.day, today))
        except mail.MailError as error:
            outcomes[row.id] = outbox.Outcome("retry", error=str(error))
            continue
        except Exception as error:
            log.exception("digest for person %s not sent", person.id)
            outcomes[row.id] = outbox.Outcome("retry", error=f"{type(error).__name__}: {error}")
            continue
        outcomes[row.id] = outbox.Outcome("sent")
    return outcomes


@bp.route("/mail/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """Ask to confirm turning the weekly email off (works signed out: the link carries who)."""
    person = person_of(token)
    if person is None:
        abort(404)
    return render("digest/unsubscribe.html", token=token, done=False)


@bp.route("/mail/unsubscribe/<token>", methods=["POST"])
def unsubscribe(token: str):
    """Turn the weekly email off: the form's button, or a mail client's one-click POST (RFC 8058)."""
    person = person_of(token)
    if person is None:
        abort(404)
    PushPreference.choose_weekly_email(person, False, clock.naive_now())
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render("digest/unsubscribe.html", token=token, done=True)
