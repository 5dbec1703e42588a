"""The peewee models of One True Customer and their query methods."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from peewee import (
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegrityError,
    Model,
    SqliteDatabase,
    TextField,
    fn,
)
from playhouse.db_url import connect

db = DatabaseProxy()

MIGRATIONS = Path(__file__).parent / "migrations"
SIGN_IN_DAYS = 90
INVITE_DAYS = 14
RESET_HOURS = 48


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (how every timestamp is stored)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def open_database(url: str):
    """Open the database named by a DATABASE_URL and bind the models to it."""
    if url.startswith("sqlite"):
        database = connect(
            url,
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": 10000,
                "synchronous": "normal",
            },
            # Every transaction takes the write lock up front, so two check-ins
            # never deadlock upgrading a read lock ("database is locked").
            lock_type="IMMEDIATE",
            timeout=10,
        )
    else:
        scheme, rest = url.split("://", 1)
        if not scheme.endswith("+pool"):
            url = f"{scheme}+pool://{rest}"
        database = connect(url, max_connections=32, stale_timeout=300)
    db.initialize(database)
    return database


def is_sqlite() -> bool:
    """Whether the bound database is SQLite."""
    return isinstance(db.obj, SqliteDatabase)


def digest(token: str) -> str:
    """The stored form of a secret token: only its hash is ever kept."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """An unguessable URL-safe token."""
    return secrets.token_urlsafe(32)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Team(BaseModel):
    name = CharField(max_length=80, unique=True)
    created_at = DateTimeField(default=utcnow)

    def __str__(self) -> str:
        return self.name

    def members(self):
        """The active people on this team, by name."""
        return (
            Person.select()
            .where((Person.team == self) & Person.active)
            .order_by(fn.LOWER(Person.name))
        )


ROLES = ("employee", "lead", "admin")


class Person(BaseModel):
    email = CharField(max_length=254, unique=True)
    name = CharField(max_length=80)
    password_hash = CharField(max_length=255, null=True)
    role = CharField(max_length=10, default="employee")
    team = ForeignKeyField(Team, null=True, backref="people", on_delete="SET NULL")
    tz = CharField(max_length=64, default="UTC")
    workdays = CharField(max_length=20, default="0,1,2,3,4")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    def __str__(self) -> str:
        return self.name

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"

    @classmethod
    def by_email(cls, email: str) -> Person | None:
        """The person with this email address, whatever its case."""
        return cls.get_or_none(fn.LOWER(cls.email) == email.strip().lower())

    @classmethod
    def signed_in(cls, token: str, now: datetime) -> tuple[Person, SignIn] | None:
        """The active person holding a live sign-in for this cookie token."""
        query = (
            SignIn.select(SignIn, Person)
            .join(Person)
            .where(
                (SignIn.token_digest == digest(token))
                & (SignIn.expires_at > now)
                & Person.active
            )
        )
        sign_in = query.first()
        return (sign_in.person, sign_in) if sign_in else None

    def leads(self, other: Person) -> bool:
        """Whether this person may see other's participation (same team lead, or admin)."""
        if self.is_admin:
            return True
        return self.is_lead and self.team_id is not None and self.team_id == other.team_id

    def organisation(self):
        """Everyone active in the organisation, by name (the colleague directory)."""
        return Person.select().where(Person.active).order_by(fn.LOWER(Person.name))


class SignIn(BaseModel):
    """A server-side session: the cookie carries a token, only its digest is stored."""

    person = ForeignKeyField(Person, backref="sign_ins", on_delete="CASCADE")
    token_digest = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(index=True)
    user_agent = CharField(max_length=200, default="")

    @classmethod
    def start(cls, person: Person, now: datetime, user_agent: str = "") -> str:
        """Open a sign-in for person and return the token for their cookie."""
        token = new_token()
        cls.create(
            person=person,
            token_digest=digest(token),
            created_at=now,
            expires_at=now + timedelta(days=SIGN_IN_DAYS),
            user_agent=user_agent[:200],
        )
        return token

    def extend(self, now: datetime) -> None:
        """Slide the expiry forward, at most once a day, so a phone stays signed in."""
        wanted = now + timedelta(days=SIGN_IN_DAYS)
        if wanted - self.expires_at > timedelta(days=1):
            SignIn.update(expires_at=wanted).where(SignIn.id == self.id).execute()


class LoginAttempt(BaseModel):
    email = CharField(max_length=254, index=True)
    ip = CharField(max_length=64, index=True)
    at = DateTimeField(index=True)

    @classmethod
    def recent_failures(cls, email: str, ip: str, now: datetime, minutes: int = 15) -> int:
        """Failed sign-ins for this email or from this address in the last minutes."""
        since = now - timedelta(minutes=minutes)
        return (
            cls.select()
            .where((cls.at > since) & ((cls.email == email.lower()) | (cls.ip == ip)))
            .count()
        )


class Invite(BaseModel):
    email = CharField(max_length=254)
    name = CharField(max_length=80, default="")
    team = ForeignKeyField(Team, null=True, on_delete="CASCADE")
    role = CharField(max_length=10, default="employee")
    token_digest = CharField(max_length=64, unique=True)
    created_by = ForeignKeyField(Person, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)

    @classmethod
    def issue(cls, email, team, role, by, now, name="") -> str:
        """Create an invite and return its token (shown once, as a link)."""
        token = new_token()
        cls.create(
            email=email.strip().lower(),
            name=name,
            team=team,
            role=role,
            token_digest=digest(token),
            created_by=by,
            created_at=now,
            expires_at=now + timedelta(days=INVITE_DAYS),
        )
        return token

    @classmethod
    def usable(cls, token: str, now: datetime) -> Invite | None:
        """The unused, unexpired invite for this token."""
        return cls.get_or_none(
            (cls.token_digest == digest(token)) & cls.used_at.is_null() & (cls.expires_at > now)
        )


class PasswordReset(BaseModel):
    person = ForeignKeyField(Person, on_delete="CASCADE")
    token_digest = CharField(max_length=64, unique=True)
    created_by = ForeignKeyField(Person, null=True, on_delete="SET NULL", backref="+")
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)

    @classmethod
    def issue(cls, person: Person, by: Person, now: datetime) -> str:
        """Create a reset link token for person."""
        token = new_token()
        cls.create(
            person=person,
            token_digest=digest(token),
            created_by=by,
            expires_at=now + timedelta(hours=RESET_HOURS),
        )
        return token

    @classmethod
    def usable(cls, token: str, now: datetime) -> PasswordReset | None:
        """The unused, unexpired reset for this token."""
        return cls.get_or_none(
            (cls.token_digest == digest(token)) & cls.used_at.is_null() & (cls.expires_at > now)
        )


ANSWERS = ("yes", "partly", "not_yet")


class CheckIn(BaseModel):
    """One person's daily filter for one local date."""

    person = ForeignKeyField(Person, backref="check_ins", on_delete="CASCADE")
    day = DateField()
    before = CharField(max_length=8, null=True)
    during = CharField(max_length=8, null=True)
    after = CharField(max_length=8, null=True)
    before_note = TextField(default="")
    during_note = TextField(default="")
    after_note = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("person", "day"), True),)

    @classmethod
    def record(cls, person: Person, day: date, answers: dict, key: str | None, now: datetime) -> CheckIn:
        """Write person's check-in for day: the first submit creates, later ones edit, a replay is a no-op."""
        with db.atomic():
            if key:
                replay = (
                    cls.select().join(CheckInKey).where((CheckInKey.key == key) & (cls.person == person)).first()
                )
                if replay is not None:
                    return replay
            fields = {**answers, "updated_at": now}
            existing = cls.get_or_none((cls.person == person) & (cls.day == day))
            if existing is None:
                try:
                    with db.atomic():
                        existing = cls.create(person=person, day=day, created_at=now, **fields)
                except IntegrityError:
                    # A concurrent first submit won the race: edit what it wrote.
                    existing = cls.get((cls.person == person) & (cls.day == day))
                    cls.update(**fields).where(cls.id == existing.id).execute()
            else:
                cls.update(**fields).where(cls.id == existing.id).execute()
            if key:
                CheckInKey.insert(key=key, check_in=existing).on_conflict_ignore().execute()
            return cls.get_by_id(existing.id)

    @classmethod
    def days_of(cls, person: Person) -> list[date]:
        """Every local date person checked in."""
        return [row[0] for row in cls.select(cls.day).where(cls.person == person).tuples()]

    @classmethod
    def on(cls, person: Person, day: date) -> CheckIn | None:
        """Person's check-in on day, if any."""
        return cls.get_or_none((cls.person == person) & (cls.day == day))


class CheckInKey(BaseModel):
    """An idempotency key already applied: a replay of the same submit changes nothing."""

    key = CharField(max_length=64, unique=True)
    check_in = ForeignKeyField(CheckIn, on_delete="CASCADE")


class Challenge(BaseModel):
    """A 30-day challenge a person started (or their lead started for them)."""

    person = ForeignKeyField(Person, backref="challenges", on_delete="CASCADE")
    start = DateField()
    started_by = ForeignKeyField(Person, null=True, on_delete="SET NULL", backref="+")
    reflection = TextField(default="")
    completed_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    @classmethod
    def current_for(cls, person: Person) -> Challenge | None:
        """Person's latest challenge."""
        return cls.select().where(cls.person == person).order_by(cls.id.desc()).first()

    @classmethod
    def begin(cls, person: Person, start: date, by: Person | None = None) -> Challenge:
        """Start a new 30-day challenge for person on start."""
        return cls.create(person=person, start=start, started_by=by)

    @classmethod
    def completed_count(cls, person: Person) -> int:
        """How many challenges person has completed."""
        return cls.select().where((cls.person == person) & cls.completed_at.is_null(False)).count()


class Commitment(BaseModel):
    """The weekly commitment: one behaviour to change, one situation to apply the filter."""

    person = ForeignKeyField(Person, backref="commitments", on_delete="CASCADE")
    week = DateField()
    behaviour = TextField()
    situation = TextField()
    kept = BooleanField(null=True)
    reviewed_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("person", "week"), True),)

    @classmethod
    def of_week(cls, person: Person, week: date) -> Commitment | None:
        """Person's commitment for the week starting on week."""
        return cls.get_or_none((cls.person == person) & (cls.week == week))

    @classmethod
    def unreviewed_before(cls, person: Person, week: date) -> Commitment | None:
        """Person's latest earlier commitment not yet answered."""
        return (
            cls.select()
            .where((cls.person == person) & (cls.week < week) & cls.kept.is_null())
            .order_by(cls.week.desc())
            .first()
        )


class Pledge(BaseModel):
    person = ForeignKeyField(Person, unique=True, on_delete="CASCADE")
    signed_at = DateTimeField(default=utcnow)


MODELS = [Team, Person, SignIn, LoginAttempt, Invite, PasswordReset, CheckIn, CheckInKey, Challenge, Commitment, Pledge]


def router():
    """The migration router over migrations/."""
    from peewee_migrate import Router

    return Router(db.obj, migrate_dir=str(MIGRATIONS), ignore=["basemodel"])


def migrate() -> list[str]:
    """Apply every migration not yet applied; return their names."""
    return router().run()


def team_participation(team: Team, start: date, end: date) -> dict[int, int]:
    """Check-in days per member of team between start and end inclusive (no notes)."""
    rows = (
        CheckIn.select(CheckIn.person, fn.COUNT(CheckIn.id))
        .join(Person)
        .where((Person.team == team) & (CheckIn.day >= start) & (CheckIn.day <= end))
        .group_by(CheckIn.person)
        .tuples()
    )
    return {person_id: count for person_id, count in rows}
