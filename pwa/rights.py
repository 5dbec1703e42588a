"""A person's data rights: their own download from Me; an admin's export and deletion of a person."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from operator import or_

from flask import Blueprint, Response, abort, current_app, g, request, session
from peewee import ForeignKeyField

from game import erasure
from game.badges import BY_ID
from models import (
    FORMER_EMAIL,
    FORMER_NAME,
    MODELS,
    Announcement,
    Badge,
    CardImage,
    Challenge,
    CheckIn,
    CheckInKey,
    Commitment,
    CompanyIdentity,
    Erasure,
    Invite,
    Message,
    Notice,
    PasswordReset,
    Person,
    Pledge,
    PushPreference,
    PushSubscription,
    Reaction,
    Recognition,
    RecognitionApplause,
    SignIn,
    Story,
    StoryDraft,
    again_after_deadlock,
    db,
    former_colleague,
    is_sqlite,
)
from pwa import clock, dashboard
from pwa.web import back, clean_text, render, role_required, sign_in_required, today_for

bp = Blueprint("rights", __name__)

FORMAT = 1


@dataclass(frozen=True)
class Link:
    """What the download and the deletion do with one foreign key to a person.

    export: the download's key that holds these rows (None: left out, with why_not);
    erase: "delete" the rows, "unlink" (set the reference to nothing: the row is someone else's),
    "former" (the row is someone else's and needs to know it was someone: the former colleague),
    or "content" (their published things: kept anonymised or deleted, as the admin chooses) and
    "about" (others' things about them: kept, with the former colleague in their place).
    """

    export: str | None
    erase: str
    why_not: str = ""


# Every foreign key to a person, by "table.field": tests fail when one is added and not listed here.
PERSON_LINKS = {
    "sign_in.person": Link("sign_ins", "delete"),
    "invite.created_by": Link(None, "unlink", "invites sent to others hold their addresses"),
    "password_reset.person": Link("password_resets", "delete"),
    # Whoever's password they reset is still told that someone else did ("A former colleague").
    "password_reset.created_by": Link(None, "former", "reset links made for others are theirs"),
    "check_in.person": Link("check_ins", "delete"),
    "person_summary.person": Link("streak", "delete"),
    "challenge.person": Link("challenges", "delete"),
    # A team challenge they started stays one that newcomers join.
    "challenge.started_by": Link(None, "former", "challenges started for others are theirs"),
    "commitment.person": Link("commitments", "delete"),
    "pledge.person": Link("pledge", "delete"),
    "story.author": Link("stories_told", "content"),
    "story.member": Link("stories_about_me", "about"),
    "story.hidden_by": Link(None, "unlink", "others' stories hidden as a moderator are theirs"),
    "reaction.person": Link("reactions", "delete"),
    "story_draft.person": Link("story_draft", "delete"),
    "company_identity.person": Link("company_accounts", "delete"),
    "recognition.giver": Link("recognitions_given", "content"),
    "recognition.receiver": Link("recognitions_received", "about"),
    "recognition_applause.person": Link("recognition_applause", "delete"),
    "announcement.lead": Link("announcements_made", "unlink"),
    "announcement.receiver": Link("announcements_received", "delete"),
    "badge.person": Link("badges", "delete"),
    "notice.person": Link("notices", "delete"),
    "push_subscription.person": Link("push_subscriptions", "delete"),
    "push_preference.person": Link("notification_settings", "delete"),
    "message.person": Link("messages", "delete"),
    "erasure.by": Link(None, "unlink", "the record of accounts deleted as an admin is not theirs"),
    "limit_slot.person": Link(None, "delete", "counters of reset links asked for, kept an hour"),
    "team_board.made_by": Link(None, "unlink", "a team's board link is the team's, not theirs"),
    "lagging_figure.entered_by": Link(None, "unlink", "the organisation's figures are not theirs"),
}

# Never in any download: what signs in, what a link or device proves, what a form replays.
SECRETS = frozenset(
    {
        "password_hash",
        "token_digest",
        "p256dh",
        "auth",
        "share_token",
        "submit_key",
        "lease_token",
        "made_link",
    }
)


def person_foreign_keys() -> list[tuple[type, ForeignKeyField]]:
    """Every (model, field) that refers to a person."""
    return [
        (model, field)
        for model in MODELS
        for field in model._meta.sorted_fields
        if isinstance(field, ForeignKeyField) and field.rel_model is Person
    ]


def link_name(model, field) -> str:
    return f"{model._meta.table_name}.{field.name}"


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return None
    return value


def fields_of(row, leave_out=()) -> dict:
    """A row's columns as JSON values, without secrets, ids of people, or what is left out."""
    found = {}
    for field in row._meta.sorted_fields:
        if field.name in SECRETS or field.name in leave_out:
            continue
        if isinstance(field, ForeignKeyField):
            if field.rel_model is Person:
                continue  # people appear by the name they published, where they appear at all
            found[f"{field.name}_id"] = getattr(row, field.column_name)
        else:
            found[field.name] = _plain(getattr(row, field.name))
    return found


def _name(person_id, cache: dict) -> str | None:
    if person_id is None:
        return None
    if person_id not in cache:
        found = Person.get_or_none(Person.id == person_id)
        cache[person_id] = found.name if found else None
    return cache[person_id]


def _story(story: Story, names: dict) -> dict:
    return {
        **fields_of(story),
        "told_by": _name(story.author_id, names),
        "about": _name(story.member_id, names),
        "team": story.team.name if story.team_id else None,
        "share_link_live": bool(story.share_token),
    }


def _recognition(recognition: Recognition, names: dict) -> dict:
    return {
        **fields_of(recognition),
        "from": _name(recognition.giver_id, names),
        "to": _name(recognition.receiver_id, names),
        "team": recognition.team.name if recognition.team_id else None,
        "share_link_live": bool(recognition.share_token),
    }


def _announcement(announcement: Announcement, names: dict) -> dict:
    return {
        **fields_of(announcement),
        "by": _name(announcement.lead_id, names),
        "goes_to": _name(announcement.receiver_id, names),
        "team": announcement.team.name,
    }


def _badges(person: Person) -> list[dict]:
    return [
        {
            "badge": key,
            "name": BY_ID[key].name if key in BY_ID else key,
            "earned_at": _plain(when),
        }
        for key, when in sorted(Badge.of(person).items(), key=lambda item: item[1])
    ]


def _account(person: Person) -> dict:
    account = fields_of(person, leave_out=("news_unseen",))
    account["team"] = person.team.name if person.team_id else None
    return account


def _published(person: Person, names: dict) -> dict:
    """What person published, as colleagues see it (hidden stories marked hidden)."""
    told = Story.select().where(Story.author == person).order_by(Story.id)
    given = Recognition.select().where(Recognition.giver == person).order_by(Recognition.id)
    received = Recognition.select().where(Recognition.receiver == person).order_by(Recognition.id)
    made = Announcement.select().where(Announcement.lead == person).order_by(Announcement.id)
    to = Announcement.select().where(Announcement.receiver == person).order_by(Announcement.id)
    return {
        "stories_told": [_story(s, names) for s in told],
        "recognitions_given": [_recognition(r, names) for r in given],
        "recognitions_received": [_recognition(r, names) for r in received],
        "announcements_made": [_announcement(a, names) for a in made],
        "announcements_received": [_announcement(a, names) for a in to],
        "badges": _badges(person),
    }


def own_export(person: Person) -> dict:
    """Everything the app holds about person, their private notes included (for them alone)."""
    names: dict = {person.id: person.name}
    today = today_for(person)
    streak = person.streak_on(today)
    about = (
        Story.select()
        .where((Story.member == person) & (Story.author != person) & Story.visible_to(person))
        .order_by(Story.id)
    )
    draft = StoryDraft.of(person)
    pledge = Pledge.get_or_none(Pledge.person == person)
    settings = PushPreference.of(person)
    return {
        "format": FORMAT,
        "about": "Everything One True Customer holds about you, your private notes included.",
        "exported_at": _plain(clock.naive_now()),
        "profile": _account(person),
        "team": {"name": person.team.name} if person.team_id else None,
        "check_ins": [
            fields_of(c)
            for c in CheckIn.select().where(CheckIn.person == person).order_by(CheckIn.day)
        ],
        "streak": {
            "as_of": today.isoformat(),
            "current": streak.current,
            "longest": streak.longest,
            "freezes_held": streak.freezes,
            "days_freezes_saved": [d.isoformat() for d in streak.saved],
            "perfect": streak.perfect,
            "checked_in_today": streak.checked_today,
        },
        "challenges": [
            {**fields_of(c), "started_by": _name(c.started_by_id, names)}
            for c in Challenge.select().where(Challenge.person == person).order_by(Challenge.id)
        ],
        "commitments": [
            fields_of(c)
            for c in Commitment.select()
            .where(Commitment.person == person)
            .order_by(Commitment.week)
        ],
        "pledge": fields_of(pledge) if pledge else None,
        **_published(person, names),
        "stories_about_me": [_story(s, names) for s in about],
        "story_draft": fields_of(draft) if draft else None,
        "reactions": [
            fields_of(r)
            for r in Reaction.select().where(Reaction.person == person).order_by(Reaction.id)
        ],
        "recognition_applause": [
            fields_of(a)
            for a in RecognitionApplause.select()
            .where(RecognitionApplause.person == person)
            .order_by(RecognitionApplause.id)
        ],
        "notices": [
            fields_of(n) for n in Notice.select().where(Notice.person == person).order_by(Notice.id)
        ],
        # Where pushes go, never the keys that let anyone send them.
        "push_subscriptions": [fields_of(s) for s in PushSubscription.of_person(person)],
        "notification_settings": {
            "reminder_time": settings.reminder_time,
            "kinds": sorted(settings.wanted),
            "weekly_email": settings.weekly_email,
            "updated_at": _plain(settings.updated_at) if settings.id else None,
        },
        "messages": [
            {**fields_of(m, leave_out=("payload", "delivered_to")), "payload": _payload(m.payload)}
            for m in Message.select().where(Message.person == person).order_by(Message.id)
        ],
        "sign_ins": [
            {**fields_of(s), "this_one": s.id == getattr(g.get("sign_in"), "id", None)}
            for s in SignIn.select().where(SignIn.person == person).order_by(SignIn.id)
        ],
        "company_accounts": [
            fields_of(c) for c in CompanyIdentity.select().where(CompanyIdentity.person == person)
        ],
        "password_resets": [
            {**fields_of(r), "made_by": _name(r.created_by_id, names) or "you"}
            for r in PasswordReset.select().where(PasswordReset.person == person)
        ],
        "invites": [
            {**fields_of(i), "invited_by": _name(i.created_by_id, names)}
            for i in Invite.select().where(Invite.email == person.email.lower())
        ],
    }


def _payload(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


def admin_export(person: Person) -> dict:
    """Person's account and what they published: never their notes, reflections or drafts."""
    return {
        "format": FORMAT,
        "about": "The account and published content of one person (no private notes).",
        "exported_at": _plain(clock.naive_now()),
        "account": _account(person),
        **_published(person, {person.id: person.name}),
    }


def json_download(data: dict, filename: str) -> Response:
    """A JSON attachment, UTF-8, never kept by any cache."""
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    response = Response(body.encode("utf-8"), mimetype="application/json")
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# Deletion -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erased:
    """What one deletion did."""

    name: str
    stories: int
    recognitions: int
    choice: str

    def summary(self) -> str:
        """One line saying what happened."""
        things = f"{_plural(self.stories, 'story', 'stories')} and {_plural(self.recognitions, 'recognition', 'recognitions')}"
        if self.choice == "keep":
            return (
                f"Deleted {self.name}'s account; {things} they published stay, by “{FORMER_NAME}”."
            )
        return f"Deleted {self.name}'s account and the {things} they published."


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _ids(query) -> list[int]:
    return [row[0] for row in query.tuples()]


def _forget_events(prefixes: list[str]) -> None:
    """Delete queued or sent pushes whose event starts with one of prefixes (they name the person)."""
    for start in range(0, len(prefixes), 200):
        conditions = [Message.event_id.startswith(p) for p in prefixes[start : start + 200]]
        if conditions:
            Message.delete().where(reduce(or_, conditions)).execute()


def _drop_stories(ids: list[int]) -> None:
    """Delete these stories with their applause; what linked to them stays, unlinked."""
    for chunk in _chunks(ids):
        Reaction.delete().where(Reaction.story.in_(chunk)).execute()
        Recognition.update(story=None).where(Recognition.story.in_(chunk)).execute()
        Announcement.update(story=None).where(Announcement.story.in_(chunk)).execute()
        Story.delete().where(Story.id.in_(chunk)).execute()
    _forget_events([f"{kind}:story-{i}-" for i in ids for kind in ("featured", "team_news")])


def _drop_recognitions(ids: list[int]) -> set[int]:
    """Delete these recognitions with their applause and notices; return who had a notice."""
    told = set()
    for chunk in _chunks(ids):
        told |= set(_ids(Notice.select(Notice.person).where(Notice.recognition.in_(chunk))))
        Notice.delete().where(Notice.recognition.in_(chunk)).execute()
        RecognitionApplause.delete().where(RecognitionApplause.recognition.in_(chunk)).execute()
        Announcement.update(recognition=None).where(Announcement.recognition.in_(chunk)).execute()
        Recognition.delete().where(Recognition.id.in_(chunk)).execute()
    return told


def _drop_announcements(ids: list[int]) -> set[int]:
    """Delete these announcements and their notices; return who had a notice."""
    told = set()
    for chunk in _chunks(ids):
        told |= set(_ids(Notice.select(Notice.person).where(Notice.announcement.in_(chunk))))
        Notice.delete().where(Notice.announcement.in_(chunk)).execute()
        Announcement.delete().where(Announcement.id.in_(chunk)).execute()
    return told


@again_after_deadlock  # with their own writes at the same moment, which then find them gone
def erase(person_id: int, choice: str, by: Person | None = None) -> Erased | None:
    """Delete a person in one transaction; None when there is no such person (any more).

    Their private data goes; their published stories and recognitions are kept anonymised or
    deleted (choice "keep" or "delete"); what others made about them stays, with the former
    colleague in their place; their sign-ins go, so every device is signed out.
    """
    if choice not in erasure.CHOICES:
        raise ValueError(f"choice is one of {erasure.CHOICES}, not {choice!r}")
    with db.atomic():
        if not is_sqlite():
            # Their check-in rows first, then the person: the order a check-in under way takes
            # them (its row, then the person for a new row's foreign key), so it finishes before
            # this goes on rather than deadlocking with it. A second deletion of the same person
            # waits here, then finds nobody (SQLite's transactions take the write lock up front,
            # which does the same).
            CheckIn.select(CheckIn.id).where(CheckIn.person == person_id).for_update().execute()
            Person.select(Person.id).where(Person.id == person_id).for_update().execute()
        person = Person.get_or_none((Person.id == person_id) & (Person.email != FORMER_EMAIL))
        if person is None:
            return None
        # A week that ended but that the hourly task has not stored yet is stored now, as it
        # was: a deletion never changes a past week's figures.
        dashboard.close_weeks()
        former = former_colleague().id
        pid = person.id
        told = _ids(Story.select(Story.id).where(Story.author == pid))
        about = _ids(Story.select(Story.id).where((Story.member == pid) & (Story.author != pid)))
        given = _ids(Recognition.select(Recognition.id).where(Recognition.giver == pid))
        received = _ids(
            Recognition.select(Recognition.id).where(
                (Recognition.receiver == pid) & (Recognition.giver != pid)
            )
        )
        announced = _ids(Announcement.select(Announcement.id).where(Announcement.receiver == pid))
        # Pushes to others that carry the person's name: "Dana recognised you", the week's news.
        _forget_events(
            [f"recognised:recognition-{i}" for i in given]
            + [
                f"{kind}:announcement-{i}-"
                for i in announced
                for kind in ("recognised", "team_news")
            ]
        )
        told_fate = erasure.fate(choice, "stories_told")
        given_fate = erasure.fate(choice, "recognitions_given")
        # Cards are a cache drawn from the names: the affected stories' go, and every card not
        # tied to a story (recognitions, announcements, badges), since a render under an older
        # name can't be found by its hash. Whatever is shown again is drawn again, anonymised.
        CardImage.delete().where(CardImage.story.is_null()).execute()
        for chunk in _chunks(told + about):
            CardImage.delete().where(CardImage.story.in_(chunk)).execute()
        told_back = set()
        if told_fate == "delete":
            _drop_stories(told)
        if given_fate == "delete":
            told_back |= _drop_recognitions(given)
        told_back |= _drop_announcements(announced)
        # What stays shows the former colleague; its share links stop (chat tools unfurled the name).
        Story.update(author=former).where(Story.author == pid).execute()
        Story.update(member=former).where(Story.member == pid).execute()
        Recognition.update(giver=former).where(Recognition.giver == pid).execute()
        Recognition.update(receiver=former).where(Recognition.receiver == pid).execute()
        for chunk in _chunks(told + about):
            Story.update(share_token=None).where(Story.id.in_(chunk)).execute()
        for chunk in _chunks(given + received):
            Recognition.update(share_token=None).where(Recognition.id.in_(chunk)).execute()
        # Rows that are someone else's but name them: the reference goes, the row stays.
        for model, field in person_foreign_keys():
            action = PERSON_LINKS[link_name(model, field)].erase
            if action in ("unlink", "former"):
                model.update({field: former if action == "former" else None}).where(
                    field == pid
                ).execute()
        # A colleague's unsent draft about them forgets who it was about.
        StoryDraft.update(member="").where(StoryDraft.member == str(pid)).execute()
        CheckInKey.delete().where(
            CheckInKey.check_in.in_(CheckIn.select(CheckIn.id).where(CheckIn.person == pid))
        ).execute()
        for model, field in person_foreign_keys():
            if PERSON_LINKS[link_name(model, field)].erase == "delete":
                model.delete().where(field == pid).execute()
        Invite.delete().where(Invite.email == person.email.lower()).execute()
        Person.delete().where(Person.id == pid).execute()
        for other in told_back - {pid}:
            Notice.recount(other)
        stories = len(told)
        recognitions = len(given)
        Erasure.create(
            person_id=pid,
            by=by.id if by is not None else None,
            content=choice,
            stories=stories,
            recognitions=recognitions,
            created_at=clock.naive_now(),
        )
    # This process's recent cards go too (other processes' are named by hashes nothing links to).
    current_app.extensions.pop("recent_cards", None)
    return Erased(person.name, stories, recognitions, choice)


def deletion_facts(person: Person) -> dict:
    """What the confirmation page counts: what goes, what the choice decides, what stays."""
    pid = person.id
    return {
        "check_ins": CheckIn.select().where(CheckIn.person == pid).count(),
        "stories_told": Story.select().where(Story.author == pid).count(),
        "recognitions_given": Recognition.select().where(Recognition.giver == pid).count(),
        "about_them": Story.select().where((Story.member == pid) & (Story.author != pid)).count()
        + Recognition.select().where(Recognition.receiver == pid).count(),
        "badges": Badge.select().where(Badge.person == pid).count(),
        "devices": PushSubscription.select().where(PushSubscription.person == pid).count(),
        "sign_ins": SignIn.select().where(SignIn.person == pid).count(),
    }


# Views --------------------------------------------------------------------------------------------


@bp.get("/me/data")
@sign_in_required
def my_data():
    """Download everything the app holds about me as a JSON file."""
    day = today_for(g.person).isoformat()
    return json_download(own_export(g.person), f"one-true-customer-my-data-{day}.json")


def _person_or_404(person_id: int) -> Person:
    person = Person.get_or_none((Person.id == person_id) & (Person.email != FORMER_EMAIL))
    if person is None:
        abort(404)
    return person


@bp.get("/admin/people/<id:person_id>/export")
@role_required("admin")
def export(person_id: int):
    """Download a person's account and published content as JSON (never their notes)."""
    person = _person_or_404(person_id)
    day = today_for(g.person).isoformat()
    return json_download(admin_export(person), f"one-true-customer-person-{person.id}-{day}.json")


def _confirm_page(
    person: Person, status: int = 200, typed: str = "", choice: str = "", errors=None
):
    return render(
        "rights/delete.html",
        status=status,
        person=person,
        facts=deletion_facts(person),
        typed=typed,
        choice=choice,
        errors=errors or {},
        former_name=FORMER_NAME,
        first=person.name.split()[0] if person.name.split() else person.name,
    )


def _refuse_self(person: Person):
    return render("rights/self.html", status=403, person=person)


@bp.get("/admin/people/<id:person_id>/delete")
@role_required("admin")
def confirm_delete(person_id: int):
    """Ask the admin to confirm a person's deletion, saying what goes and what may stay."""
    person = _person_or_404(person_id)
    if person.id == g.person.id:
        return _refuse_self(person)
    return _confirm_page(person)


@bp.post("/admin/people/<id:person_id>/delete")
@role_required("admin")
def delete(person_id: int):
    """Delete a person once the admin typed their name or email and chose what stays."""
    person = Person.get_or_none((Person.id == person_id) & (Person.email != FORMER_EMAIL))
    if person is None:
        if Erasure.of(person_id) is None:
            abort(404)
        session["admin_notice"] = "That account was already deleted."
        return back("admin.index")
    if person.id == g.person.id:
        return _refuse_self(person)
    typed = clean_text(request.form.get("confirm"))[:254]
    choice = request.form.get("content", "")
    errors = {}
    if choice not in erasure.CHOICES:
        errors["content"] = "Choose what happens to what they published."
    if not erasure.confirms(typed, person.name, person.email):
        errors["confirm"] = (
            f"Type {person.name} or {person.email} exactly as shown, to be sure it is them."
            if typed
            else f"Type {person.name}'s name or email to confirm."
        )
    if errors:
        return _confirm_page(person, 422, typed, choice, errors)
    done = erase(person.id, choice, by=g.person)
    session["admin_notice"] = done.summary() if done else "That account was already deleted."
    return back("admin.index")
