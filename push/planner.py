"""Each minute: make the message rows of the daily pushes now due (reminder, streak at risk)."""

from __future__ import annotations

from datetime import UTC, datetime

from game.reminders import STREAK_RISK_AT, daily_due, daily_expiry, streak_at_risk
from game.streaks import streak
from models import DAILY_KINDS, CheckIn, Message, Person, PushPreference
from push.service import Notification

REMINDER = Notification(
    title="A minute for your check-in?",
    body="Before, during, after: three taps for today's Daily Filter.",
    url="/",
    tag="reminder",
    topic="reminder",
    ttl=6 * 60 * 60,
)


def _streak_note(days: int) -> Notification:
    return Notification(
        title=f"Your {days}-day streak is waiting for today",
        body="A check-in before the day ends keeps it going.",
        url="/",
        tag="streak-risk",
        topic="streak-risk",
        ttl=4 * 60 * 60,
    )


def _checked_in(pairs: set[tuple[int, object]]) -> set[tuple[int, object]]:
    found = set()
    days = {day for _, day in pairs}
    ids = sorted({person for person, _ in pairs})
    for start in range(0, len(ids), 500):
        query = CheckIn.select(CheckIn.person, CheckIn.day).where(
            CheckIn.person.in_(ids[start : start + 500]) & CheckIn.day.in_(list(days))
        )
        found.update(query.tuples())
    return found & pairs


def _naive(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(tzinfo=None)


def plan(instant: datetime) -> int:
    """Write a row for every daily push due at instant (aware) and not yet written; return how many."""
    naive = _naive(instant)
    candidates = []
    for person_id, tz, week, at, preference, _ in PushPreference.schedules(with_device=True):
        wanted = preference.wanted
        if "reminder" in wanted and (day := daily_due(instant, tz, at, week)):
            candidates.append((person_id, "reminder", day, tz, week))
        if "streak_risk" in wanted and (day := daily_due(instant, tz, STREAK_RISK_AT, week)):
            candidates.append((person_id, "streak_risk", day, tz, week))
    if not candidates:
        return 0
    made = Message.existing_daily(DAILY_KINDS, {c[2] for c in candidates})
    candidates = [c for c in candidates if (c[0], c[1], c[2]) not in made]
    checked = _checked_in({(c[0], c[2]) for c in candidates})
    rows = []
    for person_id, kind, day, tz, week in candidates:
        state, note = "due", REMINDER
        if (person_id, day) in checked:
            state = "skipped"
        elif kind == "streak_risk":
            person = Person(id=person_id)
            current = streak(CheckIn.days_of(person), week, day)
            if streak_at_risk(current, True):
                note = _streak_note(current.current)
            else:
                state = "skipped"
        rows.append(
            {
                "person": person_id,
                "channel": "push",
                "kind": kind,
                "day": day,
                "payload": note.to_json(),
                "state": state,
                "due_at": naive,
                "expires_at": _naive(daily_expiry(day, tz)),
                "created_at": naive,
            }
        )
    Message.add_many(rows)
    return sum(1 for row in rows if row["state"] == "due")
