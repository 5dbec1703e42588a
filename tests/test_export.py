"""CSV export of a team's published stories and recognitions: who may, what is in it, safe cells."""

from __future__ import annotations

import csv
import io
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bench.statements import Statements
from conftest import make_person, sign_in
from models import Recognition
from pwa.export import CONTENT_HEADER, safe_cell
from test_stories import tell


def recognise(giver, receiver, message, day=date(2026, 11, 17), story=None):
    """A recognition, written straight to the database."""
    return Recognition.create(
        giver=giver,
        receiver=receiver,
        team=receiver.team_id,
        message=message,
        customer_kind="colleague",
        story=story,
        day=day,
        week=date(2026, 11, 16),
    )


def rows_of(response) -> list[list[str]]:
    """The CSV in a response, opened as a spreadsheet would (the byte order mark first)."""
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_escaped():
    for typed in ('=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(typed) == "'" + typed
    assert safe_cell("Plain words") == "Plain words"
    assert safe_cell(None) == ""
    assert safe_cell("2026-11-18") == "2026-11-18"


@given(st.text())
def test_no_escaped_cell_begins_with_a_formula_character(text):
    cell = safe_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell.removeprefix("'") == text or cell == text


def test_a_lead_downloads_the_teams_stories_and_recognitions_cell_by_cell(
    app, lena, alice, bob, north
):
    zoe = make_person("Zoë Ångström", "zoe@example.com", team=north)
    story = tell(
        zoe,
        alice,
        day=date(2026, 11, 16),
        title='=HYPERLINK("http://evil","click")',
        situation="A customer in Malmö, line one\nline two",
        moment="She called back, “as promised”.",
        impact="-1 complaint",
        lesson="@everyone prepare",
        phase="before",
        featured_week=date(2026, 11, 16),
    )
    tell(bob, bob, title="Hidden for now", hidden=True, hidden_by=lena)
    recognise(bob, zoe, "+ thanks for staying late", story=story)
    client = sign_in(app.test_client(), lena)

    response = client.get("/export/content.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="north-stories-2026-11-18.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = rows_of(response)
    assert header == list(CONTENT_HEADER)
    assert len(rows) == 2  # the hidden story stays out
    assert rows[0] == [
        "story",
        "2026-11-16",
        "Zoë Ångström",
        "Alice Martin",
        "before",
        "external",
        '\'=HYPERLINK("http://evil","click")',
        "A customer in Malmö, line one\nline two",
        "She called back, “as promised”.",
        "'-1 complaint",
        "'@everyone prepare",
        "",
        "2026-11-16",
    ]
    assert rows[1] == [
        "recognition",
        "2026-11-17",
        "Bob Okafor",
        "Zoë Ångström",
        "before",  # the phase of the story it recognises
        "colleague",
        "",
        "",
        "",
        "",
        "",
        "'+ thanks for staying late",
        "",
    ]


def test_an_admin_exports_any_team_and_only_that_teams_content(app, ada, alice, carl, south):
    tell(alice, alice, title="North's story")
    tell(carl, carl, title="South's story", day=date(2026, 11, 16))
    recognise(alice, carl, "Thanks, Carl")
    client = sign_in(app.test_client(), ada)

    header, *rows = rows_of(client.get(f"/export/content.csv?team={south.id}"))

    assert [(r[0], r[6] or r[11]) for r in rows] == [
        ("story", "South's story"),
        ("recognition", "Thanks, Carl"),
    ]


def test_a_team_with_nothing_published_exports_just_the_header(app, lena):
    client = sign_in(app.test_client(), lena)
    assert rows_of(client.get("/export/content.csv")) == [list(CONTENT_HEADER)]


def test_a_lead_may_not_export_another_team_and_an_employee_nothing(app, lena, alice, south):
    lead = sign_in(app.test_client(), lena)
    assert lead.get(f"/export/content.csv?team={south.id}").status_code == 403
    assert lead.get("/export/content.csv?team=2147483647").status_code == 403
    employee = sign_in(app.test_client(), alice)
    assert employee.get("/export/content.csv").status_code == 403
    assert employee.get(f"/export/content.csv?team={alice.team_id}").status_code == 403
    assert app.test_client().get("/export/content.csv").status_code == 302


def test_forged_team_numbers_are_unknown_teams(app, ada, north):
    client = sign_in(app.test_client(), ada)
    for asked in ("999", "²", "-1", "0", "1e3", "99999999999999999999", "x"):
        assert client.get(f"/export/content.csv?team={asked}").status_code == 404, asked
    # An admin on no team names one.
    assert client.get("/export/content.csv").status_code == 404


def test_the_export_reads_in_a_few_statements_however_much_there_is(app, lena, alice, bob):
    for n in range(30):
        tell(alice if n % 2 else bob, bob, title=f"Story {n}")
        recognise(alice, bob, f"Thanks {n}")
    client = sign_in(app.test_client(), lena)
    with Statements() as sent:
        rows = rows_of(client.get("/export/content.csv"))
    assert len(rows) == 61
    # The sign-in, the team, the stories and the recognitions: never a statement per row.
    assert len(sent.data) == 4, [sql for _, sql in sent.data]


def test_the_team_page_and_the_admin_page_link_to_the_export(app, lena, ada, north):
    lead = sign_in(app.test_client(), lena)
    page = lead.get("/team").get_data(as_text=True)
    assert f'href="/export/content.csv?team={north.id}" hx-boost="false" download' in page
    admin = sign_in(app.test_client(), ada)
    page = admin.get("/admin").get_data(as_text=True)
    assert 'action="/export/content.csv" hx-boost="false"' in page
    assert 'label for="export-team">Team to export' in page
