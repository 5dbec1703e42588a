"""The demo organisation: two teams, a lead, employees with a few weeks of history."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from werkzeug.security import generate_password_hash

from game.badges import facts_of, first_earned
from game.days import is_workday, local_date, parse_workdays, week_start
from game.streaks import streak
from models import (
    Announcement,
    Badge,
    Challenge,
    CheckIn,
    Commitment,
    Notice,
    Person,
    Pledge,
    Reaction,
    Recognition,
    RecognitionApplause,
    Story,
    Team,
    db,
    new_token,
)

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
        stamp = now.replace(tzinfo=None)  # timestamps are stored as naive UTC
        made = stamp - timedelta(weeks=weeks)  # the teams are as old as their history
        teams = {name: Team.create(name=name, created_at=made) for name in ("North", "South")}
        for email, name, role, team, tz, rate in PEOPLE:
            person = Person.create(
                email=email,
                name=name,
                role=role,
                team=teams.get(team),
                tz=tz,
                password_hash=hashed,
                created_at=stamp - timedelta(weeks=weeks),
            )
            people[email.split("@")[0]] = person
            _history(person, now, weeks, rate, rng)
        _stories(people, now)
        _recognitions(people, now)
        for person in people.values():
            _badges(person, now)
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
        # Some answered already; the rest are asked "did you keep it?" on Today.
        kept=None if rng.random() < 0.5 else rng.random() < 0.8,
    )
    if rng.random() < 0.6:
        Pledge.create(
            person=person, signed_at=now.replace(tzinfo=None) - timedelta(days=rng.randint(1, 20))
        )


# The campaign's three sample stories (Part 3), split into the template's parts.
STORIES = (
    {
        "author": "alice",
        "member": "bob",
        "days_ago": 4,
        "title": "The Saturday Call",
        "situation": "A borrower's loan was scheduled to close Monday, but they discovered a question "
        "about their closing costs on Saturday afternoon. They sent an email expecting to wait "
        "until Monday.",
        "moment": "Their loan officer saw the email, called them within the hour, and spent 45 "
        "minutes walking through every number.",
        "impact": "The borrower later said: \"I've bought three homes and never had anyone call me "
        'on a Saturday. I felt like I was their only client."',
        "lesson": "A worried customer shouldn't have to wait for Monday to be heard. "
        "That's One True Customer.",
        "customer_kind": "external",
        "phase": "during",
        "applause": ("lena", "priya", "sam"),
        "story_of_the_week": True,
    },
    {
        "author": "lena",
        "member": "priya",
        "days_ago": 9,
        "title": "The Memory",
        "situation": "A borrower mentioned in passing that they were nervous about their first "
        "home purchase.",
        "moment": "The processor remembered. When the file reached clear to close, she included a "
        'handwritten note: "Congratulations on your first home! I know you were nervous when we '
        'started, but you made it."',
        "impact": "The borrower posted the note on social media.",
        "lesson": "One small act of remembering turned a transaction into a relationship.",
        "customer_kind": "external",
        "phase": "after",
        "applause": ("alice", "bob"),
    },
    {
        "author": "carl",
        "member": "sam",
        "days_ago": 6,
        "title": "The Internal Customer",
        "situation": "A loan officer needed rush processing on a file. The borrower was relocating "
        "for a new job, and timing was critical.",
        "moment": "Instead of just marking it urgent, the loan officer called the processor, "
        "explained the borrower's situation, and asked: \"What do you need from me to make this "
        'smooth for you?"',
        "impact": "The processor later said: \"That's the first time someone treated ME like a "
        'customer. I moved mountains to get that file done."',
        "lesson": "Colleagues are customers too: treat the person you hand work to as your only "
        "customer.",
        "customer_kind": "colleague",
        "phase": "before",
        "applause": ("sam", "carl"),
    },
)


def _stories(people: dict[str, Person], now: datetime) -> None:
    """Seed the story library with the campaign's samples; the first is North's story of the week."""
    stamp = now.replace(tzinfo=None)
    # Oldest first, so the feed (newest first) shows them in the order they happened.
    for sample in sorted(STORIES, key=lambda sample: -sample["days_ago"]):
        ago = sample["days_ago"]
        told = stamp - timedelta(days=ago)
        member = people[sample["member"]]
        featured = (
            week_start(local_date(now, member.tz)) if sample.get("story_of_the_week") else None
        )
        story = Story.create(
            author=people[sample["author"]],
            member=member,
            team=member.team,
            day=local_date(now - timedelta(days=ago), member.tz),
            share_token=new_token(),
            featured_week=featured,
            created_at=told,
            updated_at=told,
            **{
                field: sample[field]
                for field in ("title", "situation", "moment", "impact", "lesson")
                + ("customer_kind", "phase")
            },
        )
        for fan in sample["applause"]:
            Reaction.create(story=story, person=people[fan], created_at=told + timedelta(hours=2))


# Peer recognition (campaign Part 4): simple and frequent, for customers and for colleagues.
RECOGNITIONS = (
    (
        "priya",
        "bob",
        1,
        "colleague",
        "Picked up my callback list when my daughter was ill, and "
        "called every borrower before noon. None of them knew anything had happened.",
    ),
    (
        "bob",
        "alice",
        2,
        "external",
        "Called back at 4:45 instead of tomorrow. The borrower said "
        "she'd stopped expecting that from anyone.",
    ),
    (
        "lena",
        "priya",
        3,
        "external",
        "Walked a first-time buyer through every line of the "
        "closing disclosure, then followed up the next day.",
    ),
    (
        "sam",
        "carl",
        2,
        "colleague",
        "Briefed me fully before the handoff, so the customer never had to repeat themselves.",
    ),
    (
        "alice",
        "priya",
        8,
        "colleague",
        "Explained the why behind the extra documents so clearly "
        "that I now use her words on my calls.",
    ),
)


def _recognitions(people: dict[str, Person], now: datetime) -> None:
    """A few recognitions on both teams, and last week's announcement for North."""
    stamp = now.replace(tzinfo=None)
    for giver, receiver, ago, kind, message in sorted(RECOGNITIONS, key=lambda r: -r[2]):
        person = people[receiver]
        day = local_date(now - timedelta(days=ago), people[giver].tz)
        recognition = Recognition.create(
            giver=people[giver],
            receiver=person,
            team=person.team,
            message=message,
            customer_kind=kind,
            day=day,
            week=week_start(day),
            share_token=new_token(),
            created_at=stamp - timedelta(days=ago),
        )
        if ago < 3:
            RecognitionApplause.create(recognition=recognition, person=people["lena"])
    last_week = week_start(local_date(now, "Europe/Berlin")) - timedelta(days=7)
    Announcement.create(
        team=people["lena"].team,
        week=last_week,
        lead=people["lena"],
        receiver=people["priya"],
        text="This week's One True Customer recognition goes to Priya Sharma. A borrower "
        "mentioned in passing that they were nervous about their first home. When the file "
        "reached clear to close, Priya included a handwritten note. The borrower posted it "
        "online. That's One True Customer in action.",
        share_token=new_token(),
        created_at=stamp - timedelta(days=7),
        updated_at=stamp - timedelta(days=7),
    )


def _badges(person: Person, now: datetime) -> None:
    """Person's badges, dated when the demo's history earned them, their notices already seen.

    Awarding them at load time instead would date them all today and leave them new, for the
    person's first action in the demo to celebrate as if it had earned them.
    """
    for key, at in first_earned(_snapshots(person, now)).items():
        Badge.award(person, key, at)
        Notice.tell(person.id, "badge", f"badge:{key}", at, seen=True, badge=key)


def _snapshots(person: Person, now: datetime):
    """(naive UTC moment, facts) after each thing the demo had person do, oldest first."""
    zone, stamp = ZoneInfo(person.tz), now.replace(tzinfo=None)

    def local(day: date, hour: int) -> datetime:
        moment = datetime.combine(day, time(hour), zone).astimezone(UTC).replace(tzinfo=None)
        return min(moment, stamp)

    done = [(local(day, 17), "check_in", day) for day in CheckIn.days_of(person)]
    done += [
        (pledge.signed_at, "pledge", None)
        for pledge in Pledge.select().where(Pledge.person == person)
    ]
    done += [
        (challenge.completed_at, "challenge", None)
        for challenge in Challenge.select().where(
            Challenge.person == person, Challenge.completed_at.is_null(False)
        )
    ]
    for story in Story.select().where((Story.author == person) | (Story.member == person)):
        if story.author_id == person.id:
            done.append((story.created_at, "story", None))
        if story.featured_week:
            featured = max(story.created_at, local(story.featured_week, 9))
            done.append((featured, "featured", None))
    for seen in Recognition.select().where(Recognition.giver == person):
        done.append((seen.created_at, "given", (seen.receiver_id, seen.week)))
    for seen in Recognition.select().where(Recognition.receiver == person):
        done.append((seen.created_at, "received", (seen.giver_id, seen.customer_kind)))
    for commitment in Commitment.select().where(Commitment.person == person, Commitment.kept):
        # Asked "did you keep it?" on Today in the week after.
        done.append((local(commitment.week + timedelta(days=7), 9), "kept", None))
    days, given, received = [], [], []
    counts = dict.fromkeys(("challenge", "story", "featured", "pledge", "kept"), 0)
    week = person.work_week()
    for at, what, value in sorted(done, key=lambda thing: thing[0]):
        if what == "check_in":
            days.append(value)
        elif what == "given":
            given.append(value)
        elif what == "received":
            received.append(value)
        else:
            counts[what] += 1
        yield (
            at,
            facts_of(
                check_ins=len(days),
                longest_streak=streak(
                    days, week, local_date(at.replace(tzinfo=UTC), person.tz)
                ).longest,
                given=given,
                received=received,
                challenges_completed=counts["challenge"],
                stories_told=counts["story"],
                stories_featured=counts["featured"],
                pledged=counts["pledge"],
                commitments_kept=counts["kept"],
            ),
        )
