"""Badges: every badge with its criteria, my progress toward it, when I earned it; the milestone cards."""

from __future__ import annotations

from flask import Blueprint, abort, g, url_for

import cards
from game.badges import BADGES, BY_ID
from models import Badge, Person
from pwa import events
from pwa.card_cache import send_card
from pwa.web import render, sign_in_required

bp = Blueprint("badges", __name__)


@bp.route("/badges")
@sign_in_required
def index():
    """Show every badge: earned ones with their date and card, the others as goals with progress."""
    person = g.person
    facts = events.facts_for(person)
    events.award_badges(person, facts)
    held = Badge.of(person)
    rows = [
        {
            "rule": rule,
            "earned_at": held.get(rule.id),
            "progress": rule.progress(facts),
            "card": milestone_card_url(person, rule.id, held[rule.id]) if rule.id in held else None,
        }
        for rule in BADGES
    ]
    rows.sort(key=lambda row: row["earned_at"] is None)  # earned first, each group in list order
    return render("badges/index.html", rows=rows, earned=len(held), total=len(BADGES))


def card_of(person: Person, badge_id: str, earned_at) -> cards.Milestone:
    rule = BY_ID[badge_id]
    return cards.Milestone(
        person=person.name,
        badge=rule.name,
        criteria=rule.criteria,
        icon=rule.icon,
        day=earned_at.date(),
    )


def milestone_card_url(
    person: Person, badge_id: str, earned_at=None, size="portrait"
) -> str | None:
    """The content-addressed URL of person's card for a badge they hold (earned_at, when known)."""
    if earned_at is None:
        earned_at = Badge.of(person).get(badge_id)
    if earned_at is None or badge_id not in BY_ID:
        return None
    digest = cards.card_hash(card_of(person, badge_id, earned_at))
    return url_for("badges.card", badge_id=badge_id, size=size, card=digest)


@bp.route("/badges/<badge_id>/<any(portrait, preview):size>-<card>.png")
@sign_in_required
def card(badge_id: str, size: str, card: str):
    """Send my milestone card for a badge I hold."""
    person = g.person
    earned_at = Badge.of(person).get(badge_id) if badge_id in BY_ID else None
    if earned_at is None:
        abort(404)
    return send_card(
        card_of(person, badge_id, earned_at),
        size,
        card,
        False,
        lambda: milestone_card_url(person, badge_id, earned_at, size),
    )
