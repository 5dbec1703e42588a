"""The team board: a wall screen behind a link the lead can change, with nobody signed in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import segno
from flask import Blueprint, abort, flash, g, render_template, url_for
from htmx_flask import make_response

import cards
from game.board import Slide, participation, rotation
from game.days import local_today, week_start
from game.indicators import FEWER, MIN_PEOPLE
from models import (
    Recognition,
    Story,
    TeamBoard,
    board_announcement,
    board_participation,
    board_recognitions,
    board_stories,
    in_sentence,
)
from pwa import clock
from pwa.announcements import OPENING
from pwa.card_cache import send_card
from pwa.recognition import card_of as recognition_card_of
from pwa.stories import card_text as story_card_of
from pwa.stories import excerpt
from pwa.team import _team_acted_on
from pwa.web import back, external_url, is_token, render, role_required, wants_fragment

bp = Blueprint("board", __name__)

# Cards in the rotation: the latest of each kind, alternating.
SLIDES = 8
# How often the board asks for what is new, and how long each card stays (board.js reads both).
POLL_SECONDS = 60
ROTATE_SECONDS = 12
MOMENT_EXCERPT = 260
ANNOUNCEMENT_EXCERPT = 320


def _board_url(token: str) -> str:
    return external_url("board.show", token=token)


def _qr(url: str) -> str:
    """The board link as a QR code, drawn here (segno, as on the cards), for an img's src."""
    return segno.make(url, error="m").png_data_uri(scale=10, border=2, dark="#1C2541")


@bp.route("/team/<id:team_id>/board")
@role_required("lead", "admin")
def manage(team_id: int):
    """Show the team board's link and QR code, to put on a TV or a wall screen."""
    team = _team_acted_on(g.person, team_id)
    board = TeamBoard.of(team)
    url = _board_url(board.token) if board else None
    return render(
        "team/board.html",
        team=team,
        board=board,
        board_url=url,
        qr=_qr(url) if url else None,
        fewer=FEWER,
        min_people=MIN_PEOPLE,
    )


@bp.route("/team/<id:team_id>/board", methods=["POST"])
@role_required("lead", "admin")
def make(team_id: int):
    """Make the team's board link, or a new one in its place (the old link stops at once)."""
    team = _team_acted_on(g.person, team_id)
    changed = TeamBoard.of(team) is not None
    TeamBoard.make(team, g.person, clock.naive_now())
    if changed:
        flash(
            "The board has a new link. The old one shows nothing now: open this one on the screen.",
            "success",
        )
    else:
        flash(
            "The board's link is ready. Open it on the screen, or scan the code with it.", "success"
        )
    return back("board.manage", team_id=team.id)


def _opened(token: str):
    """The team and time zone behind a live board link, or None for any other token."""
    if not is_token(token) or len(token) > 64:
        return None  # a NUL, a space or an overlong value names no board, on any database
    return TeamBoard.opened(token)


def _kiosk(response):
    """A board page: nothing caches it (a changed link stops at once), no search engine lists it."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/board/<token>")
def show(token: str):
    """Show the team's board (its own poll gets the fragment): published stories and thanks, no notes."""
    found = _opened(token)
    if found is None:
        if wants_fragment():
            # The poll of a board whose link was changed: the screen says so and stops asking.
            return _kiosk(make_response(render_template("partials/board_gone.html"), 404))
        abort(404)
    team, tz = found
    now = clock.now()
    today = local_today(now, tz)
    week = week_start(today)
    # The story of the week is told in large type beside the cards, so it isn't one of them.
    featured, stories = board_stories(team, week, SLIDES)
    recognitions = board_recognitions(team, SLIDES)
    slides = _slides(token, stories, recognitions)
    announcement = board_announcement(team, week)
    return _kiosk(
        render(
            "board/show.html",
            fragment="partials/board_now.html",
            team=team,
            token=token,
            week=week,
            story=featured or (stories[0] if stories else None),
            featured=featured is not None,
            slides=slides,
            announcement=announcement,
            announcement_text=_announced(announcement),
            participation=participation(*board_participation(team.id, today)),
            updated=now.astimezone(ZoneInfo(tz)),
            poll_seconds=POLL_SECONDS,
            rotate_seconds=ROTATE_SECONDS,
            moment_excerpt=MOMENT_EXCERPT,
            excerpt=excerpt,
        )
    )


def _announced(announcement) -> str:
    """The announcement's words under the name the board already shows in large type."""
    if announcement is None:
        return ""
    text = " ".join(announcement.text.split())
    opening = OPENING.format(name=announcement.receiver.name)
    if text.startswith(opening) and text != opening:
        text = text[len(opening) :].lstrip()
    return excerpt(text, ANNOUNCEMENT_EXCERPT)


def _slides(token: str, stories, recognitions) -> list[dict]:
    """The cards the board rotates, newest first, each with its image URL and what it says."""
    by_key = {("story", s.id): s for s in stories} | {
        ("recognition", r.id): r for r in recognitions
    }
    order = rotation(
        [Slide("story", s.id, s.created_at) for s in stories],
        [Slide("recognition", r.id, r.created_at) for r in recognitions],
        SLIDES,
    )
    slides = []
    for slide in order:
        item = by_key[(slide.kind, slide.id)]
        if slide.kind == "story":
            src = url_for(
                "board.story_card",
                token=token,
                story_id=item.id,
                card=cards.card_hash(story_card_of(item, "portrait")),
            )
            author = in_sentence(item.author.name)
            alt = f"Story card: {item.heading}. {item.member.name}, told by {author}."
        else:
            src = url_for(
                "board.recognition_card",
                token=token,
                recognition_id=item.id,
                card=cards.card_hash(recognition_card_of(item)),
            )
            receiver = in_sentence(item.receiver.name)
            alt = f"Recognition card: {item.giver.name} recognised {receiver}: {item.message}"
        slides.append({"key": f"{slide.kind}-{item.id}", "src": src, "alt": alt})
    return slides


@bp.route("/board/<token>/stories/<id:story_id>/portrait-<card>.png")
def story_card(token: str, story_id: int, card: str):
    """Send a story's portrait card to the board of its team (never a hidden story's)."""
    found = _opened(token)
    story = Story.one(story_id) if found else None
    if story is None or story.hidden or story.team_id != found[0].id:
        abort(404)
    value = story_card_of(story, "portrait")
    return _send(value, card, story, "board.story_card", token=token, story_id=story.id)


@bp.route("/board/<token>/recognitions/<id:recognition_id>/portrait-<card>.png")
def recognition_card(token: str, recognition_id: int, card: str):
    """Send a recognition's portrait card to the board of its team."""
    found = _opened(token)
    recognition = Recognition.one(recognition_id) if found else None
    if recognition is None or recognition.team_id != found[0].id:
        abort(404)
    value = recognition_card_of(recognition)
    return _send(
        value, card, None, "board.recognition_card", token=token, recognition_id=recognition.id
    )


def _send(value, asked: str, story, endpoint: str, **ids):
    """The card's PNG, which the screen keeps (its URL names its content); an older URL moves on."""

    def moved() -> str:
        return url_for(endpoint, card=cards.card_hash(value), **ids)

    return send_card(value, "portrait", asked, False, moved, story)
