"""Event pushes (recognised, story featured, badge earned, team news): one call queues them for people."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, url_for

from game.reminders import EVENT_MAX_AGE, event_send_at
from models import Message, Person, PushPreference
from push.service import Notification

EVENT_KINDS = ("recognised", "featured", "badges", "team_news")


def notify(
    person_id: int,
    kind: str,
    event_id: str,
    title: str,
    body: str,
    url: str,
    now: datetime | None = None,
) -> bool:
    """Queue an event push for one person; return whether one is (or already was) on its way.

    kind is one of EVENT_KINDS; event_id names the event so it is pushed once however often this
    is called ("recognition-42"). Inside the person's window (a work day, 08:00-20:00 local) it goes
    within the minute; otherwise at their next work day's reminder time, and not at all if that is
    more than three days away. Nothing is queued when the person turned the kind off or has no device.
    Safe to call inside a web request: it writes one row and sends nothing.
    """
    return person_id in notify_people([person_id], kind, event_id, title, body, url, now)


def notify_people(
    person_ids, kind: str, event_id: str, title: str, body: str, url: str, now=None
) -> set[int]:
    """notify() for many people at once (a team's news); return the ids of those who get it."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}; one of {EVENT_KINDS}")
    if now is None:
        now = current_app.config["CLOCK"].now()
    ids = set(person_ids)
    if not ids:
        return set()
    key = f"{kind}:{event_id}"[:128]
    note = Notification(
        title=title[:120], body=body[:600], url=url, tag=key[:64], topic=key, ttl=24 * 60 * 60
    )
    naive = now.astimezone(UTC).replace(tzinfo=None)
    rows, queued = [], set()
    for person_id, tz, week, at, preference, _ in PushPreference.schedules(ids, with_device=True):
        if kind not in preference.wanted:
            continue
        send_at = event_send_at(now, tz, at, week)
        if send_at is None:
            continue
        queued.add(person_id)
        rows.append(
            {
                "person": person_id,
                "channel": "push",
                "kind": kind,
                "event_id": key,
                "payload": note.to_json(),
                "due_at": send_at.astimezone(UTC).replace(tzinfo=None),
                "expires_at": naive + EVENT_MAX_AGE,
                "created_at": naive,
            }
        )
    Message.add_many(rows)
    return queued


def story_featured(story, week) -> None:
    """The story of the week: its author (and the colleague it is about) and their team hear of it."""
    url = url_for("stories.show", story_id=story.id)
    event = f"story-{story.id}-{week.isoformat()}"
    told = {story.author_id, story.member_id}
    notify_people(
        told,
        "featured",
        event,
        "Your story is the story of the week",
        f"“{story.heading}” is pinned on your team's feed for everyone to read.",
        url,
    )
    if story.team_id is not None:
        team = Person.select(Person.id).where((Person.team == story.team_id) & Person.active)
        notify_people(
            {p.id for p in team} - told,
            "team_news",
            event,
            "This week's story",
            f"“{story.heading}”: the story of the week on your team's feed.",
            url,
        )


def recognised(recognition) -> None:
    """The colleague recognised hears of it, with the giver's words."""
    notify(
        recognition.receiver_id,
        "recognised",
        f"recognition-{recognition.id}",
        f"{recognition.giver.name} recognised you",
        recognition.message,
        url_for("recognition.show", recognition_id=recognition.id),
    )


def announced(announcement) -> None:
    """The week's announcement: the person it goes to, and their team, hear of it."""
    url = url_for("announcements.show", announcement_id=announcement.id)
    event = f"announcement-{announcement.id}-{announcement.receiver_id}"
    notify(
        announcement.receiver_id,
        "recognised",
        event,
        "This week's recognition goes to you",
        announcement.text,
        url,
    )
    team = Person.select(Person.id).where((Person.team == announcement.team_id) & Person.active)
    notify_people(
        {p.id for p in team} - {announcement.receiver_id},
        "team_news",
        event,
        "This week's One True Customer recognition",
        announcement.text,
        url,
    )


def badge_earned(person, badge) -> None:
    """A badge earned: a short, warm word and the badges page."""
    notify(
        person.id,
        "badges",
        f"badge-{badge.id}",
        f"New badge: {badge.name}",
        badge.cheer,
        url_for("badges.index"),
    )
