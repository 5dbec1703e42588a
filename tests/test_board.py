"""The team board: the lead's link and QR code, the signed-out wall screen, and every refusal."""

from __future__ import annotations

import base64
import html
import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest
import requests
import zxingcpp
from PIL import Image
from test_concurrency import _signed_in
from test_migrations import empty_database  # noqa: F401 (a fixture)

from conftest import make_person, sign_in
from models import Announcement, CheckIn, Recognition, Story, TeamBoard
from test_stories import tell

WEDNESDAY = date(2026, 11, 18)  # the conftest clock's day
NOW = datetime(2026, 11, 18, 10, 0)


def page_of(response) -> str:
    """The page's text as a person reads it (entities such as &#39; unescaped)."""
    return html.unescape(response.get_data(as_text=True))


def make_board(team, by) -> str:
    return TeamBoard.make(team, by, NOW)


def thank(giver, receiver, message="Stayed on the call until it was sorted.", **extra):
    return Recognition.create(
        giver=giver,
        receiver=receiver,
        team=receiver.team_id,
        message=message,
        customer_kind="external",
        day=WEDNESDAY,
        week=date(2026, 11, 16),
        **extra,
    )


# The lead's page ---------------------------------------------------------------------------------


def test_the_team_page_opens_the_board(as_lena, north):
    page = page_of(as_lena.get("/team"))
    assert f'href="/team/{north.id}/board"' in page
    assert re.search(r"</span> Board</a>", page)


def test_a_lead_makes_the_board_link_and_sees_it_with_its_qr_code(as_lena, north, lena):
    page = page_of(as_lena.get(f"/team/{north.id}/board"))
    assert "<h1>Put North on the wall</h1>" in page
    assert "Make the board link" in page and "/board/" not in page

    response = as_lena.post(f"/team/{north.id}/board")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/team/{north.id}/board"
    board = TeamBoard.get()
    assert (board.team_id, board.made_by_id) == (north.id, lena.id)
    assert len(board.token) >= 40
    page = page_of(as_lena.get(f"/team/{north.id}/board"))
    url = f"http://localhost/board/{board.token}"
    assert f'value="{url}"' in page
    assert "The board's link is ready" in page
    qr = re.search(r'class="board-qr" src="data:image/png;base64,([^"]+)"', page).group(1)
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(qr))))
    assert found.text == url
    # A TV has no camera: the link is typed or sent to the screen; the code is for a phone.
    assert "camera" not in page and "The QR code opens the same link on a phone" in page
    # The small-team rule in the dashboard's words.
    assert "with fewer than 3 members it shows as “fewer than 3”" in page


def test_a_new_link_stops_the_old_one_at_once(app, as_lena, north, lena, alice):
    client = app.test_client()  # the screen: nobody signed in
    old = make_board(north, lena)
    story = tell(alice)
    card = re.search(r'src="(/board/[^"]+\.png)"', page_of(client.get(f"/board/{old}"))).group(1)

    as_lena.post(f"/team/{north.id}/board")

    new = TeamBoard.get().token
    assert new != old and TeamBoard.select().count() == 1
    assert client.get(f"/board/{old}").status_code == 404
    assert client.get(card).status_code == 404
    gone = client.htmx("GET", f"/board/{old}")
    assert gone.status_code == 404
    assert 'id="board-now"' in page_of(gone) and "This board's link was changed" in page_of(gone)
    assert "hx-trigger" not in page_of(gone)  # the screen stops asking
    assert "<html" not in page_of(gone)
    assert client.get(f"/board/{new}").status_code == 200
    assert story.heading in page_of(client.get(f"/board/{new}"))
    assert "The board has a new link" in page_of(as_lena.get(f"/team/{north.id}/board"))


def test_an_admin_opens_any_teams_board(as_ada, south):
    assert as_ada.get(f"/team/{south.id}/board").status_code == 200
    assert as_ada.post(f"/team/{south.id}/board").status_code == 303
    assert TeamBoard.get().team_id == south.id
    assert as_ada.get("/team/999/board").status_code == 404
    assert as_ada.post("/team/999/board").status_code == 404


def test_an_employee_gets_403_on_the_board_page_and_its_link(as_alice, north):
    assert as_alice.get(f"/team/{north.id}/board").status_code == 403
    assert as_alice.post(f"/team/{north.id}/board").status_code == 403
    assert TeamBoard.select().count() == 0


def test_a_lead_of_another_team_gets_403(client, north, south, lena):
    sam = make_person("Sam Ortega", "sam@example.com", role="lead", team=south)
    make_board(north, lena)
    as_sam = sign_in(client, sam)
    assert as_sam.get(f"/team/{north.id}/board").status_code == 403
    assert as_sam.post(f"/team/{north.id}/board").status_code == 403
    assert TeamBoard.get().made_by_id == lena.id
    assert as_sam.get("/team/999/board").status_code == 403


def test_signed_out_the_board_page_is_a_sign_in(client, north):
    response = client.get(f"/team/{north.id}/board")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert client.post(f"/team/{north.id}/board").status_code in (302, 400)
    assert TeamBoard.select().count() == 0


def test_making_the_link_needs_the_forms_csrf_token(as_lena, north):
    response = as_lena.post(f"/team/{north.id}/board", csrf=False)
    assert response.status_code == 400
    assert TeamBoard.select().count() == 0


def test_two_new_links_at_once_leave_one_board_for_the_team(live_server, north, lena):
    sessions = [_signed_in(live_server, lena.email) for _ in range(4)]
    start = threading.Barrier(len(sessions))

    def press(pair):
        session, token = pair
        start.wait()
        return session.post(
            f"{live_server}/team/{north.id}/board",
            data={"csrf_token": token},
            allow_redirects=False,
        )

    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        responses = list(pool.map(press, sessions))

    assert [r.status_code for r in responses] == [303] * 4
    assert TeamBoard.select().count() == 1
    token = TeamBoard.get().token
    assert requests.get(f"{live_server}/board/{token}").status_code == 200


# The wall screen --------------------------------------------------------------------------------


@pytest.fixture
def board(north, lena):
    return make_board(north, lena)


def test_the_board_shows_the_story_of_the_week_the_announcement_and_the_figure(
    client, board, north, alice, bob, lena
):
    story = tell(alice, bob, title="The Saturday Call", featured_week=date(2026, 11, 16))
    Announcement.write(
        north,
        date(2026, 11, 16),
        lena,
        bob,
        "This week's One True Customer recognition goes to Bob Okafor. He called back within the hour.",
        NOW,
        story=story,
    )
    CheckIn.create(person=alice, day=WEDNESDAY, before="yes", before_note="My private reflection")
    CheckIn.create(person=bob, day=date(2026, 11, 16), during="yes")

    response = client.get(f"/board/{board}")

    page = page_of(response)
    assert response.status_code == 200
    assert '<h1 class="board-team">North</h1>' in page
    assert "Story of the week" in page and "The Saturday Call" in page
    assert "Bob Okafor" in page and "told by Alice Martin" in page
    assert "He called back within the hour." in page
    assert "This week's One True Customer recognition goes to Bob Okafor." not in page
    assert '<p class="board-figure">22%</p>' in page  # 2 of 9 work days (3 members, Mon–Wed)
    assert "2 of 9" in page
    assert "My private reflection" not in page
    # 10:00 UTC is 11:00 in Berlin, where most of North keeps its days.
    assert 'Updated <time datetime="2026-11-18T11:00:00+01:00">11:00</time>' in page
    assert "Week of Mon 16 Nov" in page


def test_the_board_is_a_strict_kiosk_page(client, board):
    response = client.get(f"/board/{board}")
    page = page_of(response)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script
    assert " style=" not in page
    assert re.search(r'<script src="/static/js/board\.[0-9a-f]{12}\.js" defer>', page)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "HX-Request" in response.headers["Vary"]
    assert "csrf-token" not in page
    assert page.count("<h1") == 1


def test_the_boards_poll_gets_the_fragment_alone(client, board):
    response = client.htmx("GET", f"/board/{board}")
    page = page_of(response)
    assert response.status_code == 200
    assert "<html" not in page and "<h1" not in page
    assert page.startswith("{# ") is False
    assert re.search(
        r'<main id="board-now"[^>]*hx-get="/board/[^"]+"[^>]*hx-trigger="every 60s"', page
    )
    assert 'hx-swap="outerHTML"' in page


def test_the_board_never_shows_hidden_stories_or_another_teams_things(
    client, board, alice, bob, carl, lena
):
    shown = tell(alice, title="Told and shown")
    hidden = tell(alice, title="Hidden by the lead", hidden=True)
    theirs = tell(carl, title="South's own story")
    thank(bob, alice, "North's thanks")
    thank(carl, carl, "South's thanks")

    page = page_of(client.get(f"/board/{board}"))

    assert "Told and shown" in page
    assert "Hidden by the lead" not in page and f"/stories/{hidden.id}/" not in page
    assert "South's own story" not in page and f"/stories/{theirs.id}/" not in page
    assert "North's thanks" in page and "South's thanks" not in page
    for story in (hidden, theirs):
        asked = f"/board/{board}/stories/{story.id}/portrait-0123456789abcdef.png"
        assert client.get(asked).status_code == 404
    other = Recognition.get(Recognition.message == "South's thanks")
    assert client.get(f"/board/{board}/recognitions/{other.id}/portrait-abc.png").status_code == 404
    del shown


def test_a_story_hidden_after_the_board_showed_it_leaves_the_board(client, board, alice):
    story = tell(alice, title="Soon hidden")
    card = re.search(
        r'src="(/board/[^"]+/stories/[^"]+\.png)"', page_of(client.get(f"/board/{board}"))
    ).group(1)
    Story.update(hidden=True).where(Story.id == story.id).execute()
    assert "Soon hidden" not in page_of(client.htmx("GET", f"/board/{board}"))
    assert client.get(card).status_code == 404


def test_the_boards_cards_are_the_story_and_recognition_images(client, board, alice, bob):
    tell(alice)
    thank(alice, bob)
    page = page_of(client.get(f"/board/{board}"))
    sources = re.findall(r'<img src="(/board/[^"]+\.png)" alt="([^"]+)"', page)
    assert len(sources) == 2
    assert {alt.split(":")[0] for _, alt in sources} == {"Story card", "Recognition card"}
    for src, _alt in sources:
        response = client.get(src)
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert Image.open(io.BytesIO(response.data)).size == (1080, 1350)
        assert "immutable" in response.headers["Cache-Control"]
    old = re.sub(r"portrait-[0-9a-f]+\.png", "portrait-0000000000000000.png", sources[0][0])
    moved = client.get(old)
    assert moved.status_code == 302 and moved.headers["Location"].endswith(sources[0][0])


def test_the_latest_story_stands_in_when_none_is_featured(client, board, alice):
    tell(alice, title="Only story")
    page = page_of(client.get(f"/board/{board}"))
    assert "The latest story" in page and "Only story" in page


def test_an_empty_board_says_what_will_appear_in_one_line_and_leaves_out_empty_panels(
    client, board
):
    page = page_of(client.get(f"/board/{board}"))
    assert "The first story is waiting to be told." in page
    assert "fewer than 3" in page  # North has only its lead
    # No recognition announced, no cards yet: no panel stands empty, the rest take the room.
    assert "board-announcement" not in page and "Recognised this week" not in page
    assert "Recent stories and recognitions" not in page and "<img" not in page
    assert 'class="board-now is-without-cards is-without-announcement"' in page


def test_the_weeks_recognition_panel_shows_only_once_it_is_announced(
    client, board, north, lena, bob
):
    tell(bob, title="A card to show")
    page = page_of(client.get(f"/board/{board}"))
    assert "Recognised this week" not in page and "is-without-announcement" in page

    Announcement.write(north, date(2026, 11, 16), lena, bob, "Well done, Bob.", NOW)

    page = page_of(client.htmx("GET", f"/board/{board}"))
    assert 'class="board-now"' in page
    panel = page.split('aria-labelledby="board-announcement-label"')[1].split("</section>")[0]
    assert "Recognised this week" in panel and "Bob Okafor" in panel and "Well done, Bob." in panel


@pytest.mark.parametrize(
    "token",
    [
        "nope",
        "%00",
        "abc%00def",
        "a" * 65,
        "a" * 500,
        "%C3%A9t%C3%A9",
        "..%2F..%2Fetc",
        "%20",
        "-_-",
    ],
)
def test_a_garbage_token_is_a_404_never_a_500(client, board, token):
    assert client.get(f"/board/{token}").status_code == 404
    assert client.htmx("GET", f"/board/{token}").status_code == 404
    assert client.get(f"/board/{token}/stories/1/portrait-abc.png").status_code == 404
    assert client.get(f"/board/{token}/recognitions/1/portrait-abc.png").status_code == 404


# Participation ----------------------------------------------------------------------------------


def test_participation_is_the_share_of_members_work_days_with_a_check_in(
    client, board, north, alice, bob, lena
):
    dana = make_person("Dana Weekend", "dana@example.com", team=north)
    dana.workdays = "5,6"  # Saturday and Sunday: no work day yet this week
    dana.save()
    gone = make_person("Gone Away", "gone@example.com", team=north)
    gone.active = False
    gone.save()
    CheckIn.create(person=gone, day=WEDNESDAY)
    CheckIn.create(person=alice, day=date(2026, 11, 15))  # last week's Sunday
    CheckIn.create(person=bob, day=date(2026, 11, 17))
    CheckIn.create(person=lena, day=date(2026, 11, 18))

    page = page_of(client.get(f"/board/{board}"))

    # Alice, Bob and Lena had three work days each; Dana had none yet; Gone left.
    assert '<p class="board-figure">22%</p>' in page and "2 of 9" in page


def test_a_check_in_on_a_day_off_is_welcome_but_not_a_work_day_check_in(
    client, board, north, alice, bob, lena, clock
):
    clock.set(datetime(2026, 11, 22, 10, 0, tzinfo=clock.now().tzinfo))  # Sunday
    CheckIn.create(person=alice, day=date(2026, 11, 21))  # Saturday, a day off
    page = page_of(client.get(f"/board/{board}"))
    assert '<p class="board-figure">0%</p>' in page and "The first could be yours" in page


def test_fewer_than_three_people_show_no_figure(client, board, alice, lena):
    CheckIn.create(person=alice, day=WEDNESDAY)
    page = page_of(client.get(f"/board/{board}"))
    assert '<p class="board-figure is-small-group">fewer than 3</p>' in page
    assert "%</p>" not in page


def test_another_teams_check_ins_never_count(client, board, alice, bob, lena, carl, south):
    for n in range(3):
        person = make_person(f"South {n}", f"s{n}@example.com", team=south)
        CheckIn.create(person=person, day=WEDNESDAY)
    CheckIn.create(person=carl, day=WEDNESDAY)
    page = page_of(client.get(f"/board/{board}"))
    assert '<p class="board-figure">0%</p>' in page


def test_the_boards_poll_takes_five_statements_however_much_there_is(
    client, board, alice, bob, lena
):
    from bench.statements import Statements

    featured = tell(alice, bob, featured_week=date(2026, 11, 16))
    for n in range(12):
        tell(alice, title=f"Story {n}")
        thank(bob, alice, f"Thanks {n}")
    Announcement.write(alice.team, date(2026, 11, 16), lena, bob, "Well done, Bob.", NOW)
    client.htmx("GET", f"/board/{board}")
    with Statements() as sent:
        page = page_of(client.htmx("GET", f"/board/{board}"))
    assert featured.heading in page and "Well done, Bob." in page
    assert page.count('role="group"') == 8
    statements = [sql for _, sql in sent.data]
    assert len(statements) <= 5, statements


def test_upgrading_to_the_board_release_adds_one_board_per_team(empty_database):  # noqa: F811
    import peewee

    import models

    models.open_database(empty_database)
    models.router().run("012_digest")
    models.db.execute_sql("INSERT INTO team (name, created_at) VALUES ('North', '2026-01-01')")
    models.db.execute_sql("INSERT INTO team (name, created_at) VALUES ('South', '2026-01-01')")

    assert "013_board" in models.migrate()

    insert = "INSERT INTO team_board (team_id, token, made_at) VALUES (?, ?, '2026-01-02')"
    if not models.is_sqlite():
        insert = insert.replace("?", "%s")
    models.db.execute_sql(insert, (1, "a"))
    for team_id, token in ((1, "b"), (2, "a")):  # one board a team, each link unique
        with pytest.raises(peewee.IntegrityError), models.db.atomic():
            models.db.execute_sql(insert, (team_id, token))
    assert models.TeamBoard.get().token == "a"


def _busy_week(north, south, alice, bob, lena, carl):
    """North: four members with their own work days, check-ins on and off them; South checks in too."""
    dana = make_person("Dana Weekend", "dana@example.com", team=north)
    dana.workdays = "2,5,6"  # Wednesday and the weekend
    dana.save()
    eve = make_person("Eve Left", "eve@example.com", team=north)
    eve.active = False
    eve.save()
    for person, days in (
        (alice, (16, 17, 18)),
        (bob, (16, 21)),  # Saturday is a day off
        (lena, (18,)),
        (dana, (18, 22)),
        (eve, (16, 17)),
        (carl, (16, 17, 18)),
    ):
        for day in days:
            CheckIn.create(person=person, day=date(2026, 11, day))
    return dana


@pytest.mark.parametrize("day", range(16, 23))
def test_the_board_counts_participation_exactly_as_the_dashboard(
    app, north, south, alice, bob, lena, carl, day
):
    from models import board_participation, week_counts

    _busy_week(north, south, alice, bob, lena, carl)
    today, monday = date(2026, 11, day), date(2026, 11, 16)
    dashboard = week_counts([monday], today, team_id=north.id)[(north.id, monday)]
    assert board_participation(north, today) == (
        dashboard.members,
        dashboard.workdays,
        dashboard.checked,
    )


def test_the_board_and_the_dashboard_show_the_same_participation(
    app, client, board, north, south, alice, bob, lena, carl
):
    from game.indicators import PARTICIPATION_HOW

    _busy_week(north, south, alice, bob, lena, carl)
    wall = page_of(client.get(f"/board/{board}"))
    lead = page_of(sign_in(app.test_client(), lena).get(f"/dashboard?team={north.id}"))

    # Wednesday: Alice 3 of 3 work days, Bob 1 of 3, Lena 1 of 3, Dana 1 of 1: 6 of 10.
    assert '<p class="board-figure">60%</p>' in wall and "6 of 10" in wall
    card = lead.split('id="card-participation"')[1].split("</article>")[0]
    assert '<span class="dash-value">60%</span> <span class="dash-sub">this week so far' in card
    # The dashboard says how it is computed; the wall says what it means, in words read across a room.
    assert PARTICIPATION_HOW in card and PARTICIPATION_HOW not in wall
    assert "of our work days so far this week had a check-in" in wall
