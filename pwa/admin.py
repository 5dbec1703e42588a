"""The admin's set-up page: teams, invites and the people list (searched, sorted, paged)."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, session, url_for

from models import (
    FORMER_EMAIL,
    NAME_MAX,
    PEOPLE_PAGE,
    PEOPLE_SORTS,
    ROLES,
    Challenge,
    IntegrityError,
    Invite,
    Person,
    Team,
    db,
    people_page,
)
from pwa import clock, mail
from pwa.team import invite_once, read_invite, resets_allowed, resets_not_sent
from pwa.web import back, clean_text, parse_id, render, role_required, today_for

bp = Blueprint("admin", __name__)

SORTS = frozenset((*PEOPLE_SORTS, *(f"-{key}" for key in PEOPLE_SORTS)))
SEARCH_MAX = 80
LIST_DEFAULTS = {"q": "", "sort": "name", "page": 1}
PAGE_MAX = 100_000


def _differing(state: dict) -> dict:
    """The list state's values that aren't the defaults (a query string leaves those out)."""
    return {k: v for k, v in state.items() if LIST_DEFAULTS.get(k) != v}


def page_number(typed: str | None) -> int:
    """A list's page number from a query: 1 for anything but digits, at most PAGE_MAX.

    A page past the last is brought back by the list itself; an overlong number is never
    converted (Python refuses ints of thousands of digits), it is simply the highest.
    """
    typed = typed or ""
    if not (typed.isascii() and typed.isdigit()):
        return 1
    if len(typed) > len(str(PAGE_MAX)):
        return PAGE_MAX
    return min(max(int(typed), 1), PAGE_MAX)


def list_state(values) -> dict:
    """The people list's search, sort and page from a query or form; unknown ones fall back."""
    search = clean_text(values.get("q"))[:SEARCH_MAX]
    sort = values.get("sort", "")
    return {
        "q": search,
        "sort": sort if sort in SORTS else "name",
        "page": page_number(values.get("page")),
    }


def people_url(state: dict, **changes) -> str:
    """The admin page's address for this list state with changes (defaults left out)."""
    return url_for("admin.index", **_differing({**state, **changes}))


def person_url(person_id: int, state: dict) -> str:
    """The address of person's change form, remembering where in the list it was opened."""
    return url_for("admin.person", person_id=person_id, **_differing(state))


def back_to_list(person_id: int | None = None):
    """Redirect to the admin page, on the list page the form was sent from."""
    anchor = f"#person-{person_id}" if person_id else ""
    return redirect(people_url(list_state(request.form)) + anchor, code=303)


def team_from_form(value: str) -> Team | None:
    """The team a form's select names, or None for none or one that doesn't exist."""
    team_id = parse_id(value)
    return Team.get_or_none(Team.id == team_id) if team_id else None


def page(status=200, team_form=None, invite_form=None, errors=None):
    """Render the admin page with the given form state (the people list alone for htmx)."""
    state = list_state(request.args)
    people, total, shown_page = people_page(state["q"], state["sort"], state["page"])
    state["page"] = shown_page
    return render(
        "admin/index.html",
        fragment="partials/people_table.html",
        status=status,
        teams=Team.in_name_order(),
        people=people,
        total=total,
        state=state,
        page_size=PEOPLE_PAGE,
        roles=ROLES,
        team_form=team_form or {"name": ""},
        invite_form=invite_form or {"email": "", "name": "", "team": "", "role": "employee"},
        errors=errors or {},
        link=g.sign_in.take_link(),
        notice=session.pop("admin_notice", None),
        not_sent=list(Invite.not_sent(None, clock.naive_now(), mail.RETRY_WINDOW)),
        resets_not_sent=resets_not_sent(),
        resets=resets_allowed(g.person),
        mail_configured=mail.configured(),
        people_url=people_url,
        person_url=person_url,
    )


@bp.route("/admin")
@role_required("admin")
def index():
    """Show teams and a page of people (searched and sorted), with forms to add them."""
    return page()


@bp.route("/admin/teams", methods=["POST"])
@role_required("admin")
def create_team():
    """Create a team."""
    name = clean_text(request.form.get("name"))
    errors = {}
    if not name:
        errors["team_name"] = "Give the team a name."
    elif len(name) > NAME_MAX:
        errors["team_name"] = f"The name is {len(name):,} characters; {NAME_MAX} at most, please."
    else:
        try:
            # Checked inside the transaction: on SQLite it holds the write lock from the start,
            # so no twin slips in between (SQLite's own LOWER() in the unique index of migration
            # 005 knows only A to Z); on PostgreSQL that index refuses the twin.
            with db.atomic():
                if (found := Team.named(name)) is None:
                    Team.create(name=name, created_at=clock.naive_now())
        except IntegrityError:
            # The same name, sent at the same moment (found None only if that team went since).
            found = Team.named(name) or Team(name=name)
        if found is not None:
            errors["team_name"] = (
                f"There is already a team called {found.name}: team names count as the same"
                " whatever their capitals. Pick another name."
            )
    if errors:
        return page(status=422, team_form={"name": name}, errors=errors)
    return back("admin.index")


@bp.route("/admin/invites", methods=["POST"])
@role_required("admin")
def invite():
    """Make an invite link for anyone, to any team and role."""
    form, errors = read_invite()
    form.update(team=request.form.get("team", ""), role=request.form.get("role", "employee"))
    team = team_from_form(form["team"])
    if form["team"] and team is None:
        errors["team"] = "Pick a team from the list."
    if form["role"] not in ROLES:
        errors["role"] = "Pick a role from the list."
    if errors:
        return page(status=422, invite_form=form, errors=errors)
    invite_once(form, team, form["role"])
    return back("admin.index")


@bp.route("/admin/people/<id:person_id>/edit")
@role_required("admin")
def person(person_id: int):
    """Show the form that changes a person's team, role and sign-in (the form alone for htmx)."""
    found = Person.get_or_none(Person.id == person_id)
    if found is None:
        abort(404)
    return render(
        "admin/person.html",
        fragment="partials/person_form.html",
        p=found,
        teams=Team.in_name_order(),
        roles=ROLES,
        state=list_state(request.args),
        people_url=people_url,
    )


@bp.route("/admin/people/<id:person_id>", methods=["POST"])
@role_required("admin")
def change_person(person_id: int):
    """Move a person to another team, change their role, or let them sign in no more."""
    person = Person.get_or_none((Person.id == person_id) & (Person.email != FORMER_EMAIL))
    if person is None:
        abort(404)
    team_id = request.form.get("team", "")
    team = team_from_form(team_id)
    role = request.form.get("role", "")
    active = request.form.get("active") == "1"
    if (team_id and team is None) or role not in ROLES:
        session["admin_notice"] = "Pick a team and a role from the lists."
        return back_to_list(person.id)
    if person.id == g.person.id and (role != "admin" or not active):
        session["admin_notice"] = "You can't remove your own admin rights; ask another admin."
        return back_to_list(person.id)
    Person.update(team=team, role=role, active=active).where(Person.id == person.id).execute()
    if team is not None and team.id != person.team_id:
        person.team = team
        Challenge.join_team_challenge(person, today_for(person))
    session["admin_notice"] = f"Saved {person.name}: {role}, {team.name if team else 'no team'}" + (
        "." if active else ", can no longer sign in."
    )
    return back_to_list(person.id)
