"""Event pushes (recognised, story featured, badge earned, team news): one call queues one for a person."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import current_app, url_for

from game.days import WorkWeek, parse_past_workdays, parse_workdays
from game.reminders import EVENT_MAX_AGE, event_send_at
from models import Message, Person, PushPreference, PushSubscription
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
    is called ("recognition:42"). Inside the person's window (a work day, 08:00-20:00 local) it goes
    within the minute; otherwise at their next work day's reminder time, and not at all if that is
    more than three days away. Nothing is queued when the person turned the kind off or has no device.
    Safe to call inside a web request: it writes one row and sends nothing.
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}; one of {EVENT_KINDS}")
    if now is None:
        now = current_app.config["CLOCK"].now()
    person = Person.get_or_none((Person.id == person_id) & Person.active)
    if (
        person is None
        or not PushSubscription.select().where(PushSubscription.person == person).exists()
    ):
        return False
    preference = PushPreference.of(person)
    if kind not in preference.wanted:
        return False
    week = WorkWeek(parse_workdays(person.workdays), parse_past_workdays(person.past_workdays))
    send_at = event_send_at(now, person.tz, time.fromisoformat(preference.reminder_time), week)
    if send_at is None:
        return False
    key = f"{kind}:{event_id}"[:128]
    note = Notification(
        title=title[:120], body=body[:600], url=url, tag=key[:64], topic=key, ttl=24 * 60 * 60
    )
    naive = now.astimezone(UTC).replace(tzinfo=None)
    Message.insert(
        person=person.id,
        channel="push",
        kind=kind,
        event_id=key,
        payload=note.to_json(),
        due_at=send_at.astimezone(UTC).replace(tzinfo=None),
        expires_at=naive + EVENT_MAX_AGE,
        created_at=naive,
    ).on_conflict_ignore().execute()
    return True


def story_featured(story, week) -> None:
    """Tell a story's author (and the colleague it is about) that it is the story of the week."""
    url = url_for("stories.show", story_id=story.id)
    for person_id in dict.fromkeys((story.author_id, story.member_id)):
        notify(
            person_id,
            "featured",
            f"story-{story.id}-{week.isoformat()}",
            "Your story is the story of the week",
            f"“{story.heading}” is pinned on your team's feed for everyone to read.",
            url,
        )
