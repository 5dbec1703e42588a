"""The lead's weekly announcement: "This week's One True Customer recognition goes to…", its card and share link."""

from __future__ import annotations

import functools

from flask import Blueprint, abort, flash, g, request, url_for

import cards
from game.days import week_start
from models import ANNOUNCEMENT_MAX, Announcement, Person, Recognition, Story, Team
from pwa import clock, events
from pwa.card_cache import ON_PAGE_SIZE, CardKind
from pwa.stories import excerpt
from pwa.web import back, check_length, clean_text, found, render, sign_in_required, today_for

bp = Blueprint("announcements", __name__)

# The campaign's sample announcement (Part 4 "Recognition Program"), with the week's words in it.
OPENING = "This week's One True Customer recognition goes to {name}."
CLOSING = "That's One True Customer in action."


def drafted(name: str, what: str) -> str:
    """The campaign's announcement for name, around what they did, within ANNOUNCEMENT_MAX."""
    opening = OPENING.format(name=name)
    # What they did gives way, cut at a word: the lead must never be handed a draft to refuse.
    room = ANNOUNCEMENT_MAX - len(opening) - len(CLOSING) - len("  .")
    what = excerpt(what, room)
    if what and what[-1] not in ".!?…”\"'":
        what += "."
    return " ".join(part for part in (opening, what, CLOSING) if part)


def _team(team_id: int) -> Team:
    team = Team.get_or_none(Team.id == team_id)
    if team is None:
        abort(404)
    return team


def _led(team_id: int) -> Team:
    """The team, if the signed-in person leads it (or is an admin)."""
    team = _team(team_id)
    if not g.person.leads_team(team):
        abort(403)
    return team


def candidates(team: Team, week) -> list[dict]:
    """This week's recognitions and stories of the team's members, to announce one."""
    # Only moments about someone it may go to: never the former colleague who stands in for a
    # deleted person (the draft would say it "goes to A former colleague"), nor anyone gone since.
    members = {m.id for m in team.members()}
    found = [
        {
            "key": f"recognition-{r.id}",
            "kind": "Recognition",
            "person": r.receiver,
            "what": r.message,
            "recognition": r,
            "by": r.giver.name,
        }
        for r in Recognition.of_team_week(team, week)
    ]
    found += [
        {
            "key": f"story-{s.id}",
            "kind": "Story",
            "person": s.member,
            "what": " ".join(part for part in (s.moment, s.impact) if part),
            "story": s,
            "by": s.author.name,
        }
        for s in Story.feed(g.person, team=team, limit=30)
        if s.day >= week and not s.hidden
    ]
    return [pick for pick in found if pick["person"].id in members]


def _form_page(team, week, form, picks, errors=None, status=200):
    return render(
        "announcements/form.html",
        status=status,
        team=team,
        week=week,
        form=form,
        picks=picks,
        errors=errors or {},
        members=list(team.members()),
        existing=Announcement.of_week(team, week),
        text_max=ANNOUNCEMENT_MAX,
    )


@bp.route("/teams/<id:team_id>/announcement")
@sign_in_required
def new(team_id: int):
    """Show this week's announcement form, drafted from the recognition or story the lead picks."""
    team = _led(team_id)
    week = week_start(today_for(g.person))
    picks = candidates(team, week)
    existing = Announcement.of_week(team, week)
    chosen = next((p for p in picks if p["key"] == request.args.get("from")), None)
    if chosen is None and existing is None and picks:
        chosen = picks[0]
    if chosen is not None:
        form = {
            "source": chosen["key"],
            "receiver": str(chosen["person"].id),
            "text": drafted(chosen["person"].name, chosen["what"]),
        }
    elif existing is not None:
        source = (
            f"recognition-{existing.recognition_id}"
            if existing.recognition_id
            else (f"story-{existing.story_id}" if existing.story_id else "")
        )
        form = {"source": source, "receiver": str(existing.receiver_id), "text": existing.text}
    else:
        form = {"source": "", "receiver": "", "text": drafted("[Name]", "")}
    return _form_page(team, week, form, picks)


@bp.route("/teams/<id:team_id>/announcement", methods=["POST"])
@sign_in_required
def write(team_id: int):
    """Pin this week's announcement on the team's feed (writing it again edits it)."""
    team = _led(team_id)
    week = week_start(today_for(g.person))
    picks = candidates(team, week)
    form = {
        "source": clean_text(request.form.get("source"))[:40],
        "receiver": clean_text(request.form.get("receiver"))[:12],
        "text": clean_text(request.form.get("text")),
    }
    errors = {}
    members = {str(m.id): m for m in team.members()}
    receiver = members.get(form["receiver"])
    if receiver is None:
        errors["receiver"] = f"Pick who it goes to from {team.name}'s members."
    check_length(errors, "text", form["text"], "The announcement", ANNOUNCEMENT_MAX, required=True)
    if "[Name]" in form["text"]:
        errors["text"] = "Put the person's name where it says [Name]."
    source = next((p for p in picks if p["key"] == form["source"]), None)
    if form["source"] and source is None:
        errors["source"] = "Pick one of this week's recognitions or stories, or none."
    if errors:
        return _form_page(team, week, form, picks, errors, status=422)
    announcement = Announcement.write(
        team,
        week,
        g.person,
        receiver,
        form["text"],
        clock.naive_now(),
        recognition=(source or {}).get("recognition"),
        story=(source or {}).get("story"),
    )
    events.announced(announcement)
    flash(f"Pinned on {team.name}'s recognition feed for the week. Share it below.", "success")
    return back("announcements.show", announcement_id=announcement.id)


@bp.route("/teams/<id:team_id>/announcements")
@sign_in_required
def past(team_id: int):
    """List the team's weekly announcements, this week's first."""
    team = _team(team_id)
    return render(
        "announcements/past.html",
        team=team,
        announcements=Announcement.past(team),
        may_write=g.person.leads_team(team),
    )


@bp.route("/announcements/<id:announcement_id>")
@sign_in_required
def show(announcement_id: int):
    """Show one week's announcement with its card and share link."""
    announcement = found(Announcement, announcement_id)
    team = announcement.team
    return render(
        "announcements/show.html",
        announcement=announcement,
        this_week=announcement.week == week_start(today_for(g.person)),
        may_write=g.person.leads_team(team),
        portrait_url=card_url(announcement, "portrait"),
        **CARDS.share_panel(announcement, g.person),
        on_page_url=CARDS.on_page_url(announcement),
        on_page_size=ON_PAGE_SIZE,
    )


# Cards and share links ----------------------------------------------------------------------------


def card_of(announcement: Announcement, size: str = "portrait") -> cards.Announcement:
    """What the announcement's card shows (the same at every size)."""
    lead = announcement.lead.name if announcement.lead_id and announcement.lead else ""
    return cards.Announcement(
        lead=lead,
        receiver=announcement.receiver.name,
        text=announcement.text,
        team=announcement.team.name,
        week_of=announcement.week,
        share_url=share_url(announcement),
    )


def _manages_share(announcement: Announcement, person: Person) -> bool:
    """Whether person may revoke or renew the announcement's share link: the lead who wrote it, or an admin."""
    return person.is_admin or (
        announcement.lead_id is not None and announcement.lead_id == person.id
    )


CARDS = CardKind("announcements", "announcement_id", card_of, Announcement, _manages_share)
share_url, card_url = CARDS.share_url, CARDS.card_url


@bp.route("/a/<token>")
def public(token: str):
    """Show only the announcement's card behind its share link, with the tags chat tools unfurl."""
    announcement = CARDS.shared(token)
    name = announcement.receiver.name
    return CARDS.public_page(
        announcement,
        url_for("announcements.show", announcement_id=announcement.id),
        title=f"This week's One True Customer recognition goes to {name}",
        eyebrow=f"{announcement.team.name} · week of {announcement.week:%d %B %Y}",
        description=announcement.text[:200],
        card_alt=f"Announcement card: this week's recognition goes to {name}",
    )


CARDS.add_routes(
    bp, "/announcements", "/a", functools.partial(found, Announcement), page_path="/announcements"
)
