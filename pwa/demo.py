"""The demo organisation: two teams, a lead, employees with a few weeks of history."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from werkzeug.security import generate_password_hash

from game.days import is_workday, local_date, parse_workdays, week_start
from models import Challenge, CheckIn, Commitment, Person, Pledge, Team, db

PASSWORD = "one-true-customer"
PEOPLE = (
    # email, name, role, team, time zone, how often they check in
    ("ada@example.com", "Ada Admin", "admin", None, "Europe/London", 0.0),
    ("lena@example.com", "Lena Lead", "lead", "North", "Europe/Berlin", 0.8),
    ("alice@example.com", "Alice Martin", "employee", "North", "Europe/Berlin", 0.95),
    ("bob@example.com", "Bob Okafor", "employee", "North", "Europe/London", 0.7),
    ("priya@example.com", "Priya Sharma", "employee", "North", "Asia/Kolkata", 0.85),
    ("sam@example.com", "Sam Ortega", "lead", "South", "America/New_York", 0.75),
    ("carl@example.com", "Carl Jensen", "employee", "South", "America/Chicago", 0.6),
)
ANSWERS = ("yes", "yes", "yes", "partly", "not_yet")
NOTES = (
    "Called back before end of day instead of waiting for tomorrow.",
    "Phone face-down for the whole call. It showed.",
    "Explained why we need the extra statements. They got it.",
    "",
    "",
    "",
)


def load(now: datetime, weeks: int = 5, seed: int = 7) -> dict[str, Person]:
    """Create the demo organisation with `weeks` of check-ins ending yesterday (now is aware UTC)."""
    rng = random.Random(seed)
    hashed = generate_password_hash(PASSWORD)
    people = {}
    with db.atomic():
        teams = {name: Team.create(name=name, created_at=now) for name in ("North", "South")}
        for email, name, role, team, tz, rate in PEOPLE:
            person = Person.create(
                email=email,
                name=name,
                role=role,
                team=teams.get(team),
                tz=tz,
                password_hash=hashed,
                created_at=now - timedelta(weeks=weeks),
            )
            people[email.split("@")[0]] = person
            _history(person, now, weeks, rate, rng)
    return people


def _history(person: Person, now: datetime, weeks: int, rate: float, rng: random.Random) -> None:
    if not rate:
        return
    today = local_date(now, person.tz)
    workdays = parse_workdays(person.workdays)
    start = today - timedelta(weeks=weeks)
    rows = []
    day = start
    while day < today:
        if is_workday(day, workdays) and rng.random() < rate:
            note = rng.choice(NOTES)
            rows.append(
                {
                    "person": person,
                    "day": day,
                    "before": rng.choice(ANSWERS),
                    "during": rng.choice(ANSWERS),
                    "after": rng.choice(ANSWERS),
                    "after_note": note,
                    "created_at": now.replace(tzinfo=None),
                    "updated_at": now.replace(tzinfo=None),
                }
            )
        day += timedelta(days=1)
    if rows:
        CheckIn.insert_many(rows).execute()
    Challenge.create(person=person, start=today - timedelta(days=rng.randint(3, 20)))
    last_week = week_start(today) - timedelta(days=7)
    Commitment.create(
        person=person,
        week=last_week,
        behaviour="Give a time, not 'I'll get back to you'.",
        situation="Every callback promise on the phone.",
        kept=rng.random() < 0.7,
    )
    if rng.random() < 0.6:
        Pledge.create(
            person=person, signed_at=now.replace(tzinfo=None) - timedelta(days=rng.randint(1, 20))
        )
