"""Stories: the campaign's template, drafts, feeds, applause, story of the week, share links, cards."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import UTC, date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, request, session, url_for

import cards
import push.events
from game.days import week_start
from models import (
    STORY_DRAFT_FIELDS,
    STORY_KINDS,
    STORY_PHASES,
    STORY_TEXT_MAX,
    STORY_TITLE_MAX,
    IntegrityError,
    Person,
    PersonGone,
    Reaction,
    Story,
    StoryDraft,
    again_after_deadlock,
    db,
    new_token,
    person_order,
)
from pwa import clock, events
from pwa.card_cache import ON_PAGE_SIZE, CardKind
from pwa.web import (
    back,
    check_length,
    clean_text,
    form_key,
    found,
    parse_id,
    render,
    short_date,
    sign_in_required,
    today_for,
    wants_fragment,
)

bp = Blueprint("stories", __name__)

PAGE_SIZE = 10
EARLIEST_DAY = date(1970, 1, 1)  # a leader's story from early in their career is welcome
FAR_FUTURE = re.compile(
    r"\+?0*[1-9]\d{4,5}-\d\d-\d\d"
)  # a year from 10000 on, as a date field sends it
FEED_EXCERPT = 220
OG_EXCERPT = 200
KIND_LABELS = {"external": "External customer", "colleague": "Colleague"}
PHASE_LABELS = {"before": "Before", "during": "During", "after": "After"}
# The campaign's template (Part 3): field, label, its question, required.
TEMPLATE = (
    (
        "situation",
        "The situation",
        "What was happening? What was the customer's need or problem?",
        True,
    ),
    (
        "moment",
        "The One True Customer moment",
        "What did the team member do that showed they treated them as their only customer?",
        True,
    ),
    ("impact", "The impact", "What was the outcome? How did the customer respond?", False),
    (
        "lesson",
        "The lesson",
        "What does this story teach others about One True Customer behaviour?",
        False,
    ),
)
# Letters and symbols that are drawn as nothing (Hangul fillers, the blank Braille pattern).
BLANK_SIGNS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


@bp.context_processor
def labels() -> dict:
    """The words for a story's phase and kind of customer, in every story template."""
    return {"phase_labels": PHASE_LABELS, "kind_labels": KIND_LABELS}


def excerpt(text: str, limit: int) -> str:
    """The text cut at a word boundary to at most limit characters, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def visible(text: str) -> bool:
    """Whether text shows anything: more than spaces, format characters (U+200B…) and lone marks."""
    return any(
        unicodedata.category(ch)[0] not in "ZM"
        and unicodedata.category(ch) not in ("Cc", "Cf")  # unassigned Cn may be a newer emoji
        and not ch.isspace()
        and ch not in BLANK_SIGNS
        for ch in text
    )


def card_text(story: Story, size: str) -> cards.Story:
    """What the story's card shows; a portrait carries a QR code of the live share link."""
    team = story.team.name if story.team_id and story.team else ""
    return cards.Story(
        **{f: getattr(story, f) for f in ("title", "moment", "impact", "day", "phase")},
        teller=story.author.name,
        member=story.member.name,
        team=team,
        share_url=CARDS.share_url(story) if size == "portrait" else None,
    )


def _manages_share(story: Story, person: Person) -> bool:
    """Whether person may revoke or renew the story's share link: its teller, team lead or an admin."""
    return story.author_id == person.id or story.moderated_by(person)


def _readable(story_id: int) -> Story:
    """The story, if the signed-in person may read it; 404 otherwise (hidden ones stay unknown)."""
    return found(Story, story_id, lambda story: story.can_read(g.person))


def _own(story_id: int) -> Story:
    """The story, if the signed-in person told it."""
    story = _readable(story_id)
    if story.author_id != g.person.id:
        abort(403)
    return story


def _moderated(story_id: int) -> Story:
    """The story, if the signed-in person leads its team or is an admin."""
    story = _readable(story_id)
    if not story.moderated_by(g.person):
        abort(403)
    return story


def _local_time(person: Person, when) -> str:
    """When a draft was kept, in the person's own time: "10:42", or "Tue 17 Nov, 10:42"."""
    local = when.replace(tzinfo=UTC).astimezone(ZoneInfo(person.tz))
    if local.date() == today_for(person):
        return f"{local:%H:%M}"
    return f"{short_date(local.date())}, {local:%H:%M}"


# Feeds -----------------------------------------------------------------------------------------


@bp.route("/stories")
@sign_in_required
def feed():
    """Show my team's stories (or the whole organisation's), newest first, story of the week on top."""
    person = g.person
    scope = "org" if request.args.get("scope") == "org" or person.team_id is None else "team"
    before = parse_id(request.args.get("before"))
    pinned = None
    if scope == "team":
        pinned = Story.of_the_week(person.team_id, week_start(today_for(person)))
    stories = Story.feed(
        person,
        team=person.team_id if scope == "team" else None,
        before=before,
        limit=PAGE_SIZE + 1,
        leave_out=pinned.id if pinned else None,
    )
    more = len(stories) > PAGE_SIZE
    stories = stories[:PAGE_SIZE]
    ids = [s.id for s in stories] + ([pinned.id] if pinned else [])
    return render(
        "stories/feed.html",
        fragment="partials/story_rows.html",
        scope=scope,
        stories=stories,
        pinned=pinned if not before else None,
        paging=bool(before),
        more=more,
        next_before=stories[-1].id if more else None,
        applause=Reaction.counts(ids),
    )


# Telling a story ---------------------------------------------------------------------------------


def _blank_form(person: Person) -> dict:
    form = dict.fromkeys(STORY_DRAFT_FIELDS, "")
    form["day"] = today_for(person).isoformat()
    form["member"] = str(person.id)
    return form


def _read_form() -> dict:
    return {name: clean_text(request.form.get(name)) for name in STORY_DRAFT_FIELDS}


def _check(form: dict, person: Person) -> tuple[dict, Person | None, date | None]:
    """Messages for every field that can't be published as it is, the member and the date."""
    errors: dict[str, str] = {}
    day = None
    today = today_for(person)
    future = (
        f"The date can't be in the future: today is {today:%A} {today.day} {today:%B}."
        " Pick the day it happened."
    )
    try:
        day = date.fromisoformat(form["day"])
    except ValueError:
        # A date field takes years up to 275760: one past 9999 is no date Python knows, but it
        # is in the future all the same.
        far = FAR_FUTURE.fullmatch(form["day"])
        errors["day"] = future if far else "Pick the date it happened."
    else:
        if day > today:
            errors["day"] = future
        elif day < EARLIEST_DAY:
            errors["day"] = "Pick a date from 1970 on."
    member = None
    if member_id := parse_id(form["member"]):
        member = Person.get_or_none(Person.id == member_id)
    if member is None:
        errors["member"] = (
            "Pick the team member from the list: that person isn't in the organisation."
        )
    elif not member.active:
        errors["member"] = f"{member.name} is no longer active here. Pick someone from the list."
        member = None
    if not visible(form["title"]):
        form["title"] = ""  # a title nobody can see would make a blank heading
    check_length(errors, "title", form["title"], "The title", STORY_TITLE_MAX)
    for name, label, _question, required in TEMPLATE:
        check_length(errors, name, form[name], label, STORY_TEXT_MAX, required=required)
        if required and form[name] and name not in errors and not visible(form[name]):
            errors[name] = f"{label} is needed: what is there holds only invisible characters."
    if form["customer_kind"] not in STORY_KINDS:
        errors["customer_kind"] = "Tap External customer or Colleague."
    if form["phase"] not in STORY_PHASES:
        errors["phase"] = "Tap Before, During or After."
    return errors, member, day


def _draft_gone() -> bool:
    """Whether the draft was just published or discarded: the page tells the phone to forget its copy."""
    return session.pop("story_draft_gone", False)


def _forget_draft(person: Person) -> None:
    """Forget person's draft on the server, and (on the next page) the copy kept on their phone."""
    StoryDraft.discard(person)
    session["story_draft_gone"] = True


def _form_page(
    form: dict,
    errors: dict | None = None,
    story: Story | None = None,
    status=200,
    draft=None,
    submit_key=None,
):
    person = g.person
    return render(
        "stories/form.html",
        status=status,
        form=form,
        errors=errors or {},
        story=story,
        draft=draft,
        draft_time=_local_time(person, draft.updated_at) if draft else None,
        # When the server's draft was kept (ms since 1970): the phone's own copy wins if newer.
        draft_at=int(draft.updated_at.replace(tzinfo=UTC).timestamp() * 1000) if draft else 0,
        draft_gone=_draft_gone(),
        saved=request.args.get("saved") == "1",
        max_day=today_for(person).isoformat(),
        people=sorted(person.organisation(), key=person_order),
        parts=TEMPLATE,
        text_max=STORY_TEXT_MAX,
        title_max=STORY_TITLE_MAX,
        # A failed publish keeps its key, so a later success is still one story.
        submit_key=submit_key or form_key(request.form.get("key")) or uuid.uuid4().hex,
    )


@bp.route("/stories/new")
@sign_in_required
def new():
    """Show the story template, filled with my draft if I left one."""
    person = g.person
    form = _blank_form(person)
    draft = StoryDraft.of(person)
    if draft is not None:
        form.update(
            {name: getattr(draft, name) for name in STORY_DRAFT_FIELDS if getattr(draft, name)}
        )
    return _form_page(form, draft=draft)


@bp.route("/stories/new", methods=["POST"])
@sign_in_required
def create():
    """Publish my story (and forget the draft), or show the form again with what to fix."""
    person = g.person
    form = _read_form()
    errors, member, day = _check(form, person)
    now = clock.naive_now()
    key = form_key(request.form.get("key"))
    if key and (sent := Story.get_or_none(Story.submit_key == key)):
        return _sent_before(sent, form)
    if errors:
        # Whatever happens next (a closed tab), the text typed so far is kept.
        draft = StoryDraft.keep(person, form, now)
        return _form_page(form, errors, status=422, draft=draft)
    try:
        story = _publish(person, form, member, day, key, now)
    except PersonGone as gone:
        if gone.person_id == person.id:
            raise  # I was deleted meanwhile: signed out (pwa/errors.py)
        errors = {"member": f"{member.name} is no longer in the organisation. Pick someone else."}
        draft = StoryDraft.keep(person, form, now)
        return _form_page(form, errors, status=422, draft=draft)
    except IntegrityError:
        # A twin of this request published it a moment ago.
        return _sent_before(Story.get(Story.submit_key == key), form)
    events.content_changed(person)
    flash("Your story is on the feed. Thank you for telling it.", "success")
    return back("stories.show", story_id=story.id)


def _sent_before(story: Story, form: dict):
    """The story this form's key already published: mine is shown; anyone else's is a 422."""
    if story.author_id == g.person.id:
        return back("stories.show", story_id=story.id)  # the same form sent again
    errors = {
        "key": "This form was already sent by someone else. Check your story and send it again."
    }
    return _form_page(form, errors, status=422, submit_key=uuid.uuid4().hex)


@again_after_deadlock
def _publish(person, form, member, day, key, now) -> Story:
    with db.atomic():
        Person.hold(person.id, member.id)  # the lock order of a deletion under way
        story = Story.create(
            author=person,
            member=member,
            team=member.team_id,
            day=day,
            title=form["title"],
            situation=form["situation"],
            moment=form["moment"],
            impact=form["impact"],
            lesson=form["lesson"],
            customer_kind=form["customer_kind"],
            phase=form["phase"],
            share_token=new_token(),
            submit_key=key,
            created_at=now,
            updated_at=now,
        )
        _forget_draft(person)
    return story


@bp.route("/stories/draft", methods=["POST"])
@sign_in_required
def save_draft():
    """Keep what I have typed so far on the server (htmx sends it while I type)."""
    person = g.person
    draft = StoryDraft.keep(person, _read_form(), clock.naive_now())
    if request.form.get("via") == "beacon":
        return "", 204  # the page that sent it is gone
    if not wants_fragment():
        return back("stories.new", saved=1)
    return render(
        "partials/story_draft.html",
        draft=draft,
        draft_time=_local_time(person, draft.updated_at),
        saved=True,
    )


@bp.route("/stories/draft/discard")
@sign_in_required
def confirm_discard():
    """Ask before throwing my draft away."""
    draft = StoryDraft.of(g.person)
    if draft is None:
        return redirect(url_for("stories.new"))
    quote = next((text for text in (draft.moment, draft.situation) if visible(text)), "")
    return render("stories/discard.html", quote=quote)


@bp.route("/stories/draft/discard", methods=["POST"])
@sign_in_required
def discard_draft():
    """Throw my draft away once confirmed; else save the form's text first, so "keep" loses nothing."""
    person = g.person
    if request.form.get("confirm") == "yes":
        _forget_draft(person)
        flash("Draft discarded. Here's an empty template.", "success")
        return back("stories.new")
    StoryDraft.keep(person, _read_form(), clock.naive_now())
    return back("stories.confirm_discard")


# One story -----------------------------------------------------------------------------------


def _story_page(story: Story, status: int = 200):
    person = g.person
    return render(
        "stories/show.html",
        status=status,
        story=story,
        parts=TEMPLATE,
        this_week=week_start(today_for(person)),
        is_author=story.author_id == person.id,
        moderator=story.moderated_by(person),
        portrait_url=CARDS.card_url(story, "portrait"),
        on_page_url=CARDS.on_page_url(story),
        on_page_size=ON_PAGE_SIZE,
        draft_gone=_draft_gone(),
        **CARDS.share_panel(story, person),
        **_reactions(story),
    )


def _reactions(story: Story) -> dict:
    return {
        "applause": Reaction.counts([story.id]).get(story.id, 0),
        "applauded": story.id in Reaction.applauded(g.person, [story.id]),
    }


@bp.route("/stories/<id:story_id>")
@sign_in_required
def show(story_id: int):
    """Show the whole story, its applause, its card and the ways to share it."""
    return _story_page(_readable(story_id))


@bp.route("/stories/<id:story_id>/edit")
@sign_in_required
def edit(story_id: int):
    """Show my story in the template, to change it."""
    story = _own(story_id)
    form = {
        name: getattr(story, name) for name in STORY_DRAFT_FIELDS if name not in ("day", "member")
    }
    form.update(day=story.day.isoformat(), member=str(story.member_id))
    return _form_page(form, story=story)


@bp.route("/stories/<id:story_id>/edit", methods=["POST"])
@sign_in_required
def update(story_id: int):
    """Save the changes to my story (its cards get new URLs)."""
    story = _own(story_id)
    person = g.person
    form = _read_form()
    errors, member, day = _check(form, person)
    if errors:
        return _form_page(form, errors, story=story, status=422)
    fields = {
        name: form[name] for name in ("title", *(t[0] for t in TEMPLATE), "customer_kind", "phase")
    }
    if member.id != story.member_id:
        fields["team"] = member.team_id
        if member.team_id != story.team_id:
            fields["featured_week"] = None  # a pick is its team's: it stays behind
    Story.update(member=member, day=day, updated_at=clock.naive_now(), **fields).where(
        Story.id == story.id
    ).execute()
    flash("Your changes are saved.", "success")
    return back("stories.show", story_id=story.id)


@bp.route("/stories/<id:story_id>/delete")
@sign_in_required
def confirm_delete(story_id: int):
    """Ask whether I really want to delete my story."""
    return render("stories/delete.html", story=_own(story_id))


@bp.route("/stories/<id:story_id>/delete", methods=["POST"])
@sign_in_required
def delete(story_id: int):
    """Delete my story, its applause and its cards."""
    story = _own(story_id)
    story.remove()
    flash("Your story is deleted.", "success")
    return back("stories.feed")


@bp.route("/stories/<id:story_id>/applause", methods=["POST"])
@sign_in_required
def applaud(story_id: int):
    """Applaud the story, or take my applause back (one per person)."""
    story = _readable(story_id)
    if Reaction.toggle(story, g.person, clock.naive_now()) is None:
        abort(404)  # deleted meanwhile (with its author, say)
    if not wants_fragment():
        return back("stories.show", story_id=story.id)
    return render("partials/story_reactions.html", story=story, **_reactions(story))


@bp.route("/stories/<id:story_id>/feature", methods=["POST"])
@sign_in_required
def feature(story_id: int):
    """Make the story its team's story of the week, or take that back (team lead or admin)."""
    story = _moderated(story_id)
    week = week_start(today_for(g.person))
    if story.featured_week == week:
        Story.update(featured_week=None).where(Story.id == story.id).execute()
        flash("It is no longer the story of the week.", "success")
    elif story.hidden:
        abort(409)
    elif not story.feature(week, clock.naive_now()):
        abort(409)  # its team member was changed to someone of another team meanwhile
    else:
        events.content_changed(story.author, story.member)
        push.events.story_featured(story, week)
        flash("This is now the story of the week, pinned on the team's feed.", "success")
    return back("stories.show", story_id=story.id)


@bp.route("/stories/<id:story_id>/hide", methods=["POST"])
@sign_in_required
def hide(story_id: int):
    """Hide the story from the feed, board and share link, or show it again (team lead or admin)."""
    story = _moderated(story_id)
    hidden = not story.hidden
    Story.update(hidden=hidden, hidden_by=g.person if hidden else None).where(
        Story.id == story.id
    ).execute()
    flash("The story is hidden." if hidden else "The story is visible again.", "success")
    return back("stories.show", story_id=story.id)


# Public share links and card images -------------------------------------------------------------


@bp.route("/s/<token>")
def public(token: str):
    """Show only the story's card behind its share link, with the tags chat tools unfurl."""
    story = CARDS.shared(token)
    return CARDS.public_page(
        story,
        url_for("stories.show", story_id=story.id),
        template="stories/public.html",
        story=story,
        title=story.heading,
        description=excerpt(story.moment, OG_EXCERPT),
    )


CARDS = CardKind("stories", "story_id", card_text, Story, _manages_share, owns_renders=True)
CARDS.add_routes(bp, "/cards", "/s", _readable, page_path="/stories")
