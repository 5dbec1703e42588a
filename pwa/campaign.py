"""The campaign's fixed pages: the pledge and the quick reference card."""

from __future__ import annotations

from flask import Blueprint, g

from models import IntegrityError, Pledge, db
from pwa import clock
from pwa.web import back, render, sign_in_required

bp = Blueprint("campaign", __name__)


@bp.route("/pledge")
@sign_in_required
def pledge():
    """Show the pledge, and whether I signed it."""
    signed = Pledge.get_or_none(Pledge.person == g.person)
    return render("campaign/pledge.html", signed=signed)


@bp.route("/pledge", methods=["POST"])
@sign_in_required
def sign():
    """Sign the pledge, once: signing again changes nothing."""
    try:
        with db.atomic():
            Pledge.create(person=g.person, signed_at=clock.naive_now())
    except IntegrityError:
        pass
    return back("campaign.pledge")


@bp.route("/card")
def card():
    """The quick reference card: public, printable, fine offline."""
    return render("campaign/card.html")
