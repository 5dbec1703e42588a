"""The admin's set-up page: teams and invites."""

from __future__ import annotations

from flask import Blueprint, abort, g, request, session, url_for
from peewee import JOIN

from models import ROLES, Invite, Person, Team, fn
from pwa import clock
from pwa.web import back, clean_text, render, role_required

bp = Blueprint("admin", __name__)


def page(status=200, team_form=None, invite_form=None, errors=None):
    """Render the admin page with the given form state."""
    people = (
        Person.select(Person, Team)
        .join(Team, on=(Person.team == Team.id), join_type=JOIN.LEFT_OUTER)
        .order_by(fn.LOWER(Person.name))
    )
    return render(
        "admin/index.html",
        status=status,
        teams=list(Team.select().order_by(Team.name)),
        people=people,
        roles=ROLES,
        team_form=team_form or {"name": ""},
        invite_form=invite_form or {"email": "", "name": "", "team": "", "role": "employee"},
        errors=errors or {},
        link=session.pop("made_link", None),
        notice=session.pop("admin_notice", None),
    )


@bp.route("/admin")
@role_required("admin")
def index():
    """Show teams and people, with forms to add them."""
    return page()


@bp.route("/admin/teams", methods=["POST"])
@role_required("admin")
def create_team():
    """Create a team."""
    name = clean_text(request.form.get("name"))
    errors = {}
    if not name:
        errors["team_name"] = "Give the team a name."
    elif len(name) > 80:
        errors["team_name"] = "Keep the name to 80 characters at most."
    elif Team.get_or_none(fn.LOWER(Team.name) == name.lower()):
        errors["team_name"] = "There is already a team with this name."
    if errors:
        return page(status=422, team_form={"name": name}, errors=errors)
    Team.create(name=name, created_at=clock.naive_now())
    return back("admin.index")


@bp.route("/admin/invites", methods=["POST"])
@role_required("admin")
def invite():
    """Make an invite link for anyone, to any team and role."""
    form = {
        "email": clean_text(request.form.get("email")).lower(),
        "name": clean_text(request.form.get("name")),
        "team": request.form.get("team", ""),
        "role": request.form.get("role", "employee"),
    }
    errors = {}
    if "@" not in form["email"] or len(form["email"]) > 254 or " " in form["email"]:
        errors["email"] = "Enter an email address like name@company.com."
    elif Person.by_email(form["email"]) is not None:
        errors["email"] = "Someone with this email already has an account."
    if len(form["name"]) > 80:
        errors["name"] = "Keep the name to 80 characters at most."
    team = Team.get_or_none(Team.id == int(form["team"])) if form["team"].isdigit() else None
    if form["team"] and team is None:
        errors["team"] = "Pick a team from the list."
    if form["role"] not in ROLES:
        errors["role"] = "Pick a role from the list."
    if errors:
        return page(status=422, invite_form=form, errors=errors)
    token = Invite.issue(
        form["email"], team, form["role"], g.person, clock.naive_now(), name=form["name"]
    )
    session["made_link"] = {
        "kind": "invite",
        "who": form["name"] or form["email"],
        "url": url_for("account.accept_invite", token=token, _external=True),
    }
    return back("admin.index")


@bp.route("/admin/people/<id:person_id>", methods=["POST"])
@role_required("admin")
def change_person(person_id: int):
    """Move a person to another team, change their role, or let them sign in no more."""
    person = Person.get_or_none(Person.id == person_id)
    if person is None:
        abort(404)
    team_id = request.form.get("team", "")
    team = Team.get_or_none(Team.id == int(team_id)) if team_id.isdigit() else None
    role = request.form.get("role", "")
    active = request.form.get("active") == "1"
    if (team_id and team is None) or role not in ROLES:
        session["admin_notice"] = "Pick a team and a role from the lists."
        return back("admin.index")
    if person.id == g.person.id and (role != "admin" or not active):
        session["admin_notice"] = "You can't remove your own admin rights; ask another admin."
        return back("admin.index")
    Person.update(team=team, role=role, active=active).where(Person.id == person.id).execute()
    session["admin_notice"] = f"Saved {person.name}: {role}, {team.name if team else 'no team'}" + (
        "." if active else ", can no longer sign in."
    )
    return back("admin.index")
