"""What happens to people, recorded in one place: what is new for them, the badges they earn, the moments.

`recognised`, `announced` and `badge_earned` are the call sites push notifications hook into: each
runs once per thing that happened (a repeat finds the notice already there and tells no one again).
"""

from __future__ import annotations

import json

from flask import Flask, g, has_request_context, session, url_for

import push.events
from game import moments
from game.badges import BY_ID, BadgeRule, facts_of, to_award
from models import Announcement, Badge, Notice, Person, Recognition, badge_counts
from pwa import clock
from pwa.web import today_for


def facts_for(person: Person):
    """A person's facts snapshot: three statements, the streak from their summary row."""
    counts = badge_counts(person)
    return facts_of(
        check_ins=counts["check_ins"],
        # The summary read with the sign-in (or read now), never a walk through every check-in.
        longest_streak=person.streak_on(today_for(person)).longest,
        given=Recognition.given_pairs(person),
        received=Recognition.received_from(person),
        challenges_completed=counts["challenges_completed"],
        stories_told=counts["stories_told"],
        stories_featured=counts["stories_featured"],
        pledged=counts["pledged"],
        commitments_kept=counts["kept"],
    )


def award_badges(person: Person, facts=None) -> list[BadgeRule]:
    """Give person every badge their facts now earn; return those this call gave (each once, ever)."""
    held = Badge.of(person)
    given = []
    for badge in to_award(facts or facts_for(person), held):
        if Badge.award(person, badge.id, clock.naive_now()):
            badge_earned(person, badge)
            given.append(badge)
    return given


def badge_earned(person: Person, badge: BadgeRule) -> None:
    """Person earned badge (called once per person and badge): tell them, celebrate if it's them."""
    here = _is_signed_in(person)
    Notice.tell(
        person.id, "badge", f"badge:{badge.id}", clock.naive_now(), seen=here, badge=badge.id
    )
    if here:
        celebrate(moments.for_badge(badge))
    elif has_request_context():  # not for badges a backfill (manage.py award-badges) hands out
        push.events.badge_earned(person, badge)


def recognised(recognition: Recognition) -> None:
    """A colleague was recognised: it is new for them, and badges may follow for both people."""
    Notice.tell(
        recognition.receiver_id,
        "recognised",
        f"recognition:{recognition.id}",
        clock.naive_now(),
        recognition=recognition.id,
    )
    push.events.recognised(recognition)
    award_badges(recognition.giver)
    award_badges(recognition.receiver)


def announced(announcement: Announcement) -> None:
    """A lead announced the week's recognition: it is new for the person it goes to."""
    Notice.tell(
        announcement.receiver_id,
        "announced",
        f"announcement:{announcement.id}:{announcement.receiver_id}",
        clock.naive_now(),
        announcement=announcement.id,
    )
    push.events.announced(announcement)


def content_changed(*people: Person) -> None:
    """Something a badge counts changed for these people (a story told or featured, a pledge...)."""
    for person in people:
        if person is not None:
            award_badges(person)


def checked_in(person: Person, before, after, first: bool, kept: bool = False) -> None:
    """A check-in turned the streak before into after: celebrate milestones, award what it earned.

    kept: a check-in the phone kept offline and sends now, when nobody may be looking at the
    answer. Its moments wait for the next page, and a badge it earns is told as one earned out
    of sight: new on the tab bar, and pushed.
    """
    g.out_of_sight = kept
    try:
        for moment in moments.for_check_in(before, after):
            celebrate(moment)
        if moments.may_earn_badges(before, after, first):
            award_badges(person)
    finally:
        g.out_of_sight = False


def celebrate(moment: moments.Moment) -> None:
    """Show a celebration in this response (or the page its redirect leads to)."""
    event = moment.as_event()
    if moment.badge:
        event["href"] = url_for("badges.index", _anchor=f"badge-{moment.badge}")
        event["card"] = _milestone_card(moment.badge)
    if g.get("out_of_sight"):
        session["moments"] = session.get("moments", []) + [event]  # shown on the next page
    else:
        g.setdefault("moments", []).append(event)


def _milestone_card(badge_id: str) -> str | None:
    from pwa.badges import milestone_card_url

    return milestone_card_url(g.person, badge_id)


def _is_signed_in(person: Person) -> bool:
    """Whether person is the one reading this response (not so for a check-in sent later)."""
    if g.get("out_of_sight"):
        return False
    return getattr(g, "person", None) is not None and g.person.id == person.id


def pending_moments() -> list[dict]:
    """The celebrations to show on the page being rendered (its own, and those its redirect carried)."""
    found = session.pop("moments", []) + g.pop("moments", [])
    g.moments_shown = True
    return condensed(found)


MOST_BADGES_AT_ONCE = 2


def condensed(found: list[dict]) -> list[dict]:
    """At most a couple of badge celebrations at once: more (a first visit after a backfill) become one."""
    badges = [m for m in found if m.get("kind") == "badge"]
    if len(badges) <= MOST_BADGES_AT_ONCE:
        return found
    summary = {
        "kind": "badges",
        "icon": "🏅",
        "title": f"And {len(badges) - 1} more badges",
        "text": "Everything you've already done counts. They're all on your badges page.",
        "href": url_for("badges.index"),
        "card": None,
    }
    return [m for m in found if m.get("kind") != "badge"] + [badges[0], summary]


def init_app(app: Flask) -> None:
    """Send each response's celebrations: as an htmx event, in the page, or across a redirect."""
    app.jinja_env.globals["badge_rules"] = BY_ID

    @app.after_request
    def deliver(response):
        found = g.pop("moments", [])
        if not found:
            return response
        if 300 <= response.status_code < 400:
            session["moments"] = session.get("moments", []) + found
        elif not g.get("moments_shown"):
            events = _events(response.headers.get("HX-Trigger-After-Settle"))
            events["celebrate"] = {"moments": condensed(found)}
            response.headers["HX-Trigger-After-Settle"] = json.dumps(events)
        return response


def _events(header: str | None) -> dict:
    """The events already in an HX-Trigger header, as a dict (a bare name or a list means no detail)."""
    if not header:
        return {}
    try:
        events = json.loads(header)
    except ValueError:
        events = [name.strip() for name in header.split(",")]
    return events if isinstance(events, dict) else dict.fromkeys(events)
