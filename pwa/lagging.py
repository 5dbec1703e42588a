"""Lagging indicators (campaign Part 4): an admin enters each month's results, per team or overall."""

from __future__ import annotations

from flask import Blueprint, abort, g, request, session

from game import lagging
from models import LaggingFigure, Team
from pwa import clock
from pwa.web import back, clean_text, parse_id, render, role_required, today_for

bp = Blueprint("lagging", __name__)

ORGANISATION = "The whole organisation"


def _scope(typed: str | None) -> tuple[Team | None, str | None]:
    """The team a form or query names ("" is the organisation), or a message for one that isn't."""
    typed = (typed or "").strip()
    if not typed:
        return None, None
    team_id = parse_id(typed)
    team = Team.get_or_none(Team.id == team_id) if team_id else None
    return (team, None) if team else (None, "Pick a team from the list, or the whole organisation.")


def _page(form: dict, errors: dict | None = None, status: int = 200):
    today = today_for(g.person)
    return render(
        "admin/indicators.html",
        status=status,
        form=form,
        errors=errors or {},
        kinds=lagging.KINDS,
        teams=Team.in_name_order(),
        rows=LaggingFigure.table(),
        this_month=lagging.month_start(today),
        show=lagging.show,
        by_key=lagging.BY_KEY,
        notice=session.pop("lagging_notice", None),
        organisation=ORGANISATION,
    )


def _blank_form(today) -> dict:
    # Figures usually arrive once a month is over: last month is the likely one.
    last_month = lagging.add_months(lagging.month_start(today), -1)
    return {"team": "", "month": last_month.strftime("%Y-%m"), **{k.key: "" for k in lagging.KINDS}}


@bp.route("/admin/indicators")
@role_required("admin")
def index():
    """Show the lagging figures entered so far and a form for a month's (a row's own to edit)."""
    form = _blank_form(today_for(g.person))
    if "month" in request.args:
        team, error = _scope(request.args.get("team"))
        month, month_error = lagging.parse_month(request.args["month"], today_for(g.person))
        if error or month_error:
            abort(404)
        form.update(team=str(team.id) if team else "", month=month.strftime("%Y-%m"))
        for kind, points in LaggingFigure.series(team, month, month).items():
            value = points[0][1]
            form[kind] = "" if value is None else f"{value:g}"
    return _page(form)


@bp.route("/admin/indicators", methods=["POST"])
@role_required("admin")
def enter():
    """Keep a month's figures for a team or the organisation; an empty box keeps what was there."""
    form = {"team": request.form.get("team", ""), "month": clean_text(request.form.get("month"))}
    errors = {}
    team, errors["team"] = _scope(form["team"])
    month, errors["month"] = lagging.parse_month(form["month"], today_for(g.person))
    values = {}
    for kind in lagging.KINDS:
        form[kind.key] = clean_text(request.form.get(kind.key))[:40]
        value, errors[kind.key] = lagging.parse_value(kind, form[kind.key])
        if value is not None:
            values[kind.key] = value
    errors = {field: message for field, message in errors.items() if message}
    if not errors and not values:
        errors["figures"] = "Enter at least one figure for the month."
    if errors:
        return _page(form, errors, status=422)
    LaggingFigure.enter(team, month, values, g.person, clock.naive_now())
    where = team.name if team else "the organisation"
    session["lagging_notice"] = (
        f"Saved {len(values)} figure{'' if len(values) == 1 else 's'} for {where}, {month:%B %Y}."
    )
    return back("lagging.index")


@bp.route("/admin/indicators/remove", methods=["POST"])
@role_required("admin")
def remove():
    """Delete every figure of one month for a team or the organisation."""
    team, error = _scope(request.form.get("team"))
    month, month_error = lagging.parse_month(request.form.get("month", ""), today_for(g.person))
    if error or month_error:
        abort(404)
    removed = LaggingFigure.remove(team, month)
    where = team.name if team else "the organisation"
    session["lagging_notice"] = f"Removed {removed} figures of {where} for {month:%B %Y}."
    return back("lagging.index")
