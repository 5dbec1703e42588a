"""A person's profile: badges, stories, recognition received and given, the current streak (never notes)."""

from __future__ import annotations

from flask import Blueprint, abort, g

from game.badges import BY_ID, given_count, recognised_by_count
from game.streaks import streak
from models import FORMER_EMAIL, Badge, CheckIn, Person, Recognition, stories_of
from pwa.web import render, sign_in_required, today_for, workdays_of

bp = Blueprint("profile", __name__)


@bp.route("/people/<id:person_id>")
@sign_in_required
def show(person_id: int):
    """Show a colleague's (or my own) profile: what they did and were recognised for."""
    person = Person.get_or_none(Person.id == person_id)
    # The former colleague who kept stories stand in for is nobody, so it has no profile.
    if person is None or person.email == FORMER_EMAIL:
        abort(404)
    if not person.active and not g.person.is_admin:
        abort(404)
    held = Badge.of(person)
    return render(
        "profile/show.html",
        person=person,
        me=person.id == g.person.id,
        streak=streak(CheckIn.days_of(person), workdays_of(person), today_for(person)).current,
        badges=[(BY_ID[key], when) for key, when in held.items() if key in BY_ID],
        stories=stories_of(person, g.person),
        received=Recognition.of_person(person, given=False, limit=10),
        given=Recognition.of_person(person, given=True, limit=10),
        recognised_by=recognised_by_count(giver for giver, _ in Recognition.received_from(person)),
        given_count=given_count(Recognition.given_pairs(person)),
    )
