"""CSV export of what a lead may see: the team's published stories and recognitions."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Blueprint, Response, abort, g, request, stream_with_context

from models import Team, published_content
from pwa import clock
from pwa.web import parse_id, role_required

bp = Blueprint("export", __name__)

# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_HEADER = (
    "Type",
    "Date",
    "Author",
    "About",
    "Phase",
    "Customer",
    "Title",
    "Situation",
    "Moment",
    "Impact",
    "Lesson",
    "Recognition",
    "Story of the week",
)


def safe_cell(value) -> str:
    """A value as a CSV cell a spreadsheet shows as text: a formula's first character is escaped."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text of header and rows, a line at a time, beginning with a UTF-8 byte order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(cell) for cell in row])
        yield buffer.getvalue()


def _content_row(row: dict) -> tuple:
    story = row["type"] == "story"
    featured = row.get("featured_week")
    return (
        row["type"],
        row["day"].isoformat(),
        row["author"],
        row["about"],
        row["phase"] or "",
        row["customer_kind"],
        row.get("title", ""),
        row.get("situation", ""),
        row.get("moment", ""),
        row.get("impact", ""),
        row.get("lesson", ""),
        "" if story else row["message"],
        featured.isoformat() if story and featured else "",
    )


def csv_response(lines: Iterator[str], filename: str) -> Response:
    """A streamed CSV download."""
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.mimetype_params["charset"] = "utf-8"
    return response


@bp.route("/export/content.csv")
@role_required("lead", "admin")
def content():
    """Download a team's published stories and recognitions (a lead: their own team only)."""
    asked = request.args.get("team", "")
    team_id = parse_id(asked) if asked else g.person.team_id
    if team_id is None:
        abort(404)
    if not g.person.is_admin and team_id != g.person.team_id:
        abort(403)
    team = Team.get_or_none(Team.id == team_id)
    if team is None:
        abort(404)
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in team.name.lower())
    filename = f"{slug.strip('-') or 'team'}-stories-{clock.naive_now():%Y-%m-%d}.csv"
    rows = (_content_row(row) for row in published_content(team.id))
    return csv_response(csv_lines(CONTENT_HEADER, rows), filename)
