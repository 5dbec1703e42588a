"""The leaders' dashboard of leading indicators: a lead's team, or for an admin every team and the organisation.

Closed weeks are read from the figures stored when they closed (models.WeekFigure, the
close_weeks_task of pwa.closing); the current week, and any closed week not stored yet, are counted live.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, Response, abort, g, request, stream_with_context, url_for

from game import indicators as ind
from game import lagging
from models import LaggingFigure, Team, WeekFigure, name_order, week_counts
from pwa import charts, clock
from pwa.admin import page_number
from pwa.stories import TEMPLATE
from pwa.web import clean_text, parse_id, render, role_required, wants_fragment

bp = Blueprint("dashboard", __name__)

# What the story form shows around the person's words (labels and prompts): never their words.
PREFILLED = tuple(text for _, label, question, _ in TEMPLATE for text in (question, label))
ORG = "org"
# Teams on a page of the every-team table, and the longest search kept.
TEAMS_PAGE = 25
SEARCH_MAX = 80
# The CSVs' last column: why a figure's cell is empty (a number column holds numbers only).
NOTES = "Notes"


@dataclass
class Scope:
    """Whose figures a dashboard shows: one team, or the whole organisation (team None)."""

    team: Team | None

    @property
    def team_id(self) -> int:
        return self.team.id if self.team is not None else ind.ORGANISATION

    @property
    def name(self) -> str:
        return self.team.name if self.team is not None else "The whole organisation"

    @property
    def made(self) -> date | None:
        """The day the team was made, or the first team for the organisation (None: no team yet)."""
        if self.team is not None:
            return _made(self.team)
        first = Team.select().order_by(Team.created_at).first()
        return _made(first) if first is not None else None

    @property
    def not_yet(self) -> str:
        return ind.NOT_YET if self.team is not None else ind.NO_TEAM_YET

    @property
    def query(self) -> str:
        return str(self.team.id) if self.team is not None else ORG


def _scope(asked: str | None) -> Scope:
    """The scope the signed-in lead or admin may see: a lead their own team only (403 otherwise)."""
    person = g.person
    if asked in (None, "") or (asked == ORG and person.is_admin):
        if person.is_admin:
            return Scope(None)
        if person.team_id is None:
            abort(404)
        return Scope(Team.get_by_id(person.team_id))
    team_id = parse_id(asked)
    if team_id is None:
        abort(404)
    if not person.is_admin and team_id != person.team_id:
        abort(403)
    team = Team.get_or_none(Team.id == team_id)
    if team is None:
        abort(404)
    return Scope(team)


def today() -> date:
    """The organisation's today: the UTC date (weeks are counted Monday to Sunday)."""
    return clock.naive_now().date()


def weekly(scope: Scope, day: date) -> tuple[list[ind.WeekCounts], dict]:
    """The scope's counts of the last 12 weeks, oldest first, and the current week's per team (admin)."""
    weeks = ind.last_weeks(day)
    stored = {row.counts().week: row.counts() for row in WeekFigure.stored(weeks, scope.team_id)}
    missing = [week for week in weeks if week not in stored]
    team_filter = scope.team.id if scope.team is not None else None
    live = week_counts(missing, day, team_id=team_filter, prefilled=PREFILLED)
    current = weeks[-1]
    rows = []
    for week in weeks:
        if week in stored:
            rows.append(stored[week])
        elif scope.team is None:
            rows.append(ind.organisation(week, live.values()))
        else:
            blank = ind.WeekCounts(week, scope.team_id, streaking=0)
            rows.append(live.get((scope.team_id, week), blank))
    this_week = {team: c for (team, week), c in live.items() if week == current}
    return rows, this_week


def _made(team: Team) -> date:
    return team.created_at.date()


def by_name(team: Team) -> tuple:
    return name_order(team.name)


def _series(rows: list[ind.WeekCounts], scope: Scope) -> list[dict[str, ind.Figure]]:
    made, note = scope.made, scope.not_yet
    return [ind.team_figures(row, made, note) for row in rows]


def _charts(rows, series, current: date) -> list[dict]:
    """For each indicator: this week's and last week's figure, the trend, the chart."""
    found = []
    for indicator in ind.INDICATORS:
        figures = [week[indicator.key] for week in series]
        points = [
            charts.Point(
                f"{row.week.day} {row.week:%b}",
                f.value,
                f.note or f.shown,
                live=row.week == current,
            )
            for row, f in zip(rows, figures, strict=True)
        ]
        found.append(
            {
                "indicator": indicator,
                "now": figures[-1],
                "last": figures[-2] if len(figures) > 1 else None,
                "trend": ind.trend([f.value for f in figures[:-1]]),
                "svg": charts.bar_chart(
                    f"chart-{indicator.key}",
                    f"{indicator.label}, the last {len(points)} weeks",
                    indicator.how,
                    points,
                    share=indicator.unit == "share",
                ),
            }
        )
    return found


def _lagging(scope: Scope, weeks: list[date]) -> list[dict]:
    """The admin's monthly lagging indicators on the dashboard's weeks: each week shows its month's value.

    A week's month is the one most of its days fall in (its Thursday's), so the week of Mon 30 Nov
    shows December's figure, not November's.
    """
    entered = LaggingFigure.series(
        scope.team, lagging.week_month(weeks[0]), lagging.week_month(weeks[-1])
    )
    found = []
    for kind in lagging.KINDS:
        by_month = dict(entered.get(kind.key, []))
        if not any(value is not None for value in by_month.values()):
            continue
        values = [by_month.get(lagging.week_month(week)) for week in weeks]
        # A scale's top is its highest (100); a count's is its tallest month. NPS goes below zero.
        top = kind.highest or max([v for v in values if v is not None] + [1])
        points = [
            charts.Point(
                f"{week.day} {week:%b}",
                None if value is None else value / top,
                lagging.show(kind, value),
            )
            for week, value in zip(weeks, values, strict=True)
        ]
        below = (
            " Bars above the zero line are positive, below it negative." if kind.lowest < 0 else ""
        )
        found.append(
            {
                "kind": kind,
                "latest": next((p.shown for p in reversed(points) if p.value is not None), "—"),
                "svg": charts.bar_chart(
                    f"chart-lagging-{kind.key}",
                    f"{kind.name}, by month, on the same weeks",
                    "Entered monthly by an admin; each week shows the figure of the month most of"
                    f" its days fall in.{below}",
                    points,
                    share=True,
                    top_label=lagging.show(kind, top),
                    bottom=kind.lowest / top,
                    bottom_label=lagging.show(kind, kind.lowest),
                ),
            }
        )
    return found


def _teams_table(
    teams: list[Team], chosen: date, current: date, this_week: dict
) -> list[tuple[Team, dict]]:
    """These teams' figures in the chosen week (stored when closed, live for the current week)."""
    if chosen == current:
        counts = this_week
    else:
        counts = {row.team_id: row.counts() for row in WeekFigure.stored([chosen])}
        missing = [t.id for t in teams if t.id not in counts]
        if missing:
            live = week_counts(
                [chosen], chosen + timedelta(days=6), prefilled=PREFILLED, live=False
            )
            counts.update({team: c for (team, _), c in live.items() if team in missing})
    blank = ind.WeekCounts(chosen, streaking=0)
    return [(team, ind.team_figures(counts.get(team.id, blank), _made(team))) for team in teams]


def sort_teams(
    rows: list[tuple[Team, dict]], key: str, descending: bool
) -> list[tuple[Team, dict]]:
    """The teams table sorted by name or by one indicator; hidden and unknown figures always last."""
    if key not in ind.BY_KEY:
        return sorted(rows, key=lambda row: by_name(row[0]), reverse=descending)
    known = [row for row in rows if row[1][key].value is not None]
    unknown = [row for row in rows if row[1][key].value is None]
    # Two stable sorts: equal figures stay in name order (A to Z) whichever way the figure goes.
    known.sort(key=lambda row: by_name(row[0]))
    known.sort(key=lambda row: row[1][key].value, reverse=descending)
    return known + sorted(unknown, key=lambda row: by_name(row[0]))


def matching(teams: list[Team], search: str) -> list[Team]:
    """The teams whose name holds search (any case); every team for an empty search."""
    folded = search.casefold()
    return [team for team in teams if folded in team.name.casefold()] if folded else teams


def one_page(rows: list, page: int, size: int = TEAMS_PAGE) -> tuple[list, int, int]:
    """The rows of page (brought within the pages there are), that page, and how many pages."""
    pages = max(1, -(-len(rows) // size))
    page = min(max(page, 1), pages)
    return rows[(page - 1) * size : page * size], page, pages


def _default_order(key: str) -> str:
    return "asc" if key == "team" else "desc"


def _sorting() -> tuple[str, bool]:
    key = request.args.get("sort", "team")
    key = key if key in ind.BY_KEY else "team"
    order = request.args.get("order", "")
    order = order if order in ("asc", "desc") else _default_order(key)
    return key, order == "desc"


def table_state(weeks: list[date]) -> dict:
    """The every-team table's week, search, sort and page from the query; unknown ones fall back."""
    sort, descending = _sorting()
    return {
        "week": _chosen_week(weeks),
        "q": clean_text(request.args.get("q"))[:SEARCH_MAX],
        "sort": sort,
        "order": "desc" if descending else "asc",
        "page": page_number(request.args.get("page")),
    }


def _table_args(state: dict, current: date) -> dict:
    """The query of a table state, the defaults left out."""
    args = {}
    if state["week"] != current:
        args["week"] = state["week"].isoformat()
    if state["q"]:
        args["q"] = state["q"]
    if state["sort"] != "team":
        args["sort"] = state["sort"]
    if state["order"] != _default_order(state["sort"]):
        args["order"] = state["order"]
    if state["page"] != 1:
        args["page"] = state["page"]
    return args


def teams_links(state: dict, current: date):
    """The address maker of the every-team table: this state with changes (a new sort starts at page 1)."""

    def teams_url(endpoint: str = "dashboard.index", **changes) -> str:
        args = _table_args({**state, **changes}, current)
        if endpoint != "dashboard.index":
            args.pop("page", None)  # the download holds every page
        return url_for(endpoint, **args)

    return teams_url


def _chosen_week(weeks: list[date]) -> date:
    asked = request.args.get("week", "")
    if not asked:
        return weeks[-1]
    try:
        week = date.fromisoformat(asked)
    except ValueError:
        abort(404)
    if week not in weeks:
        abort(404)
    return week


@bp.route("/dashboard")
@role_required("lead", "admin")
def index():
    """Show the leading indicators of the lead's team, or for an admin of the chosen team or everyone."""
    scope = _scope(request.args.get("team"))
    day = today()
    rows, this_week = weekly(scope, day)
    weeks = [row.week for row in rows]
    teams = Team.in_name_order() if g.person.is_admin else []
    table = {}
    if teams and scope.team is None:
        table = _teams_page(teams, weeks, this_week)
        if wants_fragment():
            # The table's own search, sort and paging: only the table is asked for, and the
            # address pushed is the table's own (defaults left out, the page it shows).
            response = render("dashboard/index.html", fragment="partials/teams_table.html", **table)
            response.headers["HX-Push-Url"] = table["teams_url"]()
            return response
    series = _series(rows, scope)
    page = {
        "scope": scope,
        "weeks": weeks,
        "current": weeks[-1],
        "rows": list(zip(rows, series, strict=True)),
        "cards": _charts(rows, series, weeks[-1]),
        "indicators": ind.INDICATORS,
        "teams": teams,
        "fewer": ind.FEWER,
        "bar_chart": charts.bar_chart,
        "lagging": _lagging(scope, weeks),
    }
    fragment = "partials/teams_table.html" if table else None
    return render("dashboard/index.html", fragment=fragment, **(page | table))


def _teams_page(teams: list[Team], weeks: list[date], this_week: dict) -> dict:
    """What the every-team table shows: one page of the teams matching the search, sorted."""
    current = weeks[-1]
    state = table_state(weeks)
    found = _teams_table(matching(teams, state["q"]), state["week"], current, this_week)
    found = sort_teams(found, state["sort"], state["order"] == "desc")
    team_rows, state["page"], pages = one_page(found, state["page"])
    return {
        "weeks": weeks,
        "current": current,
        "indicators": ind.INDICATORS,
        "state": state,
        "team_rows": team_rows,
        "teams_total": len(found),
        "teams_all": len(teams),
        "pages": pages,
        "page_size": TEAMS_PAGE,
        "teams_url": teams_links(state, current),
    }


def _csv_cell(figure: ind.Figure):
    """A figure as a number a spreadsheet can add up; empty when there is none (the note says why)."""
    if figure.value is None:
        return None
    if figure.unit == "share":
        return round(figure.value * 100)
    return figure.value


def _why_empty(figure: ind.Figure) -> str:
    if figure.note:
        return figure.note
    return f"fewer than {ind.MIN_PEOPLE} people" if figure.hidden else "nothing to measure"


def _csv_note(figures: dict[str, ind.Figure]) -> str:
    """Why the row's empty figures are empty, in words, for the last column: one reason a figure."""
    before = next((f.note for f in figures.values() if f.note), "")
    if before:
        return before.capitalize()  # a week before the team was made: one reason for every figure
    empty = [(i.label, figures[i.key]) for i in ind.INDICATORS if figures[i.key].value is None]
    return "; ".join(f"{label}: {_why_empty(f)}" for label, f in empty)


def _figure_cells(figures: dict[str, ind.Figure]) -> list:
    return [*(_csv_cell(figures[i.key]) for i in ind.INDICATORS), _csv_note(figures)]


def _header() -> list[str]:
    return [
        *(
            f"{indicator.label} (%)" if indicator.unit == "share" else indicator.label
            for indicator in ind.INDICATORS
        ),
        NOTES,
    ]


def _stream_csv(filename: str, rows) -> Response:
    """Rows as a streamed CSV download: UTF-8 with a BOM, every cell spreadsheet-safe."""

    def lines():
        yield "\ufeff"
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow([ind.spreadsheet_safe(cell) for cell in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/dashboard/weeks.csv")
@role_required("lead", "admin")
def weeks_csv():
    """Download the weekly figures table of a team (or the organisation) as CSV."""
    scope = _scope(request.args.get("team"))
    day = today()
    rows, _ = weekly(scope, day)
    current = rows[-1].week
    made, note = scope.made, scope.not_yet

    def table():
        yield ["Week starting", "Week ending", "Team", "Status", *_header()]
        for row in reversed(rows):
            figures = ind.team_figures(row, made, note)
            yield [
                row.week,
                row.week + timedelta(days=6),
                scope.name,
                "so far" if row.week == current else "closed",
                *_figure_cells(figures),
            ]

    name = "organisation" if scope.team is None else f"team-{scope.team.id}"
    return _stream_csv(f"dashboard-{name}-{current.isoformat()}.csv", table())


@bp.route("/dashboard/teams.csv")
@role_required("admin")
def teams_csv():
    """Download the every-team table (all its pages: the teams its search finds, in its order) as CSV."""
    day = today()
    weeks = ind.last_weeks(day)
    chosen = _chosen_week(weeks)
    this_week = {}
    if chosen == weeks[-1]:
        live = week_counts([chosen], day, prefilled=PREFILLED)
        this_week = {team: c for (team, _), c in live.items()}
    sort, descending = _sorting()
    # The table's rows on every page: the teams its search finds, in its order.
    teams = matching(Team.in_name_order(), table_state(weeks)["q"])
    team_rows = sort_teams(_teams_table(teams, chosen, weeks[-1], this_week), sort, descending)

    def table():
        yield ["Team", "Week starting", "Status", *_header()]
        for team, figures in team_rows:
            yield [
                team.name,
                chosen,
                "so far" if chosen == weeks[-1] else "closed",
                *_figure_cells(figures),
            ]

    return _stream_csv(f"dashboard-teams-{chosen.isoformat()}.csv", table())


def close_weeks(weeks: int = ind.WEEKS) -> list[date]:
    """Store the figures of every closed week not stored yet (idempotent); return the weeks stored."""
    return WeekFigure.close_due(clock.naive_now(), weeks, prefilled=PREFILLED)
