"""Recognition: thank a colleague, the team and organisation feeds, applause, a page and card each, what's new."""

from __future__ import annotations

import functools
import uuid
from datetime import timedelta

from flask import Blueprint, abort, flash, g, request, url_for

import cards
from game.days import week_start
from models import (
    RECOGNITION_MAX,
    STORY_KINDS,
    Announcement,
    DoesNotExist,
    IntegrityError,
    Notice,
    OperationalError,
    Person,
    PersonGone,
    Recognition,
    RecognitionApplause,
    Story,
    again_after_deadlock,
    db,
    is_deadlock,
    lowered,
    new_token,
)
from pwa import clock, events
from pwa.card_cache import ON_PAGE_SIZE, CardKind
from pwa.stories import visible
from pwa.web import (
    back,
    check_length,
    clean_text,
    found,
    render,
    sign_in_required,
    today_for,
    wants_fragment,
)

bp = Blueprint("recognition", __name__)

ID_LIMIT = 2**31
PAGE_SIZE = 15
LIST_LIMIT = 40  # colleagues listed at once; a search narrows the rest
NUDGE_AFTER = 3  # recognitions of one colleague within NUDGE_DAYS before the nudge to spread it
NUDGE_DAYS = 30
KIND_CHOICES = {"external": "An external customer", "colleague": "A colleague"}


def _id(value) -> int | None:
    """A row id from a form or query value, or None when it can't be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < ID_LIMIT else None


def colleagues(person: Person, query: str) -> list[Person]:
    """Active colleagues other than person whose name or team matches query, by name."""
    people = person.organisation().where(Person.id != person.id)
    if query:
        people = people.where(lowered(Person.name).contains(query.lower()))
    return list(people.limit(LIST_LIMIT + 1))


def readable_stories(person: Person, limit: int = 20) -> list[Story]:
    """The latest stories person can see, to link from a recognition."""
    return Story.feed(person, limit=limit)


def _blank(person: Person) -> dict:
    return {
        "receiver": str(_id(request.args.get("to")) or ""),
        "message": "",
        "customer_kind": "",
        "story": str(_id(request.args.get("story")) or ""),
    }


def _read_form() -> dict:
    return {
        "receiver": clean_text(request.form.get("receiver"))[:12],
        "message": clean_text(request.form.get("message")),
        "customer_kind": clean_text(request.form.get("customer_kind"))[:16],
        "story": clean_text(request.form.get("story"))[:12],
    }


def _check(form: dict, person: Person) -> tuple[dict, Person | None, Story | None]:
    """A clear message for each field that won't do, the colleague and the story linked."""
    errors: dict[str, str] = {}
    receiver_id = _id(form["receiver"])
    receiver = Person.get_or_none(Person.id == receiver_id) if receiver_id else None
    if not form["receiver"]:
        errors["receiver"] = "Pick the colleague you want to recognise."
    elif receiver is None:
        errors["receiver"] = (
            "That person isn't in the organisation. Pick a colleague from the list."
        )
    elif receiver.id == person.id:
        errors["receiver"] = (
            "Recognition is for a colleague, so not yourself. Your own moment makes a good story."
        )
    elif not receiver.active:
        errors["receiver"] = (
            f"{receiver.name} is no longer active here. Pick someone from the list."
        )
    if "receiver" in errors:
        receiver = None
    message = form["message"] if visible(form["message"]) else ""
    check_length(errors, "message", message, "What they did", RECOGNITION_MAX, required=True)
    if form["customer_kind"] not in STORY_KINDS:
        errors["customer_kind"] = "Tap who it was for: an external customer or a colleague."
    story = None
    if form["story"]:
        story_id = _id(form["story"])
        story = Story.get_or_none(Story.id == story_id) if story_id else None
        if story is None or not story.can_read(person):
            errors["story"] = "Pick a story you can see from the list, or leave it empty."
            story = None
    return errors, receiver, story


def _notes(person: Person, receiver: Person | None) -> dict:
    """Kind words when the colleague was already recognised this week, or often this month."""
    if receiver is None:
        return {}
    today = today_for(person)
    return {
        "this_week": Recognition.times(person, receiver, week_start(today)),
        "this_month": Recognition.times(person, receiver, today - timedelta(days=NUDGE_DAYS - 1)),
    }


def _form_page(form: dict, errors: dict | None = None, status: int = 200):
    person = g.person
    query = clean_text(request.values.get("q"))[:80]
    receiver_id = _id(form["receiver"])
    chosen = Person.get_or_none(Person.id == receiver_id) if receiver_id else None
    if chosen is not None and (chosen.id == person.id or not chosen.active):
        chosen = None
    people = [] if chosen else colleagues(person, query)
    return render(
        "recognition/form.html",
        status=status,
        form=form,
        errors=errors or {},
        query=query,
        chosen=chosen,
        people=people[:LIST_LIMIT],
        more_people=len(people) > LIST_LIMIT,
        stories=readable_stories(person),
        kinds=KIND_CHOICES,
        message_max=RECOGNITION_MAX,
        nudge_after=NUDGE_AFTER,
        submit_key=(request.form.get("key") or "")[:64] or uuid.uuid4().hex,
        **_notes(person, chosen),
    )


@bp.route("/recognise")
@sign_in_required
def new():
    """Show the form to recognise a colleague (already picked when coming from their profile)."""
    return _form_page(_blank(g.person))


@bp.route("/recognise/colleagues")
@sign_in_required
def colleague_list():
    """The colleagues matching a search, as the list fragment (or the form, without htmx)."""
    if not wants_fragment():
        return _form_page(_blank(g.person))
    query = clean_text(request.args.get("q"))[:80]
    people = colleagues(g.person, query)
    # A colleague picked while the search was on its way stays picked, and on the list.
    picked = _id(request.args.get("receiver"))
    shown = people[:LIST_LIMIT]
    if picked is not None and all(p.id != picked for p in shown):
        kept = g.person.organisation().where(Person.id == picked, Person.id != g.person.id)
        shown = list(kept) + shown
        picked = picked if shown and shown[0].id == picked else None
    return render(
        "partials/colleague_list.html",
        people=shown,
        more_people=len(people) > LIST_LIMIT,
        query=query,
        form={"receiver": str(picked) if picked is not None else ""},
        errors={},
    )


@bp.route("/recognise", methods=["POST"])
@sign_in_required
def create():
    """Recognise a colleague, or show the form again with what to fix (the words kept)."""
    person = g.person
    form = _read_form()
    key = (request.form.get("key") or "")[:64] or None
    if key and (sent := Recognition.get_or_none(Recognition.submit_key == key)):
        if sent.giver_id == person.id:
            return back("recognition.show", recognition_id=sent.id)  # the same form sent again
        key = None
    errors, receiver, story = _check(form, person)
    if errors:
        return _form_page(form, errors, status=422)
    try:
        recognition = _record(person, receiver, form, story, key)
    except PersonGone as gone:
        if gone.person_id == person.id:
            raise  # I was deleted meanwhile: signed out (pwa/errors.py)
        errors = {
            "receiver": f"{receiver.name} is no longer in the organisation. Pick someone else."
        }
        return _form_page(form, errors, status=422)
    except IntegrityError:
        sent = Recognition.get(Recognition.submit_key == key)
        return back("recognition.show", recognition_id=sent.id)
    try:
        _tell(recognition)
    except (IntegrityError, DoesNotExist, OperationalError) as error:
        # They were deleted just after it went in: what it meant for them went with them.
        if isinstance(error, OperationalError) and not is_deadlock(error):
            raise
        if Person.still_there(receiver.id):
            raise
        events.award_badges(person)
    _thank(person, receiver)
    return back("recognition.show", recognition_id=recognition.id)


@again_after_deadlock
def _record(person, receiver, form, story, key) -> Recognition:
    day = today_for(person)
    with db.atomic():
        Person.hold(person.id, receiver.id)  # the lock order of a deletion under way
        return Recognition.create(
            giver=person,
            receiver=receiver,
            team=receiver.team_id,
            message=form["message"],
            customer_kind=form["customer_kind"],
            story=story,
            day=day,
            week=week_start(day),
            share_token=new_token(),
            submit_key=key,
            created_at=clock.naive_now(),
        )


@again_after_deadlock  # with the receiver's deletion (their summary, then their row)
def _tell(recognition: Recognition) -> None:
    """Tell the receiver and award badges (each step is idempotent, so it may run again)."""
    events.recognised(recognition)


def _thank(person: Person, receiver: Person) -> None:
    notes = _notes(person, receiver)
    first = receiver.name.split()[0]
    flash(f"{first} will see it in the app. Thank you for noticing.", "success")
    if notes["this_month"] >= NUDGE_AFTER:
        flash(
            f"You've recognised {first} {notes['this_month']} times this month. "
            "Who else helped you lately?",
            "info",
        )


# Feeds and what is new ---------------------------------------------------------------------------


@bp.route("/recognitions")
@sign_in_required
def feed():
    """Show my team's recognitions (or everyone's), this week's announcement on top, and what is new."""
    person = g.person
    scope = "org" if request.args.get("scope") == "org" or person.team_id is None else "team"
    before = _id(request.args.get("before"))
    found = Recognition.feed(
        team=person.team_id if scope == "team" else None, before=before, limit=PAGE_SIZE + 1
    )
    items = found[:PAGE_SIZE]
    pinned = None
    if scope == "team" and not before:
        pinned = Announcement.of_week(person.team_id, week_start(today_for(person)))
    return render(
        "recognition/feed.html",
        scope=scope,
        recognitions=items,
        next_before=items[-1].id if len(found) > PAGE_SIZE else None,
        paging=bool(before),
        pinned=pinned,
        news=_news_once(person) if not before else [],
        **_applause(items),
    )


def _news_once(person: Person) -> list[Notice]:
    """Person's unseen notices (none to read when the count on their row says so), now seen."""
    if not person.news_unseen:
        return []
    news = Notice.recent(person, limit=10, unseen=True)
    celebrate_badges(news)
    Notice.mark_seen(person, clock.naive_now())
    person.news_unseen = 0
    return news


def celebrate_badges(news: list[Notice]) -> None:
    """A badge earned while away is celebrated the first time its notice is shown."""
    from game.badges import BY_ID
    from game.moments import for_badge

    for notice in news:
        if notice.kind == "badge" and notice.badge in BY_ID:
            events.celebrate(for_badge(BY_ID[notice.badge]))


def _applause(items: list[Recognition]) -> dict:
    ids = [r.id for r in items]
    return {
        "applause": RecognitionApplause.counts(ids),
        "applauded": RecognitionApplause.applauded(g.person, ids),
    }


@bp.route("/news")
@sign_in_required
def news():
    """List what is new for me (recognitions, badges, announcements), and count it as seen."""
    person = g.person
    unseen = _news_once(person)
    unseen_ids = {n.id for n in unseen}
    return render(
        "recognition/news.html", notices=Notice.recent(person, limit=30), unseen_ids=unseen_ids
    )


# One recognition ---------------------------------------------------------------------------------


@bp.route("/recognitions/<id:recognition_id>")
@sign_in_required
def show(recognition_id: int):
    """Show one recognition: its card, applause, the story it links, and the ways to share it."""
    recognition = found(Recognition, recognition_id)
    story = recognition.story if recognition.story_id else None
    return render(
        "recognition/show.html",
        recognition=recognition,
        story=story if story is not None and story.can_read(g.person) else None,
        is_giver=recognition.giver_id == g.person.id,
        portrait_url=card_url(recognition, "portrait"),
        **CARDS.share_panel(recognition, g.person),
        on_page_url=CARDS.on_page_url(recognition),
        on_page_size=ON_PAGE_SIZE,
        **_applause([recognition]),
    )


@bp.route("/recognitions/<id:recognition_id>/applause", methods=["POST"])
@sign_in_required
def applaud(recognition_id: int):
    """Applaud the recognition, or take my applause back (one per person), from the feed or its page."""
    recognition = found(Recognition, recognition_id)
    if RecognitionApplause.toggle(recognition, g.person, clock.naive_now()) is None:
        abort(404)  # deleted meanwhile (with its giver, say)
    if not wants_fragment():
        if request.form.get("from") == "feed":
            return back("recognition.feed", _anchor=f"recognition-{recognition.id}")
        return back("recognition.show", recognition_id=recognition.id)
    return render(
        "partials/recognition_applause.html", recognition=recognition, **_applause([recognition])
    )


@bp.route("/recognitions/<id:recognition_id>/delete")
@sign_in_required
def confirm_delete(recognition_id: int):
    """Ask whether I really want to delete a recognition I gave."""
    return render("recognition/delete.html", recognition=_given(recognition_id))


@bp.route("/recognitions/<id:recognition_id>/delete", methods=["POST"])
@sign_in_required
def delete(recognition_id: int):
    """Delete a recognition I gave, with its applause (badges already earned stay)."""
    _given(recognition_id).remove()
    flash("The recognition is deleted. Any badge it helped earn stays earned.", "success")
    return back("recognition.feed")


def _given(recognition_id: int) -> Recognition:
    recognition = found(Recognition, recognition_id)
    if recognition.giver_id != g.person.id and not g.person.is_admin:
        abort(403)
    return recognition


def recognise_url(person: Person | None = None, story: Story | None = None) -> str:
    """Where to recognise someone (already picked), optionally about a story."""
    values = {}
    if person is not None:
        values["to"] = person.id
    if story is not None:
        values["story"] = story.id
    return url_for("recognition.new", **values)


# Cards and share links ----------------------------------------------------------------------------


def card_of(recognition: Recognition, size: str = "portrait") -> cards.Recognition:
    """What the recognition's card shows (the same at every size)."""
    team = recognition.team.name if recognition.team_id and recognition.team else ""
    return cards.Recognition(
        giver=recognition.giver.name,
        receiver=recognition.receiver.name,
        message=recognition.message,
        team=team,
        day=recognition.day,
        for_colleague=recognition.for_colleague,
        share_url=share_url(recognition),
    )


def _manages_share(recognition: Recognition, person: Person) -> bool:
    """Whether person may revoke or renew the recognition's share link: only who gave it."""
    return recognition.giver_id == person.id


CARDS = CardKind("recognition", "recognition_id", card_of, Recognition, _manages_share)
share_url, card_url = CARDS.share_url, CARDS.card_url


@bp.route("/r/<token>")
def public(token: str):
    """Show only the recognition's card behind its share link, with the tags chat tools unfurl."""
    recognition = CARDS.shared(token)
    return CARDS.public_page(
        recognition,
        url_for("recognition.show", recognition_id=recognition.id),
        title=f"{recognition.receiver.name} was recognised",
        eyebrow="One True Customer recognition",
        description=f"“{recognition.message}” — {recognition.giver.name}"[:200],
        card_alt=f"Recognition card: {recognition.receiver.name}, recognised by {recognition.giver.name}",
    )


CARDS.add_routes(
    bp, "/recognitions", "/r", functools.partial(found, Recognition), page_path="/recognitions"
)
