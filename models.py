"""The peewee models of One True Customer and their query methods."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import secrets
import unicodedata
import weakref
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from peewee import (
    JOIN,
    SQL,
    AutoField,
    BlobField,
    BooleanField,
    Case,
    CharField,
    DatabaseError,
    DatabaseProxy,
    DateField,
    DateTimeField,
    DoesNotExist,
    DoubleField,
    ForeignKeyField,
    IntegerField,
    IntegrityError,
    InterfaceError,
    Model,
    NodeList,
    OperationalError,
    SqliteDatabase,
    TextField,
    fn,
)
from playhouse.db_url import connect, register_database
from playhouse.pool import PooledPostgresqlDatabase

from game import indicators, lagging
from game import summary as summaries
from game.board import week_so_far
from game.challenge import LENGTH as CHALLENGE_DAYS
from game.days import (
    WorkWeek,
    is_workday,
    local_date,
    parse_past_workdays,
    parse_workdays,
    week_start,
)
from game.streaks import Streak, streak

db = DatabaseProxy()

MIGRATIONS = Path(__file__).parent / "migrations"
SIGN_IN_DAYS = 90
INVITE_DAYS = 14
RESET_HOURS = 48
# A team's challenge that a lead started fewer days ago than this takes newcomers in.
TEAM_JOIN_DAYS = timedelta(days=7)


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (how every timestamp is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


class RetryingPool(PooledPostgresqlDatabase):
    """A PostgreSQL pool that replaces a connection found dead at its first statement.

    A pooled connection can be dead by the time it is used (the server restarted, an admin or a
    failover ended its backend). Its first statement then fails before it changed anything, so
    it is safe to send once more on a new connection; a later failure is raised as it is, since a
    write may already have been made.
    """

    def _is_closed(self, conn) -> bool:
        # peewee's pool sends `SELECT 1` at every checkout to ask whether the connection lives;
        # only what the driver already knows is checked here, and a dead one is replaced at its
        # first statement (below), so no round trip is spent on asking.
        return bool(conn.closed) or self._adapter.txn_status(conn) == self._adapter.txn_unknown

    def _initialize_connection(self, conn) -> None:
        super()._initialize_connection(conn)
        self._state.fresh = True

    def execute_sql(self, sql, params=None):
        return self._once_more(super().execute_sql, sql, params)

    def begin(self, *args, **kwargs):
        return self._once_more(super().begin, *args, **kwargs)

    def _once_more(self, run, *args, **kwargs):
        fresh, self._state.fresh = getattr(self._state, "fresh", False), False
        try:
            return run(*args, **kwargs)
        except (OperationalError, InterfaceError):
            if not fresh or self.in_transaction():
                raise
            # The pool's other idle connections most likely died with this one.
            self.manual_close()
            self.close_idle()
            self.connect()
            self._state.fresh = False
            return run(*args, **kwargs)


register_database(RetryingPool, "postgres+retrypool", "postgresql+retrypool")


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
        database.register_function(_unicode_lower, "unicode_lower", 1, deterministic=True)
    else:
        scheme, rest = url.split("://", 1)
        url = f"{scheme.removesuffix('+pool')}+retrypool://{rest}"
        # A burst beyond the pool waits for a free connection rather than failing.
        database = connect(url, max_connections=32, stale_timeout=300, timeout=10)
    db.initialize(database)
    return database


def _unicode_lower(text):
    return text.lower() if isinstance(text, str) else text


def lowered(node):
    """node in lower case, whatever its letters: SQLite's own LOWER() changes only A to Z, so
    "Ølsen" would never match "ølsen" there (PostgreSQL's LOWER() knows every letter)."""
    return fn.unicode_lower(node) if is_sqlite() else fn.LOWER(node)


def is_sqlite() -> bool:
    """Whether the bound database is SQLite."""
    return isinstance(db.obj, SqliteDatabase)


def is_deadlock(error: Exception) -> bool:
    """Whether a database error is PostgreSQL ending a deadlock (its victim may simply try again)."""
    while error is not None:  # the driver's error is peewee's cause or context
        if getattr(error, "pgcode", None) == "40P01":
            return True
        error = error.__cause__ or error.__context__
    return False


class PersonGone(DoesNotExist):
    """Someone a write names (its author, the colleague it is about) was deleted meanwhile."""

    def __init__(self, person_id: int):
        super().__init__(f"person {person_id} is gone")
        self.person_id = person_id


def again_after_deadlock(function):
    """Run function (one whole transaction) again when PostgreSQL ends a deadlock by stopping it."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        for attempt in range(3):
            try:
                return function(*args, **kwargs)
            except OperationalError as error:
                if attempt == 2 or not is_deadlock(error) or db.in_transaction():
                    raise
        return None  # not reached: the third try returns or raises

    return run


@functools.lru_cache(maxsize=64)
def _placeholders(sql: str, param: str) -> str:
    return sql if param == "?" else sql.replace("?", param)


# PostgreSQL connection -> names of the statements prepared on it.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@functools.lru_cache(maxsize=64)
def _numbered(sql: str) -> tuple[str, str, int]:
    """A name for sql, sql with "?" as $1, $2..., and how many parameters it has."""
    parts = sql.split("?")
    numbered = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
    return "otc_" + hashlib.sha1(sql.encode()).hexdigest()[:16], numbered, len(parts) - 1


def run(sql: str, params: tuple = ()):
    """Execute hand-written SQL of a hot path ("?" placeholders on every backend); return the cursor.

    On PostgreSQL the statement is prepared once per connection and then executed by name, so
    it is planned once rather than on every request (planning Today's join costs more than
    running it). SQLite's driver keeps its own cache of prepared statements.
    """
    if is_sqlite():
        return db.execute_sql(sql, params)
    name, numbered, count = _numbered(sql)
    execute = f"EXECUTE {name} ({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"
    connection = db.connection()
    if name in _prepared.get(connection, ()):
        try:
            return db.execute_sql(execute, params)
        except DatabaseError:
            if db.connection() is connection:
                raise
            # The pool found this connection dead and ran the statement again on a new one
            # (RetryingPool), where nothing is prepared yet: prepare it there.
    db.execute_sql(f"PREPARE {name} AS {numbered}")
    # Recorded for the connection it ran on, which a retry may have replaced.
    _prepared.setdefault(db.connection(), set()).add(name)
    return db.execute_sql(execute, params)


# Fields whose column comes back from either driver already as its Python value (text, whole
# numbers): reading them needs no conversion call. Exact types only: a subclass may convert.
AS_STORED = frozenset({CharField, TextField, IntegerField, AutoField, ForeignKeyField})


def _reader(field):
    """How a column's value becomes the field's: None when it already is."""
    if type(field) in AS_STORED and (
        type(field) is not ForeignKeyField or type(field.rel_field) in AS_STORED
    ):
        return None
    return field.python_value


@functools.lru_cache(maxsize=128)
def _readers(model, names: tuple) -> tuple:
    """For each column of a result: the field's name (None: not a field) and its reader."""
    found = []
    for name in names:
        field = model._meta.columns.get(name)
        found.append((None, None) if field is None else (field.name, _reader(field)))
    return tuple(found)


def load(model, sql: str, params: tuple) -> list:
    """Model instances from hand-written SQL on a hot path ("?" placeholders on every backend).

    peewee's query builder costs more than the query itself for the small reads of Today, so
    these few are written out; columns that aren't fields of the model are kept as attributes.
    """
    cursor = run(sql, params)
    names = tuple(column[0] for column in cursor.description)
    readers = _readers(model, names)
    rows = []
    for row in cursor.fetchall():
        instance, extras = _instance_of(model, readers, names, row)
        instance.__dict__.update(extras)
        rows.append(instance)
    return rows


def load_one(model, sql: str, params: tuple) -> tuple | None:
    """As load, for one row: its instance, and its other columns by name (None: no row)."""
    cursor = run(sql, params)
    row = cursor.fetchone()
    if row is None:
        return None
    names = tuple(column[0] for column in cursor.description)
    return _instance_of(model, _readers(model, names), names, row)


def _instance_of(model, readers: tuple, names: tuple, row) -> tuple:
    instance, extras = model(__no_default__=True), {}  # every column is read: no defaults
    data = instance.__data__
    for (field, read), name, value in zip(readers, names, row, strict=True):
        if field is None:
            extras[name] = value
        else:
            data[field] = value if read is None or value is None else read(value)
    return instance, extras


def column_list(model, alias: str = "") -> str:
    """The model's columns, listed (a prepared statement's result must not change with the table)."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f'{prefix}"{field.column_name}"' for field in model._meta.sorted_fields)


def _aliased(alias: str, model) -> str:
    return ", ".join(
        f'{alias}."{field.column_name}" AS {alias}__{field.column_name}'
        for field in model._meta.sorted_fields
    )


@functools.lru_cache(maxsize=32)
def _aliased_readers(model, alias: str) -> tuple:
    return tuple(
        (field.name, f"{alias}__{field.column_name}", _reader(field))
        for field in model._meta.sorted_fields
    )


def _instance(model, alias: str, row: dict):
    """The model instance in row's columns named alias__column; None when its key is NULL."""
    key = model._meta.primary_key.column_name
    if row.get(f"{alias}__{key}") is None:
        return None
    instance = model(__no_default__=True)  # every column is read: no defaults to fill in
    data = instance.__data__
    for name, column, read in _aliased_readers(model, alias):
        value = row[column]
        data[name] = value if read is None or value is None else read(value)
    return instance


@functools.lru_cache(maxsize=256)
def _work_week(workdays: str, past_workdays: str) -> WorkWeek:
    """The WorkWeek stored as these two texts (parsed once: a WorkWeek never changes)."""
    return WorkWeek(parse_workdays(workdays), parse_past_workdays(past_workdays))


def _signed_in_columns() -> str:
    return (
        f"SELECT {column_list(Person, 'p')}, s.id AS sign_in_id, s.expires_at AS sign_in_expires, "
        "s.made_link AS sign_in_made_link, " + PersonSummary.select_list("ps")
    )


_SIGNED_IN_FROM = (
    " FROM sign_in s JOIN person p ON p.id = s.person_id"
    " LEFT JOIN person_summary ps ON ps.person_id = p.id"
)
_SIGNED_IN_WHERE = " WHERE s.token_digest = ? AND s.expires_at > ? AND p.active"


@functools.cache
def _signed_in_sql() -> str:
    return _signed_in_columns() + _SIGNED_IN_FROM + _SIGNED_IN_WHERE


def _today_facts_columns() -> str:
    return (
        f"{_aliased('ci', CheckIn)}, {_aliased('ch', Challenge)}, pl.id AS pledge_id,"
        f" {_aliased('cm', Commitment)}, {_aliased('ce', Commitment)}"
    )


def _today_facts_joins(person: str) -> str:
    """Today's facts of the person whose id is `person` (a parameter or a column), each join
    at most one row; then the parameters are the day, the week and the week again."""
    return (
        f" LEFT JOIN check_in ci ON ci.person_id = {person} AND ci.day = ?"
        " LEFT JOIN challenge ch ON ch.id ="
        f" (SELECT MAX(id) FROM challenge WHERE person_id = {person})"
        f" LEFT JOIN pledge pl ON pl.person_id = {person}"
        f" LEFT JOIN commitment cm ON cm.person_id = {person} AND cm.week = ?"
        f" LEFT JOIN commitment ce ON ce.id = (SELECT id FROM commitment WHERE person_id = {person}"
        " AND week < ? AND kept IS NULL ORDER BY week DESC LIMIT 1)"
    )


@functools.cache
def _today_facts_sql() -> str:
    # One row, whatever exists: LEFT JOINs from a one-row table, the person's id a parameter.
    return f"SELECT {_today_facts_columns()} FROM (SELECT 1 AS one) AS x" + _today_facts_joins("?")


@functools.cache
def _signed_in_today_sql() -> str:
    # The sign-in's row with Today's facts beside it: the joins' person is the signed-in one.
    return (
        f"{_signed_in_columns()}, {_today_facts_columns()}"
        + _SIGNED_IN_FROM
        + _today_facts_joins("p.id")
        + _SIGNED_IN_WHERE
    )


def _today_facts_of(row: dict) -> dict:
    """Today's facts from a row of _today_facts_columns, by name."""
    return {
        "check_in": _instance(CheckIn, "ci", row),
        "challenge": _instance(Challenge, "ch", row),
        "pledged": row["pledge_id"] is not None,
        "commitment": _instance(Commitment, "cm", row),
        "earlier": _instance(Commitment, "ce", row),
    }


def as_date(value) -> date:
    """A date column's value as a date, whatever the driver returned."""
    return value if isinstance(value, date) else date.fromisoformat(value)


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

    @classmethod
    def create_with_token(cls, token: str | None = None, **fields) -> str:
        """Create a row holding a (new) token's digest; return the token (it is shown once)."""
        token = token or new_token()
        cls.create(token_digest=digest(token), **fields)
        return token


def name_order(name: str) -> tuple:
    """A name's place in name order, any case, numbers by their value: Team 2 before Team 10."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", name.casefold())
        if part
    )


def person_order(person: Person) -> tuple:
    """A person's place in name order: any case, accents aside (Ada, Émile, Zoë), then by id."""
    plain = unicodedata.normalize("NFKD", person.name)
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold(), person.id


# The longest name of a person or team (the forms say so rather than cut a longer one).
NAME_MAX = 80


class Team(BaseModel):
    name = CharField(max_length=NAME_MAX, unique=True)
    created_at = DateTimeField(default=utcnow)

    @classmethod
    def in_name_order(cls) -> list[Team]:
        """Every team in name order (numbers by value), sorted here so it is the same on any database."""
        return sorted(cls.select(), key=lambda team: name_order(team.name))

    def __str__(self) -> str:
        return self.name

    @classmethod
    def named(cls, name: str) -> Team | None:
        """The team called name, whatever the capitals of either ("north" finds North, "ølsen" Ølsen)."""
        return cls.get_or_none(lowered(cls.name) == name.lower())

    def members(self) -> list[Person]:
        """The active people on this team, in name order."""
        # Sorted here: both databases' ORDER BY put Émile after Zoë (code point order).
        return sorted(
            Person.select().where((Person.team == self) & Person.active), key=person_order
        )


ROLES = ("employee", "lead", "admin")


class Person(BaseModel):
    email = CharField(max_length=254, unique=True)
    name = CharField(max_length=NAME_MAX)
    password_hash = CharField(max_length=255, null=True)
    role = CharField(max_length=10, default="employee")
    team = ForeignKeyField(Team, null=True, backref="people", on_delete="SET NULL")
    tz = CharField(max_length=64, default="UTC")
    # The phone's time zone the person chose to keep their own days in (the hint stays away).
    tz_kept = CharField(max_length=64, default="")
    workdays = CharField(max_length=20, default="0,1,2,3,4")
    # Earlier work days and until when they held ("2026-11-23=0,1,2,3,4;..."): see game.days.WorkWeek.
    past_workdays = TextField(default="")
    # The local day the time zone last changed: no check-in is ever dated before it.
    tz_changed_on = DateField(null=True)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    # How many of the person's notices (recognised, badge earned...) they have not seen yet: read
    # with the sign-in on every page, so the tab bar's count costs no query of its own.
    news_unseen = IntegerField(default=0)

    def __str__(self) -> str:
        return self.name

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"

    @classmethod
    def still_there(cls, person_id: int) -> bool:
        """Whether the person exists, asked after any deletion of them under way has ended."""
        query = cls.select(cls.id).where(cls.id == person_id)
        if not is_sqlite():
            query = query.for_update("FOR KEY SHARE")  # waits while a deletion holds the row
        with db.atomic():
            return query.first() is not None

    @classmethod
    def hold(cls, *ids: int) -> None:
        """Inside a write's transaction: hold these people's rows until it ends, or raise PersonGone.

        On PostgreSQL the rows are locked FOR KEY SHARE in id order before the write, so a
        deletion under way (which locks the person FOR UPDATE first, pwa/rights.py erase) either
        finishes first, and the write finds them gone, or waits for the write: never the deadlock
        of a foreign key check against the deleting row. SQLite's write lock does the same.
        """
        query = cls.select(cls.id).where(cls.id.in_(sorted(set(ids)))).order_by(cls.id)
        if not is_sqlite():
            query = query.for_update("FOR KEY SHARE")
        there = {row.id for row in query}
        for person_id in ids:
            if person_id not in there:
                raise PersonGone(person_id)

    @classmethod
    def by_email(cls, email: str) -> Person | None:
        """The person with this email address, whatever its case."""
        return cls.get_or_none(fn.LOWER(cls.email) == email.strip().lower())

    @classmethod
    def signed_in(
        cls, token: str, now: datetime, day: date | None = None
    ) -> tuple[Person, SignIn] | None:
        """The active person holding a live sign-in for this cookie token, with their summary.

        Given the day Today is likely to show, its facts come in the same statement, kept for
        today_facts to use once if that is the day it asks for.
        """
        if day is None:
            found = load_one(cls, _signed_in_sql(), (digest(token), now))
        else:
            week = week_start(day)
            params = (day, week, week, digest(token), now)
            found = load_one(cls, _signed_in_today_sql(), params)
        if found is None:
            return None
        person, extras = found
        person.summary, person.summary_revision = PersonSummary.from_columns(extras, "ps")
        if day is not None:
            person.facts_ahead = (day, _today_facts_of(extras))
        sign_in = SignIn(
            __no_default__=True,  # only these are read of it (no created_at made up, say)
            id=extras["sign_in_id"],
            person=person.id,
            expires_at=SignIn.expires_at.python_value(extras["sign_in_expires"]),
            made_link=extras["sign_in_made_link"],
        )
        return person, sign_in

    def work_week(self) -> WorkWeek:
        """This person's work days (Mon=0), now and as they were before each change."""
        return _work_week(self.workdays, self.past_workdays)

    def streak_on(self, today: date) -> Streak:
        """This person's streak on today, from their summary (built first if it is missing)."""
        week = self.work_week()
        summary = self.known_summary()
        if summary is None:
            summary = PersonSummary.rebuild(self, week)
        try:
            return summaries.as_of(summary, week, today)
        except ValueError:
            # The last check-in is after today (the person moved west): walk the history instead.
            return streak(CheckIn.days_of(self), week, today)

    def known_summary(self) -> summaries.Summary | None:
        """The summary read with this person (read now if it wasn't); None when it needs a rebuild."""
        if "summary" not in self.__dict__:
            self.summary, self.summary_revision = PersonSummary.of(self.id)
        return self.summary

    def today_facts(self, week: date, day: date | None = None) -> dict:
        """What Today shows besides the streak, in one statement: day's check-in (when day is
        given), challenge, pledge, this week's commitment and an earlier one still to review.
        No statement at all when the sign-in read them for this day ahead (signed_in)."""
        ahead = self.__dict__.pop("facts_ahead", None)
        if ahead is not None and day is not None and ahead[0] == day and week == week_start(day):
            return ahead[1]
        cursor = run(
            _today_facts_sql(), (self.id, day, self.id, self.id, self.id, week, self.id, week)
        )
        names = [column[0] for column in cursor.description]
        return _today_facts_of(dict(zip(names, cursor.fetchone(), strict=True)))

    def leads_team(self, team: Team | int | None) -> bool:
        """Whether this person leads team (an admin counts as leading every team)."""
        team_id = getattr(team, "id", team)
        if self.is_admin:
            return team_id is not None
        return self.is_lead and team_id is not None and self.team_id == team_id

    def leads(self, other: Person) -> bool:
        """Whether this person may see other's participation (same team lead, or admin)."""
        if self.is_admin:
            return True
        return self.is_lead and self.team_id is not None and self.team_id == other.team_id

    def may_reset(self, other: Person) -> bool:
        """Whether this person may make a password reset link for other.

        A reset link signs in as its holder, so a lead may make one only for an active employee
        of their own team; only an admin resets a lead or another admin.
        """
        if other.id == self.id or not other.active:
            return False
        if self.is_admin:
            return True
        return other.role == "employee" and self.leads(other)

    def change_zone(self, tz: str, today: date) -> None:
        """Switch to time zone tz; today (in the old zone) stays the earliest day to check in."""
        if tz == self.tz:
            return
        since = max(today, self.tz_changed_on) if self.tz_changed_on else today
        Person.update(tz=tz, tz_changed_on=since).where(Person.id == self.id).execute()
        self.tz, self.tz_changed_on = tz, since

    def organisation(self):
        """Everyone active in the organisation, by name (the colleague directory)."""
        return Person.select().where(Person.active).order_by(lowered(Person.name))


class SignIn(BaseModel):
    """A server-side session: the cookie carries a token, only its digest is stored."""

    person = ForeignKeyField(Person, backref="sign_ins", on_delete="CASCADE")
    token_digest = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(index=True)
    user_agent = CharField(max_length=200, default="")
    # A link just made here (an invite or a reset, with its token), kept for the next page to show
    # once: the cookie is signed, not encrypted, so it never carries one.
    made_link = TextField(null=True)

    @classmethod
    def start(cls, person: Person, now: datetime, user_agent: str = "") -> str:
        """Open a sign-in for person and return the token for their cookie."""
        return cls.create_with_token(
            person=person,
            created_at=now,
            expires_at=now + timedelta(days=SIGN_IN_DAYS),
            user_agent=user_agent[:200],
        )

    def extend(self, now: datetime) -> bool:
        """Slide the expiry forward, at most once a day, so a phone stays signed in."""
        wanted = now + timedelta(days=SIGN_IN_DAYS)
        if wanted - self.expires_at <= timedelta(days=1):
            return False
        SignIn.update(expires_at=wanted).where(SignIn.id == self.id).execute()
        return True

    def keep_link(self, link: dict) -> None:
        """Keep a just-made link for the next page this sign-in opens."""
        self.made_link = json.dumps(link)
        SignIn.update(made_link=self.made_link).where(SignIn.id == self.id).execute()

    def take_link(self) -> dict | None:
        """The link kept for this page, once: it is cleared as it is read (a reload won't show it)."""
        if not self.made_link:
            return None
        kept, self.made_link = self.made_link, None
        taken = (
            SignIn.update(made_link=None)
            .where((SignIn.id == self.id) & SignIn.made_link.is_null(False))
            .execute()
        )
        return json.loads(kept) if taken else None


SIGN_IN_WINDOW = timedelta(minutes=15)
SIGN_IN_MAX_WAIT = timedelta(minutes=15)


class SignInLimit(BaseModel):
    """Sign-in tries counted per key (an email and address pair, or an address), with back-off."""

    key = CharField(max_length=64, unique=True)  # digest of what is counted: no emails kept
    tries = IntegerField(default=1)
    next_at = DateTimeField()  # the earliest time another try is let through
    updated_at = DateTimeField(index=True)

    @staticmethod
    def wait(tries: int, free: int) -> timedelta:
        """How long to wait after this many tries: nothing for the first free ones, then doubling."""
        if tries < free:
            return timedelta(0)
        return min(timedelta(seconds=2 ** (tries - free)), SIGN_IN_MAX_WAIT)

    @classmethod
    def take(cls, what: str, now: datetime, free: int) -> int | None:
        """Count one try for what; its number, or None while it must wait (no try is counted then).

        Counting and checking are one statement, so tries sent at once are each counted and none
        slips past the limit: the wait before the next try is stored along with this one's count.
        Written out because peewee cannot express an upsert's own WHERE with RETURNING on both.
        """
        renew = now - SIGN_IN_WINDOW  # a count older than the window starts again at 1
        tries = "(CASE WHEN sign_in_limit.updated_at < ? THEN 1 ELSE sign_in_limit.tries + 1 END)"
        steps = range(free, free + 10)  # the doubling waits below the cap
        next_at = (
            f"CASE WHEN {tries} < {free} THEN ?"
            + "".join(f" WHEN {tries} = {n} THEN ?" for n in steps)
            + " ELSE ? END"
        )
        params = [digest(what), now + cls.wait(1, free), now, renew, now]
        for n in steps:
            params += [renew, now + cls.wait(n, free)]
        params += [now + SIGN_IN_MAX_WAIT, renew, now]  # ELSE, tries, WHERE
        sql = (
            "INSERT INTO sign_in_limit (key, tries, next_at, updated_at) VALUES (?, 1, ?, ?)"
            f" ON CONFLICT (key) DO UPDATE SET next_at = {next_at}, tries = {tries},"
            " updated_at = excluded.updated_at WHERE sign_in_limit.next_at <= ?"
            " RETURNING tries"
        )
        row = db.execute_sql(_placeholders(sql, db.obj.param), params).fetchone()
        return row[0] if row else None

    @classmethod
    def waiting_until(cls, what: str, now: datetime) -> datetime | None:
        """Until when tries for what must wait, if they must."""
        row = cls.get_or_none((cls.key == digest(what)) & (cls.next_at > now))
        return row.next_at if row else None

    @classmethod
    def forget(cls, what: str, now: datetime) -> None:
        """Clear what's count after a good sign-in, and drop counts nobody needs any more."""
        cls.delete().where(
            (cls.key == digest(what))
            | ((cls.updated_at < now - SIGN_IN_WINDOW) & (cls.next_at < now))
        ).execute()


class OneTimeLink(BaseModel):
    """A link that works once, until it expires (invites and password resets)."""

    @classmethod
    def given_up(cls, link_id: int, reason: str, now: datetime) -> None:
        """Record that the worker gave up on this link's email, and why (migration 019)."""
        cls.update(failed_at=now, failure=reason[:120]).where(cls.id == link_id).execute()

    @classmethod
    def usable(cls, token: str, now: datetime):
        """The unused, unexpired row for this token."""
        return cls.get_or_none(
            (cls.token_digest == digest(token)) & cls.used_at.is_null() & (cls.expires_at > now)
        )

    @classmethod
    def claim(cls, link_id: int, now: datetime) -> bool:
        """Mark the link used; False when another request used it first (it works once)."""
        claimed = (
            cls.update(used_at=now).where((cls.id == link_id) & cls.used_at.is_null()).execute()
        )
        return claimed == 1

    @classmethod
    def fresh_token(cls, link_id: int) -> str | None:
        """Give the unused link a new token (the old one stops working); None when it was used or is gone.

        A mail task makes its link this way on the worker, so no live token waits in the queue.
        """
        token = new_token()
        changed = (
            cls.update(token_digest=digest(token))
            .where((cls.id == link_id) & cls.used_at.is_null())
            .execute()
        )
        return token if changed == 1 else None

    @classmethod
    def was_used(cls, token: str) -> bool:
        """Whether this link was already used (rather than never valid or expired)."""
        return (
            cls.select()
            .where((cls.token_digest == digest(token)) & cls.used_at.is_null(False))
            .exists()
        )


class Invite(OneTimeLink):
    email = CharField(max_length=254)
    name = CharField(max_length=NAME_MAX, default="")
    team = ForeignKeyField(Team, null=True, on_delete="CASCADE")
    role = CharField(max_length=10, default="employee")
    token_digest = CharField(max_length=64, unique=True)
    created_by = ForeignKeyField(Person, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    # When the invite email went out; None while it is "not sent" (the mail server refused).
    sent_at = DateTimeField(null=True)
    # When the worker gave up on its email, and why, for the page of whoever sent it (migration 019).
    failed_at = DateTimeField(null=True)
    failure = CharField(max_length=120, default="")

    @classmethod
    def issue(cls, email, team, role, by, now, name="") -> str:
        """Create an invite and return its token (shown once, as a link)."""
        return cls.create_with_token(
            email=email.strip().lower(),
            name=name,
            team=team,
            role=role,
            created_by=by,
            created_at=now,
            expires_at=now + timedelta(days=INVITE_DAYS),
        )

    @classmethod
    def pending_for(cls, email: str, now: datetime) -> Invite | None:
        """The newest unused, unexpired invite for this address."""
        return (
            cls.select()
            .where(
                (fn.LOWER(cls.email) == email.strip().lower())
                & cls.used_at.is_null()
                & (cls.expires_at > now)
            )
            .order_by(cls.id.desc())
            .first()
        )

    @classmethod
    def waiting(cls, team: Team, now: datetime):
        """The team's invites nobody has accepted yet and that still work, newest first."""
        return (
            cls.select()
            .where((cls.team == team) & cls.used_at.is_null() & (cls.expires_at > now))
            .order_by(cls.id.desc())
        )

    @classmethod
    def not_sent(cls, team: Team | None, now: datetime, trying: timedelta = timedelta(0)):
        """Live invites whose email did not go out (to team, or to everyone for None), newest first.

        Those the worker gave up on are in at once; of the others, those issued within the last
        `trying` are left out: the worker may still be trying to send them.
        """
        query = cls.select().where(
            cls.sent_at.is_null()
            & cls.used_at.is_null()
            & (cls.expires_at > now)
            & (
                cls.failed_at.is_null(False)
                | (cls.expires_at <= now + timedelta(days=INVITE_DAYS) - trying)
            )
        )
        query = query.order_by(cls.id.desc())
        return query.where(cls.team == team) if team is not None else query

    def renew(self, now: datetime) -> str:
        """Give the invite a new token and a fresh expiry (the old link stops working)."""
        token = new_token()
        Invite.update(
            token_digest=digest(token),
            expires_at=now + timedelta(days=INVITE_DAYS),
            sent_at=None,
            failed_at=None,
            failure="",
        ).where(Invite.id == self.id).execute()
        return token


class PasswordReset(OneTimeLink):
    person = ForeignKeyField(Person, on_delete="CASCADE")
    token_digest = CharField(max_length=64, unique=True)
    created_by = ForeignKeyField(Person, null=True, on_delete="SET NULL", backref="+")
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    created_at = DateTimeField(null=True)
    # When the person was told that someone else reset their password (shown once).
    told_at = DateTimeField(null=True)
    # When the worker gave up on its email, and why, for the page of whoever made it.
    failed_at = DateTimeField(null=True)
    failure = CharField(max_length=120, default="")

    @classmethod
    def issue(
        cls, person: Person, by: Person | None, now: datetime, token: str | None = None
    ) -> str:
        """Create a reset link token for person (by None: they asked for it themselves)."""
        return cls.create_with_token(
            token,
            person=person,
            created_by=by,
            created_at=now,
            expires_at=now + timedelta(hours=RESET_HOURS),
        )

    @classmethod
    def asked_recently(cls, person: Person, now: datetime, hours: int = 1) -> int:
        """How many links person asked for themselves in the last hours."""
        since = now - timedelta(hours=hours)
        return (
            cls.select()
            .where((cls.person == person) & cls.created_by.is_null() & (cls.created_at > since))
            .count()
        )

    @classmethod
    def not_sent_by(cls, maker: Person, now: datetime):
        """The reset links maker made this week whose email the worker gave up on, newest first."""
        return (
            cls.select(cls, Person)
            .join(Person, on=(cls.person == Person.id))
            .where(
                (cls.created_by == maker)
                & cls.failed_at.is_null(False)
                & cls.used_at.is_null()
                & (cls.created_at > now - timedelta(days=INVITE_DAYS))
                & Person.active
            )
            .order_by(cls.id.desc())
        )

    @classmethod
    def forget_not_sent(cls, person: Person) -> None:
        """Drop person's reset links that were never sent (a new one is on its way)."""
        cls.delete().where(
            (cls.person == person) & cls.failed_at.is_null(False) & cls.used_at.is_null()
        ).execute()

    @classmethod
    def untold_reset(cls, person: Person) -> PasswordReset | None:
        """The latest used reset someone else made for person that they haven't been told of."""
        return (
            cls.select()
            .where(
                (cls.person == person)
                & cls.created_by.is_null(False)
                & (cls.created_by != person)
                & cls.used_at.is_null(False)
                & cls.told_at.is_null()
            )
            .order_by(cls.used_at.desc())
            .first()
        )

    def told(self, now: datetime) -> None:
        """Mark this reset, and every earlier untold one of the person, as told."""
        PasswordReset.update(told_at=now).where(
            (PasswordReset.person == self.person_id)
            & PasswordReset.told_at.is_null()
            & PasswordReset.used_at.is_null(False)
        ).execute()


class CompanyIdentity(BaseModel):
    """A person's account at the company's identity provider: (issuer, subject) never changes."""

    person = ForeignKeyField(Person, backref="identities", on_delete="CASCADE")
    issuer = CharField(max_length=255)
    subject = CharField(max_length=255)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("issuer", "subject"), True), (("person", "issuer"), True))

    @classmethod
    def person_for(cls, issuer: str, subject: str) -> Person | None:
        """The person linked to this provider account."""
        return (
            Person.select()
            .join(cls, on=(cls.person == Person.id))
            .where((cls.issuer == issuer) & (cls.subject == subject))
            .first()
        )

    @classmethod
    def linked(cls, person: Person, issuer: str) -> bool:
        """Whether person is already linked to some account at this issuer."""
        return cls.select().where((cls.person == person) & (cls.issuer == issuer)).exists()

    @classmethod
    def link(cls, person: Person, issuer: str, subject: str, now: datetime) -> Person | None:
        """Link person to the provider account; None when a concurrent sign-in linked otherwise."""
        try:
            with db.atomic():
                cls.create(person=person, issuer=issuer, subject=subject, created_at=now)
        except IntegrityError:
            winner = cls.person_for(issuer, subject)
            return winner if winner is not None and winner.id == person.id else None
        return person

    @classmethod
    def join_by_invite(
        cls, invite: Invite, name: str, issuer: str, subject: str, now: datetime
    ) -> Person | None:
        """Accept the invite as a new person linked to the provider account (None if it was taken)."""
        try:
            with db.atomic() as transaction:
                taken = (
                    Invite.update(used_at=now)
                    .where((Invite.id == invite.id) & Invite.used_at.is_null())
                    .execute()
                )
                if taken != 1:
                    transaction.rollback()
                    return cls.person_for(issuer, subject)
                person = Person.create(
                    email=invite.email,
                    name=name,
                    role=invite.role,
                    team=invite.team_id,
                    created_at=now,
                )
                cls.create(person=person, issuer=issuer, subject=subject, created_at=now)
        except IntegrityError:
            return cls.person_for(issuer, subject)
        return person

    @classmethod
    def join_by_domain(
        cls, email: str, name: str, issuer: str, subject: str, now: datetime
    ) -> Person | None:
        """A new employee without a team, linked to the provider account (an admin places them)."""
        try:
            with db.atomic():
                person = Person.create(email=email, name=name, created_at=now)
                cls.create(person=person, issuer=issuer, subject=subject, created_at=now)
        except IntegrityError:
            return cls.person_for(issuer, subject)
        return person


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
    # The idempotency key of the submit that last wrote this row; a trigger keeps every key
    # applied in check_in_key (migration 006), so a replay of any of them is refused.
    submit_key = CharField(max_length=64, null=True)

    class Meta:
        indexes = ((("person", "day"), True),)

    @classmethod
    @again_after_deadlock  # with the person's deletion at the same moment (pwa/rights.py erase)
    def record(
        cls, person: Person, day: date, answers: dict, key: str | None, now: datetime
    ) -> CheckIn:
        """Write person's check-in for day: the first submit creates, later ones edit, a replay is a no-op.

        The person's summary is brought up to date in the same transaction (person.summary is the
        new one afterwards). On the usual path that is two statements: the upsert, which records
        the submit's key through a trigger (migration 006), and the summary's compare-and-set.
        """
        values = [person.id, day]
        values += [answers.get(column) or None for column in ANSWER_COLUMNS[:3]]
        values += [answers.get(column) or "" for column in ANSWER_COLUMNS[3:]]
        values += [key, now, now]
        try:
            with db.atomic():
                row = load(cls, _record_sql(), tuple(values))[0]
                PersonSummary.add_day(person, day)
        except IntegrityError as error:
            # The trigger found the key already applied: this submit was sent before.
            if key is None or "check_in_key" not in str(error):
                raise
            replay = load(
                cls,
                f"SELECT {column_list(cls, 'c')} FROM check_in c JOIN check_in_key k"
                " ON k.check_in_id = c.id"
                " WHERE k.key = ? AND c.person_id = ?",
                (key, person.id),
            )
            if not replay:
                # Someone else's key: never show their check-in; this submit is simply new.
                return cls.record(person, day, answers, None, now)
            return replay[0]
        return row

    @classmethod
    def days_of(cls, person: Person) -> list[date]:
        """Every local date person checked in."""
        cursor = run(
            "SELECT day FROM check_in WHERE person_id = ?",
            (person.id,),
        )
        return [as_date(day) for (day,) in cursor.fetchall()]

    @classmethod
    def days_between(cls, person: Person, first: date, last: date) -> list[date]:
        """The local dates person checked in from first to last, inclusive."""
        cursor = run(
            "SELECT day FROM check_in WHERE person_id = ? AND day >= ? AND day <= ?",
            (person.id, first, last),
        )
        return [as_date(day) for (day,) in cursor.fetchall()]

    @classmethod
    def on(cls, person: Person, day: date) -> CheckIn | None:
        """Person's check-in on day, if any."""
        found = load(
            cls,
            f"SELECT {column_list(cls)} FROM check_in WHERE person_id = ? AND day = ?",
            (person.id, day),
        )
        return found[0] if found else None


ANSWER_COLUMNS = ("before", "during", "after", "before_note", "during_note", "after_note")


@functools.cache
def _record_sql() -> str:
    columns = ("person_id", "day", *ANSWER_COLUMNS, "submit_key", "created_at", "updated_at")
    edited = (*ANSWER_COLUMNS, "submit_key", "updated_at")
    # Quoted: "before" and "after" are keywords in SQLite.
    names = ", ".join(f'"{column}"' for column in columns)
    updates = ", ".join(f'"{column}" = excluded."{column}"' for column in edited)
    marks = ", ".join("?" for _ in columns)
    return (
        f"INSERT INTO check_in ({names}) VALUES ({marks})"
        f" ON CONFLICT (person_id, day) DO UPDATE SET {updates} RETURNING {column_list(CheckIn)}"
    )


class CheckInKey(BaseModel):
    """An idempotency key already applied: a replay of the same submit changes nothing."""

    key = CharField(max_length=64, unique=True)
    check_in = ForeignKeyField(CheckIn, on_delete="CASCADE")


class PersonSummary(BaseModel):
    """What every page needs of a person's past, kept up to date as it changes (one row each).

    Today reads it with the sign-in instead of walking the history: the streak's state after
    the latest check-in day (game.summary.Summary). A check-in updates it in its own transaction;
    a change of work days or time zone, a rule change (RULES) or `manage.py rebuild-streaks`
    rebuilds it from the check-ins.
    """

    person = ForeignKeyField(Person, primary_key=True, backref="+", on_delete="CASCADE")
    # The game.summary.RULES it was built under: a row under other rules is rebuilt before use.
    rules = IntegerField(default=0)
    # One more on every write, so a check-in's compare-and-set sees any write since its read.
    revision = IntegerField(default=0)
    last_day = DateField(null=True)
    run = IntegerField(default=0)
    longest = IntegerField(default=0)
    freezes = IntegerField(default=0)
    progress = IntegerField(default=0)
    spent = IntegerField(default=0)
    # The latest days a freeze saved in the current run, ISO dates separated by commas.
    saved = CharField(max_length=64, default="")

    STATE = ("last_day", "run", "longest", "freezes", "progress", "spent", "saved")

    @classmethod
    def select_list(cls, alias: str) -> str:
        """The columns of this table joined as alias, named alias__column."""
        return _aliased(alias, cls)

    @classmethod
    def from_columns(cls, columns: dict, alias: str) -> tuple[summaries.Summary | None, int | None]:
        """The summary and revision in a row's alias__column columns (None: rebuild it)."""
        row = {
            name: columns[f"{alias}__{cls._meta.fields[name].column_name}"]
            for name in ("rules", "revision", *cls.STATE)
        }
        return cls._summary(row), row["revision"]

    @classmethod
    def of(cls, person_id: int) -> tuple[summaries.Summary | None, int | None]:
        """Person's stored summary and its revision (None when missing or under older rules)."""
        cursor = run(
            f"SELECT rules, revision, {', '.join(cls.STATE)} FROM person_summary"
            " WHERE person_id = ?",
            (person_id,),
        )
        found = cursor.fetchone()
        if found is None:
            return None, None
        row = dict(zip(("rules", "revision", *cls.STATE), found, strict=True))
        return cls._summary(row), row["revision"]

    @classmethod
    def _summary(cls, row: dict) -> summaries.Summary | None:
        if row["rules"] != summaries.RULES:
            return None
        last_day = row["last_day"]
        return summaries.Summary(
            last_day=None if last_day is None else as_date(last_day),
            run=row["run"],
            longest=row["longest"],
            freezes=row["freezes"],
            progress=row["progress"],
            spent=row["spent"],
            saved=tuple(date.fromisoformat(d) for d in row["saved"].split(",") if d),
        )

    @staticmethod
    def _state(summary: summaries.Summary) -> tuple:
        return (
            summary.last_day,
            summary.run,
            summary.longest,
            summary.freezes,
            summary.progress,
            summary.spent,
            ",".join(d.isoformat() for d in summary.saved),
        )

    @classmethod
    def add_day(cls, person: Person, day: date) -> None:
        """Bring person's summary up to date with a check-in on day (inside its transaction)."""
        week = person.work_week()
        old = person.known_summary()
        new = summaries.after_check_in(old, day, week) if old is not None else None
        if new is None:  # no summary yet, or a check-in for a day before the last one
            person.summary = cls.rebuild(person, week)
            return
        if new == old:
            return
        # Written only if nobody wrote it since it was read with the sign-in; else rebuilt.
        cursor = run(
            f"UPDATE person_summary SET {', '.join(f'{c} = ?' for c in cls.STATE)},"
            " revision = revision + 1 WHERE person_id = ? AND revision = ?",
            (*cls._state(new), person.id, person.summary_revision),
        )
        if cursor.rowcount == 1:
            person.summary, person.summary_revision = new, person.summary_revision + 1
        else:
            person.summary = cls.rebuild(person, week)

    @classmethod
    def rebuild(cls, person: Person, week: WorkWeek | None = None) -> summaries.Summary:
        """Rebuild person's summary from all their check-ins (week: their work days, if changing)."""
        week = week or person.work_week()
        with db.atomic():
            # The person's row before theirs, as every write holds it (Person.hold): a deletion
            # under way finishes first (and this raises PersonGone) or waits for this. Taken
            # after the summary, it deadlocked with a deletion that held the person and wanted
            # the summary (a colleague's recognition rebuilding a new person's summary).
            Person.hold(person.id)
            # Lock the row first (making it if need be): a check-in that commits after this
            # waits, and one that read the row before finds its revision changed and rebuilds.
            run(
                "INSERT INTO person_summary (person_id, rules, revision, last_day, run,"
                " longest, freezes, progress, spent, saved) VALUES (?, 0, 0, NULL, 0, 0, 0,"
                " 0, 0, '') ON CONFLICT (person_id) DO UPDATE"
                " SET revision = person_summary.revision + 1",
                (person.id,),
            )
            built = summaries.rebuild(CheckIn.days_of(person), week)
            cursor = run(
                f"UPDATE person_summary SET {', '.join(f'{c} = ?' for c in cls.STATE)},"
                " rules = ?, revision = revision + 1 WHERE person_id = ? RETURNING revision",
                (*cls._state(built), summaries.RULES, person.id),
            )
            person.summary_revision = cursor.fetchone()[0]
        person.summary = built
        return built

    @classmethod
    def rebuild_all(cls, only_stale: bool = False, batch: int = 200) -> int:
        """Rebuild everyone's summary (or only missing ones and those under older rules); return how many."""
        query = Person.select(Person.id, Person.workdays, Person.past_workdays).order_by(Person.id)
        if only_stale:
            fresh = cls.select(cls.person).where(cls.rules == summaries.RULES)
            query = query.where(Person.id.not_in(fresh))
        people = list(query)
        for start in range(0, len(people), batch):
            group = people[start : start + batch]
            ids = [person.id for person in group]
            with db.atomic():
                # As in rebuild: lock (or make) the rows before reading the check-ins.
                cls.insert_many(
                    [(i, 0, 0) for i in ids], fields=[cls.person, cls.rules, cls.revision]
                ).on_conflict(
                    conflict_target=[cls.person], update={cls.revision: cls.revision + 1}
                ).execute()
                days: dict[int, list[date]] = {i: [] for i in ids}
                rows = CheckIn.select(CheckIn.person, CheckIn.day).where(CheckIn.person.in_(ids))
                for person_id, day in rows.tuples():
                    days[person_id].append(as_date(day))
                for person in group:
                    built = summaries.rebuild(days[person.id], person.work_week())
                    values = dict(zip(cls.STATE, cls._state(built), strict=True))
                    cls.update(rules=summaries.RULES, revision=cls.revision + 1, **values).where(
                        cls.person == person.id
                    ).execute()
        return len(people)


class Challenge(BaseModel):
    """A 30-day challenge a person started (or their lead started for them)."""

    person = ForeignKeyField(Person, backref="challenges", on_delete="CASCADE")
    start = DateField()
    started_by = ForeignKeyField(Person, null=True, on_delete="SET NULL", backref="+")
    reflection = TextField(default="")
    completed_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("person", "start"), True),)

    @classmethod
    def current_for(cls, person: Person) -> Challenge | None:
        """Person's latest challenge."""
        return cls.select().where(cls.person == person).order_by(cls.id.desc()).first()

    @classmethod
    def begin(cls, person: Person, start: date, by: Person | None = None) -> Challenge:
        """Start a 30-day challenge for person on start (one per day: a second start is the same)."""
        cls.insert(person=person, start=start, started_by=by).on_conflict(
            conflict_target=[cls.person, cls.start],
            update={cls.reflection: "", cls.completed_at: None},
        ).execute()
        return cls.get((cls.person == person) & (cls.start == start))

    @classmethod
    def join_team_challenge(cls, person: Person, today: date) -> Challenge | None:
        """Start person's challenge with their team's, when its lead started one lately.

        A team challenge is the challenges a lead or admin started for the members; one begun
        within TEAM_JOIN_DAYS is still running for a newcomer to join (their 30 days start on
        their own today). Someone part-way through a challenge keeps theirs.
        """
        if person.team_id is None:
            return None
        with db.atomic():
            # Two joins at once (an admin's double tap) queue on the person's row: the second
            # then finds the first's challenge. SQLite's write lock already serialises them.
            if not is_sqlite():
                Person.select(Person.id).where(Person.id == person.id).for_update().execute()
            return cls._join_team_challenge(person, today)

    @classmethod
    def _join_team_challenge(cls, person: Person, today: date) -> Challenge | None:
        current = cls.current_for(person)
        if (
            current is not None
            and current.completed_at is None
            and (today - current.start).days < CHALLENGE_DAYS
        ):
            return None
        team_start = (
            cls.select(cls.started_by)
            .join(Person, on=(cls.person == Person.id))
            .where(
                (Person.team == person.team_id)
                & (cls.person != person.id)
                & cls.started_by.is_null(False)
                & (cls.started_by != cls.person)
                & (cls.start > today - TEAM_JOIN_DAYS)
                & (cls.start <= today)
            )
            .order_by(cls.start.desc(), cls.id.desc())
            .first()
        )
        if team_start is None:
            return None
        return cls.begin(person, today, by=team_start.started_by_id)

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
        indexes = ((("person", "week"), True), (("week",), False))

    @classmethod
    def of_week(cls, person: Person, week: date) -> Commitment | None:
        """Person's commitment for the week starting on week."""
        return cls.get_or_none((cls.person == person) & (cls.week == week))

    @classmethod
    def write(cls, person: Person, week: date, behaviour: str, situation: str, now: datetime):
        """Write (or rewrite) person's commitment for week: one statement, so a double send is one."""
        cls.insert(
            person=person, week=week, behaviour=behaviour, situation=situation, created_at=now
        ).on_conflict(
            conflict_target=[cls.person, cls.week],
            update={cls.behaviour: behaviour, cls.situation: situation},
        ).execute()

    @classmethod
    def kept_count(cls, person: Person) -> int:
        """How many commitments person said they kept."""
        return cls.select().where((cls.person == person) & cls.kept).count()


class Pledge(BaseModel):
    person = ForeignKeyField(Person, unique=True, on_delete="CASCADE")
    signed_at = DateTimeField(default=utcnow)


MODELS = [
    Team,
    Person,
    SignIn,
    SignInLimit,
    Invite,
    PasswordReset,
    CheckIn,
    CheckInKey,
    PersonSummary,
    Challenge,
    Commitment,
    Pledge,
]


def router():
    """The migration router over migrations/."""
    from peewee_migrate import Router

    return Router(db.obj, migrate_dir=str(MIGRATIONS), ignore=["basemodel", "onetimelink"])


def migrate() -> list[str]:
    """Apply every migration not yet applied; return their names."""
    if not is_sqlite():
        applied = router().run()
        # Summaries built under older rules (or never built) are rebuilt once the schema is current.
        PersonSummary.rebuild_all(only_stale=True)
        return applied
    # SQLite changes some columns by rebuilding the table; with foreign keys on, dropping the old
    # table would cascade into every row that refers to it. The pragma only works outside a
    # transaction, so it is set here, around all of them, and the references checked after.
    db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        applied = router().run()
        broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left {len(broken)} broken references: {broken[:5]}")
    finally:
        db.execute_sql("PRAGMA foreign_keys = ON")
    PersonSummary.rebuild_all(only_stale=True)
    return applied


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


class WeekFigure(BaseModel):
    """One closed week's leading-indicator counts of a team (team_id 0: the whole organisation).

    Written once when the week closes (WeekFigure.close_due, a periodic task) and never changed:
    team_id is a plain number, not a reference, so deleting a person or a team leaves it as it was.
    """

    week = DateField()
    team_id = IntegerField()
    team_name = CharField(max_length=80, default="")
    members = IntegerField(default=0)
    workdays = IntegerField(default=0)
    checked = IntegerField(default=0)
    stories = IntegerField(default=0)
    story_people = IntegerField(default=0)
    recognitions = IntegerField(default=0)
    recognition_people = IntegerField(default=0)
    challenges_started = IntegerField(default=0)
    started_people = IntegerField(default=0)
    challenges_completed = IntegerField(default=0)
    completed_people = IntegerField(default=0)
    commitments_reviewed = IntegerField(default=0)
    commitments_kept = IntegerField(default=0)
    pledges = IntegerField(default=0)
    words = IntegerField(default=0)
    words_people = IntegerField(default=0)
    phrase = IntegerField(default=0)
    streaking = IntegerField(null=True)
    closed_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("week", "team_id"), True),)

    def counts(self) -> indicators.WeekCounts:
        """The stored counts as game.indicators reads them."""
        return indicators.WeekCounts(
            week=as_date(self.week),
            team_id=self.team_id,
            **{name: getattr(self, name) for name in indicators.COUNTED},
        )

    @classmethod
    def stored(cls, weeks, team_id: int | None = None) -> list[WeekFigure]:
        """The stored rows of these weeks: of one team (0: the organisation), or of every team."""
        query = cls.select().where(cls.week.in_(list(weeks)))
        if team_id is not None:
            query = query.where(cls.team_id == team_id)
        else:
            query = query.where(cls.team_id != indicators.ORGANISATION)
        return list(query.order_by(cls.week, cls.team_name))

    @classmethod
    def close_due(cls, now: datetime, weeks: int = indicators.WEEKS, prefilled=()) -> list[date]:
        """Store the figures of every closed week among the last `weeks` not stored yet; return them.

        Idempotent: a week already stored (by an earlier or a concurrent pass) is left as it is.
        """
        recent = indicators.last_weeks(now.date(), weeks + 1)
        have = {
            as_date(week)
            for (week,) in cls.select(cls.week)
            .where((cls.team_id == indicators.ORGANISATION) & cls.week.in_(recent))
            .tuples()
        }
        due = indicators.weeks_to_close(now, have, weeks)
        teams = dict(Team.select(Team.id, Team.name).tuples())
        # The same counts as the dashboard's live ones for a closed week (week_counts, streaks
        # from the check-ins): a week reads the same before and after it is stored. All the due
        # weeks in one call, so the check-ins are walked once, not once a week.
        every = week_counts(
            due, max(due, default=now.date()) + timedelta(days=6), prefilled=prefilled, live=False
        )
        for week in due:
            found = {key: c for key, c in every.items() if key[1] == week}
            rows = [
                found.get((team_id, week)) or indicators.WeekCounts(week, team_id, streaking=0)
                for team_id in teams
            ]
            total = indicators.organisation(week, found.values())
            values = [
                {
                    "week": week,
                    "team_id": c.team_id,
                    "team_name": teams.get(c.team_id, "Organisation"),
                    "closed_at": now,
                    **{n: getattr(c, n) for n in indicators.COUNTED},
                }
                for c in [*rows, total]
            ]
            with db.atomic():
                for start in range(0, len(values), 100):
                    cls.insert_many(values[start : start + 100]).on_conflict_ignore().execute()
        return due


def _values_table(rows: list[tuple], names: tuple[str, ...], alias: str) -> tuple[str, list]:
    """A derived table of literal rows (VALUES), its columns named: the same SQL on both databases."""
    one = "(" + ", ".join("?" * len(names)) + ")"
    columns = ", ".join(f"column{n} AS {name}" for n, name in enumerate(names, start=1))
    sql = f"(SELECT {columns} FROM (VALUES {', '.join([one] * len(rows))}) AS v) AS {alias}"
    return sql, [value for row in rows for value in row]


def _aggregate(sql: str, params: list) -> list[tuple]:
    return db.execute_sql(_placeholders(sql, db.obj.param), params).fetchall()


PHRASE_LIKE = "%one%true%customer%"


def streaks_in_weeks(
    weeks: list[date], today: date, team_id: int | None = None
) -> list[tuple[int | None, date, int]]:
    """(team id, week, members) on a streak in each of these weeks, counted from the check-ins.

    A member is on a streak in a week when they checked in that week and the streak their
    check-ins make (game.summary, the same walk as the kept summary) was still going after their
    last check-in of it, days after today left out. It depends only on the check-ins, so a past
    week gives the same figure whenever it is counted: live, or once stored (WeekFigure).

    A check-in on a work day always leaves a run going, so only members whose last check-in of
    a week fell on a day off have their earlier check-ins walked: one aggregate statement, and
    the history of those few.
    """
    weeks = sorted(set(weeks))
    if not weeks:
        return []
    last = min(weeks[-1] + timedelta(days=6), today)
    W, w_params = _values_table([(w, w + timedelta(days=7)) for w in weeks], ("start", "next"), "w")
    team = " AND p.team_id = ?" if team_id is not None else ""
    tp = [team_id] if team_id is not None else []
    latest = _aggregate(
        "SELECT p.id, p.team_id, p.workdays, p.past_workdays, w.start, MAX(c.day)"
        f" FROM check_in c JOIN person p ON p.id = c.person_id JOIN {W}"
        " ON c.day >= w.start AND c.day < w.next"
        f" WHERE p.active AND c.day <= ?{team}"
        " GROUP BY p.id, p.team_id, p.workdays, p.past_workdays, w.start",
        w_params + [last] + tp,
    )
    counted: dict[tuple[int | None, date], int] = {}
    walk: dict[int, tuple[int | None, WorkWeek, dict[date, date]]] = {}
    for person_id, team_of, workdays, past, week, day in latest:
        try:
            work_week = WorkWeek(parse_workdays(workdays), parse_past_workdays(past))
        except ValueError:
            continue  # work days that can't be read: no streak, as the kept summary
        week, day = as_date(week), as_date(day)
        counted.setdefault((team_of, week), 0)
        if is_workday(day, work_week):
            counted[(team_of, week)] += 1
        else:
            walk.setdefault(person_id, (team_of, work_week, {}))[2][day] = week
    ids = sorted(walk)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        days: dict[int, list[date]] = {}
        for person_id, day in _aggregate(
            "SELECT c.person_id, c.day FROM check_in c"
            f" WHERE c.day <= ? AND c.person_id IN ({', '.join('?' * len(chunk))})"
            " ORDER BY c.person_id, c.day",
            [last, *chunk],
        ):
            days.setdefault(person_id, []).append(as_date(day))
        for person_id in chunk:
            team_of, work_week, ends = walk[person_id]
            s = summaries.EMPTY
            for day in days.get(person_id, []):
                s = summaries.advance(s, day, work_week)
                if day in ends and s.run > 0:
                    counted[(team_of, ends[day])] += 1
    return [(team, week, n) for (team, week), n in counted.items()]


def participation_in(
    days: list[date], team_id: int | None = None
) -> dict[tuple[int, date], tuple[int, int, int]]:
    """Per (team id, week): active members with a work day among the days, their work days, the checked ones.

    One statement hands game.indicators.participation_counts the people grouped by team and
    work week (a few hundred rows for thousands of people), and their check-ins of those days
    grouped by team, work week and day; people without a team count under team id -1. Only
    people who joined lately come one by one, with their zone: their days count from the day
    they joined, in their own time zone.
    """
    if not days:
        return {}
    person_team = " AND p.team_id = ?" if team_id is not None else ""
    tp = [team_id] if team_id is not None else []
    # Anyone made after this joined on one of the days (or the day before, in a zone behind UTC).
    lately = datetime.combine(min(days) - timedelta(days=1), time())
    joined = "CASE WHEN p.created_at >= ? THEN p.created_at END, CASE WHEN p.created_at >= ? THEN p.tz END"
    group = f"p.team_id, p.workdays, p.past_workdays, {joined}"
    joins = [lately, lately]
    rows = _aggregate(
        f"SELECT {group}, NULL, COUNT(*) FROM person p"
        f" WHERE p.active{person_team} GROUP BY {group}"
        f" UNION ALL SELECT {group}, c.day, COUNT(*) FROM person p"
        " JOIN check_in c ON c.person_id = p.id AND c.day >= ? AND c.day <= ?"
        f" WHERE p.active{person_team} GROUP BY {group}, c.day",
        # joins fills the two placeholders each {group} holds, in the order the SQL reads them.
        [*joins, *tp, *joins] + [*joins, min(days), max(days), *tp, *joins],
    )
    weeks: dict[tuple[str, str], WorkWeek] = {}
    members, check_ins = [], []
    for team, workdays, past, created, tz, day, n in rows:
        work = weeks.get((workdays, past))
        if work is None:
            work = weeks[(workdays, past)] = WorkWeek(
                parse_workdays(workdays), parse_past_workdays(past)
            )
        team = -1 if team is None else team
        since = None if created is None else joined_on(created, tz)
        if day is None:
            members.append((team, work, since, n))
        else:
            check_ins.append((team, work, since, as_date(day), n))
    return indicators.participation_counts(members, check_ins, days)


def joined_on(created, tz: str) -> date:
    """The person's own date when their account was made (created_at is UTC, naive)."""
    instant = created if isinstance(created, datetime) else datetime.fromisoformat(created)
    try:
        return local_date(instant.replace(tzinfo=UTC), tz)
    except ValueError:
        return instant.date()


def week_counts(
    weeks: list[date], today: date, team_id: int | None = None, prefilled=(), live: bool = True
) -> dict[tuple[int, date], indicators.WeekCounts]:
    """Each team's counts of these weeks (Mondays), work days up to today, by (team id, week).

    Aggregate SQL grouped by team and week, the same on SQLite and PostgreSQL: one statement
    per indicator, never a loop over people. People without a team count under team id -1.
    Only stories and recognitions that may say the phrase (a LIKE) are read, to be judged by
    game.indicators. team_id limits it to one team.

    Members on a streak: in the week holding today, when live (the week still going), from
    each person's kept summary (as of now); in every other week from the check-ins
    (streaks_in_weeks), so a closed week counts the same whenever and by whoever it is counted.
    """
    if not weeks:
        return {}
    weeks = sorted(set(weeks))
    W, w_params = _values_table([(w, w + timedelta(days=7)) for w in weeks], ("start", "next"), "w")
    days = [
        w + timedelta(days=n) for w in weeks for n in range(7) if w + timedelta(days=n) <= today
    ]
    marks = ", ".join("?" * len(weeks))
    person_team = " AND p.team_id = ?" if team_id is not None else ""
    story_team = " AND s.team_id = ?" if team_id is not None else ""
    recognition_team = " AND r.team_id = ?" if team_id is not None else ""
    tp = [team_id] if team_id is not None else []
    found: dict[tuple[int, date], dict] = {}

    def add(rows, *names):
        for team, week, *values in rows:
            key = (-1 if team is None else team, as_date(week))
            counts = found.setdefault(key, {})
            for name, value in zip(names, values, strict=True):
                counts[name] = counts.get(name, 0) + int(value or 0)

    if days:
        for key, (members, workdays, checked) in participation_in(days, team_id).items():
            found[key] = {"members": members, "workdays": workdays, "checked": checked}
    story_in_week = f" FROM story s JOIN {W} ON s.created_at >= w.start AND s.created_at < w.next"
    add(
        _aggregate(
            "SELECT s.team_id, w.start, COUNT(*), COUNT(DISTINCT s.author_id)"
            f"{story_in_week} WHERE NOT s.hidden{story_team} GROUP BY s.team_id, w.start",
            w_params + tp,
        ),
        "stories",
        "story_people",
    )
    add(
        _aggregate(
            "SELECT r.team_id, r.week, COUNT(*), COUNT(DISTINCT r.giver_id) FROM recognition r"
            f" WHERE r.week IN ({marks}){recognition_team} GROUP BY r.team_id, r.week",
            weeks + tp,
        ),
        "recognitions",
        "recognition_people",
    )
    for column, names in (
        ("start", ("challenges_started", "started_people")),
        ("completed_at", ("challenges_completed", "completed_people")),
    ):
        add(
            _aggregate(
                "SELECT p.team_id, w.start, COUNT(*), COUNT(DISTINCT c.person_id)"
                f" FROM challenge c JOIN person p ON p.id = c.person_id JOIN {W}"
                f" ON c.{column} >= w.start AND c.{column} < w.next"
                f" WHERE TRUE{person_team} GROUP BY p.team_id, w.start",
                w_params + tp,
            ),
            *names,
        )
    add(
        _aggregate(
            "SELECT p.team_id, c.week, COUNT(c.kept), SUM(CASE WHEN c.kept THEN 1 ELSE 0 END)"
            " FROM commitment c JOIN person p ON p.id = c.person_id"
            f" WHERE c.week IN ({marks}){person_team} GROUP BY p.team_id, c.week",
            weeks + tp,
        ),
        "commitments_reviewed",
        "commitments_kept",
    )
    add(
        _aggregate(
            "SELECT p.team_id, w.start, COUNT(*) FROM pledge pl JOIN person p ON p.id = pl.person_id"
            f" JOIN {W} ON pl.signed_at >= w.start AND pl.signed_at < w.next"
            f" WHERE TRUE{person_team} GROUP BY p.team_id, w.start",
            w_params + tp,
        ),
        "pledges",
    )
    add(
        _aggregate(
            "SELECT team_id, week, COUNT(*), COUNT(DISTINCT who) FROM ("
            f"SELECT s.team_id AS team_id, w.start AS week, s.author_id AS who{story_in_week}"
            f" WHERE NOT s.hidden{story_team}"
            " UNION ALL SELECT r.team_id, r.week, r.giver_id FROM recognition r"
            f" WHERE r.week IN ({marks}){recognition_team}) AS items GROUP BY team_id, week",
            w_params + tp + weeks + tp,
        ),
        "words",
        "words_people",
    )
    story_fields = ("title", "situation", "moment", "impact", "lesson")
    maybe = " OR ".join(f"LOWER(s.{name}) LIKE ?" for name in story_fields)
    candidates = _aggregate(
        f"SELECT s.team_id, w.start, {', '.join('s.' + n for n in story_fields)}{story_in_week}"
        f" WHERE NOT s.hidden{story_team} AND ({maybe})",
        w_params + tp + [PHRASE_LIKE] * len(story_fields),
    ) + [
        (team, week, message)
        for team, week, message in _aggregate(
            "SELECT r.team_id, r.week, r.message FROM recognition r"
            f" WHERE r.week IN ({marks}){recognition_team} AND LOWER(r.message) LIKE ?",
            weeks + tp + [PHRASE_LIKE],
        )
    ]
    passages = tuple(prefilled)
    add(
        [
            (team, week, 1)
            for team, week, *texts in candidates
            if indicators.any_says_the_phrase(texts, passages)
        ],
        "phrase",
    )
    monday = indicators.week_start(today) if live else None
    if monday in weeks:
        add(
            _aggregate(
                "SELECT p.team_id, ?, COUNT(*) FROM person_summary ps"
                " JOIN person p ON p.id = ps.person_id"
                f" WHERE p.active AND ps.run > 0 AND ps.last_day >= ?{person_team}"
                " GROUP BY p.team_id",
                [monday, monday] + tp,
            ),
            "streaking",
        )
    past = [week for week in weeks if week != monday]
    add(
        [(team, week, n) for team, week, n in streaks_in_weeks(past, today, team_id)],
        "streaking",
    )
    result = {}
    for (team, week), counts in found.items():
        counts.setdefault("streaking", 0)
        result[(team, week)] = indicators.WeekCounts(week=week, team_id=team, **counts)
    return result


MODELS += [WeekFigure]


STORY_KINDS = ("external", "colleague")
STORY_PHASES = ("before", "during", "after")
STORY_TEXT_MAX = 2000
STORY_TITLE_MAX = 120


class SharedByLink:
    """A thing with a public share link (its share_token): renewed or revoked, an old link shows nothing."""

    def new_share_token(self) -> str:
        """Give this a fresh public share link; any older link stops working."""
        model = type(self)
        self.share_token = new_token()
        model.update(share_token=self.share_token).where(model.id == self.id).execute()
        return self.share_token

    def revoke_share(self) -> None:
        """Take the public share link away: nobody outside can open it until a new one is made."""
        model = type(self)
        model.update(share_token=None).where(model.id == self.id).execute()
        self.share_token = None


class Story(SharedByLink, BaseModel):
    """A One True Customer moment, told with the campaign's template."""

    author = ForeignKeyField(Person, backref="stories_told", on_delete="CASCADE")
    member = ForeignKeyField(Person, backref="stories_about", on_delete="CASCADE")
    # The member's team when the story was told: the feed and the lead it belongs to.
    team = ForeignKeyField(Team, null=True, backref="stories", on_delete="SET NULL")
    day = DateField()
    title = CharField(max_length=STORY_TITLE_MAX, default="")
    situation = TextField()
    moment = TextField()
    impact = TextField(default="")
    lesson = TextField(default="")
    customer_kind = CharField(max_length=10)
    phase = CharField(max_length=10)
    hidden = BooleanField(default=False)
    hidden_by = ForeignKeyField(Person, null=True, backref="+", on_delete="SET NULL")
    featured_week = DateField(null=True)
    share_token = CharField(max_length=64, null=True, unique=True)
    # The key of the form that published it: sending the same form again finds this story.
    submit_key = CharField(max_length=64, null=True, unique=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("team", "featured_week"), False), (("created_at",), False))

    @property
    def heading(self) -> str:
        """The title, or the moment's opening words when there is none."""
        if self.title:
            return self.title
        words = " ".join(self.moment.split())
        return words if len(words) <= 60 else words[:59].rsplit(" ", 1)[0] + "…"

    @classmethod
    def visible_to(cls, viewer: Person):
        """The condition for stories viewer may read: all but hidden ones they don't moderate."""
        if viewer.is_admin:
            return cls.id.is_null(False)
        condition = (cls.hidden == False) | (cls.author == viewer.id)  # noqa: E712
        if viewer.is_lead and viewer.team_id is not None:
            condition |= cls.team == viewer.team_id
        return condition

    @classmethod
    def _with_people(cls):
        author, member = Person.alias(), Person.alias()
        return (
            cls.select(cls, author, member, Team)
            .join_from(cls, author, on=(cls.author == author.id), attr="author")
            .join_from(cls, member, on=(cls.member == member.id), attr="member")
            .join_from(cls, Team, JOIN.LEFT_OUTER, on=(cls.team == Team.id), attr="team")
        )

    @classmethod
    def feed(
        cls,
        viewer: Person,
        team: Team | None = None,
        before: int | None = None,
        limit: int = 10,
        leave_out: int | None = None,
    ) -> list[Story]:
        """Up to limit stories viewer may read, newest first, older than before (keyset paging)."""
        query = cls._with_people().where(cls.visible_to(viewer))
        if team is not None:
            query = query.where(cls.team == team)
        if before is not None:
            query = query.where(cls.id < before)
        if leave_out is not None:
            query = query.where(cls.id != leave_out)
        return list(query.order_by(cls.id.desc()).limit(limit))

    @classmethod
    def one(cls, story_id: int) -> Story | None:
        """The story with this id, its author, member and team loaded."""
        return cls._with_people().where(cls.id == story_id).first()

    @classmethod
    def shared(cls, token: str) -> Story | None:
        """The visible story behind a public share link."""
        if not token:
            return None
        query = cls._with_people().where((cls.share_token == token) & (cls.hidden == False))  # noqa: E712
        return query.first()

    @classmethod
    def of_the_week(cls, team: Team | int, week: date) -> Story | None:
        """The team's story of the week starting on week, unless it was hidden."""
        query = cls._with_people().where(
            (cls.team == team) & (cls.featured_week == week) & (cls.hidden == False)  # noqa: E712
        )
        return query.order_by(cls.updated_at.desc()).first()

    def can_read(self, person: Person) -> bool:
        """Whether person may read this story (hidden ones: author, its team's lead, admins)."""
        return not self.hidden or self.author_id == person.id or self.moderated_by(person)

    def moderated_by(self, person: Person) -> bool:
        """Whether person may hide or feature this story: its team's lead, or an admin."""
        if person.is_admin:
            return True
        return person.is_lead and self.team_id is not None and person.team_id == self.team_id

    def feature(self, week: date, now: datetime) -> bool:
        """Make this the story of the week for its team (the team's earlier pick steps down).

        False, changing nothing, when the story moved to another team since it was read.
        """
        with db.atomic():
            picked = (
                Story.update(featured_week=week)
                .where((Story.id == self.id) & (Story.team == self.team_id))
                .execute()
            )
            if not picked:
                return False
            Story.update(featured_week=None).where(
                (Story.team == self.team_id) & (Story.featured_week == week) & (Story.id != self.id)
            ).execute()
        self.featured_week = week
        return True

    def remove(self) -> None:
        """Delete the story with its applause and its rendered cards."""
        with db.atomic():
            CardImage.delete().where(CardImage.story == self.id).execute()
            self.delete_instance(recursive=True)


class Applause:
    """One person's applause for one thing (a story, a recognition): the field named TARGET.

    OWNER names the thing's field of the person who made it (deleting them may delete it).
    """

    TARGET = ""
    OWNER = ""

    @classmethod
    def _target(cls):
        return getattr(cls, cls.TARGET)

    @classmethod
    def toggle(cls, item, person: Person, now: datetime) -> bool | None:
        """Applaud the item, or take the applause back; return whether person now applauds.

        None when the item is gone meanwhile (its owner's deletion took it, say); PersonGone
        when the applauder was deleted meanwhile.
        """
        model = cls._target().rel_model
        owner = getattr(model, cls.OWNER)
        owner_id = getattr(item, owner.object_id_name)
        try:
            return cls._toggle(item.id, owner_id, person, now)
        except PersonGone as gone:
            if gone.person_id == person.id:
                raise
        # Its owner was deleted meanwhile: the item went with them, or stays with the former
        # colleague as its owner.
        row = model.select(owner).where(model.id == item.id).tuples().first()
        return None if row is None else cls._toggle(item.id, row[0], person, now)

    @classmethod
    @again_after_deadlock  # with the deletion of the applauder or the owner (pwa/rights.py erase)
    def _toggle(cls, item_id: int, owner_id: int, person: Person, now: datetime) -> bool | None:
        target = cls._target()
        model = target.rel_model
        with db.atomic():
            # The lock order of a deletion under way: the people first, then the item (held,
            # on PostgreSQL, so it can't be deleted before the applause is in).
            Person.hold(person.id, owner_id)
            there = model.select(model.id).where(model.id == item_id)
            if not is_sqlite():
                there = there.for_update("FOR KEY SHARE")
            if there.first() is None:
                return None
            deleted = cls.delete().where((target == item_id) & (cls.person == person)).execute()
            if deleted:
                return False
            cls.insert(
                **{cls.TARGET: item_id}, person=person, created_at=now
            ).on_conflict_ignore().execute()
            return True

    @classmethod
    def counts(cls, ids: list[int]) -> dict[int, int]:
        """Applause per item, for these items."""
        if not ids:
            return {}
        target = cls._target()
        rows = cls.select(target, fn.COUNT(cls.id)).where(target.in_(ids)).group_by(target).tuples()
        return dict(rows)

    @classmethod
    def applauded(cls, person: Person, ids: list[int]) -> set[int]:
        """Which of these items person applauds."""
        if not ids:
            return set()
        target = cls._target()
        query = cls.select(target).where((cls.person == person) & target.in_(ids))
        return {row[0] for row in query.tuples()}


class Reaction(Applause, BaseModel):
    """One person's applause for one story."""

    TARGET = "story"
    OWNER = "author"
    story = ForeignKeyField(Story, backref="reactions", on_delete="CASCADE")
    person = ForeignKeyField(Person, backref="+", on_delete="CASCADE")
    kind = CharField(max_length=16, default="applause")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("story", "person"), True),)


STORY_DRAFT_FIELDS = (
    "day",
    "member",
    "title",
    "situation",
    "moment",
    "impact",
    "lesson",
    "customer_kind",
    "phase",
)
STORY_DRAFT_MAX = 20000


class StoryDraft(BaseModel):
    """The story a person is still writing: kept on the server, one per person, as typed."""

    person = ForeignKeyField(Person, unique=True, backref="+", on_delete="CASCADE")
    day = CharField(max_length=32, default="")
    member = CharField(max_length=32, default="")
    title = TextField(default="")
    situation = TextField(default="")
    moment = TextField(default="")
    impact = TextField(default="")
    lesson = TextField(default="")
    customer_kind = CharField(max_length=16, default="")
    phase = CharField(max_length=16, default="")
    updated_at = DateTimeField(default=utcnow)

    @classmethod
    @again_after_deadlock  # with the deletion of person or of the member (pwa/rights.py erase)
    def keep(cls, person: Person, fields: dict[str, str], now: datetime) -> StoryDraft:
        """Write person's draft (creating it the first time); PersonGone when person was deleted meanwhile."""
        values = {name: (fields.get(name) or "")[:STORY_DRAFT_MAX] for name in STORY_DRAFT_FIELDS}
        for name in ("day", "member"):
            values[name] = values[name][:32]
        for name in ("customer_kind", "phase"):
            values[name] = values[name][:16]
        member = values["member"]
        member_id = int(member) if member.isascii() and member.isdigit() and len(member) < 10 else 0
        with db.atomic():
            # The lock order of a deletion under way (Person.hold): a deletion of the member
            # either ends first, and the draft forgets who it was about as the deletion's own
            # update would have, or waits until the draft is in and then updates it.
            try:
                Person.hold(person.id, *([member_id] if member_id else []))
            except PersonGone as gone:
                if gone.person_id == person.id:
                    raise
                values["member"] = ""
            updated = cls.update(updated_at=now, **values).where(cls.person == person).execute()
            if not updated:
                cls.insert(person=person, updated_at=now, **values).on_conflict(
                    conflict_target=[cls.person],
                    update={**{getattr(cls, k): v for k, v in values.items()}, cls.updated_at: now},
                ).execute()
        return cls.get(cls.person == person)

    @classmethod
    def of(cls, person: Person) -> StoryDraft | None:
        """Person's draft, if they have one."""
        return cls.get_or_none(cls.person == person)

    @classmethod
    def discard(cls, person: Person) -> None:
        """Forget person's draft."""
        cls.delete().where(cls.person == person).execute()


CARD_SIZES = ("portrait", "preview")


class CardImage(BaseModel):
    """A rendered card, kept by content hash so each card is drawn once."""

    story = ForeignKeyField(Story, null=True, backref="+", on_delete="CASCADE")
    size = CharField(max_length=16)
    hash = CharField(max_length=64)
    png = BlobField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("hash", "size"), True),)

    @classmethod
    def png_for(cls, hash: str, size: str) -> bytes | None:
        """The stored PNG for this hash and size, if it was rendered already."""
        row = cls.select(cls.png).where((cls.hash == hash) & (cls.size == size)).tuples().first()
        return bytes(row[0]) if row else None

    @classmethod
    def keep(cls, hash: str, size: str, png: bytes, story: Story | None, now: datetime) -> None:
        """Store a rendered card, dropping the story's older renders of that size (edits leave none).

        When another process stored the same card first, theirs stays.
        """
        try:
            with db.atomic():
                if story is not None:
                    cls.delete().where(
                        (cls.story == story) & (cls.size == size) & (cls.hash != hash)
                    ).execute()
                cls.insert(
                    story=story, size=size, hash=hash, png=png, created_at=now
                ).on_conflict_ignore().execute()
        except IntegrityError:
            pass


MODELS += [Story, Reaction, StoryDraft, CardImage, CompanyIdentity]


RECOGNITION_MAX = 500
ANNOUNCEMENT_MAX = 1500


class Recognition(SharedByLink, BaseModel):
    """A colleague's thanks for a One True Customer moment: peer-nominated, one line."""

    giver = ForeignKeyField(Person, backref="recognitions_given", on_delete="CASCADE")
    receiver = ForeignKeyField(Person, backref="recognitions_received", on_delete="CASCADE")
    # The receiver's team when they were recognised: the team feed it belongs to.
    team = ForeignKeyField(Team, null=True, backref="recognitions", on_delete="SET NULL")
    message = TextField()
    customer_kind = CharField(max_length=10)
    story = ForeignKeyField(Story, null=True, backref="recognitions", on_delete="SET NULL")
    day = DateField()  # the giver's local date
    week = DateField()  # its Monday: "given" counts (colleague, week) pairs
    share_token = CharField(max_length=64, null=True, unique=True)
    submit_key = CharField(max_length=64, null=True, unique=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("week", "team"), False),)

    @property
    def for_colleague(self) -> bool:
        return self.customer_kind == "colleague"

    @classmethod
    def _with_people(cls):
        giver, receiver = Person.alias(), Person.alias()
        return (
            cls.select(cls, giver, receiver, Team)
            .join_from(cls, giver, on=(cls.giver == giver.id), attr="giver")
            .join_from(cls, receiver, on=(cls.receiver == receiver.id), attr="receiver")
            .join_from(cls, Team, JOIN.LEFT_OUTER, on=(cls.team == Team.id), attr="team")
        )

    @classmethod
    def feed(
        cls, team: Team | int | None = None, before: int | None = None, limit: int = 10
    ) -> list[Recognition]:
        """Up to limit recognitions (of one team, or everyone's), newest first, older than before."""
        query = cls._with_people()
        if team is not None:
            query = query.where(cls.team == team)
        if before is not None:
            query = query.where(cls.id < before)
        return list(query.order_by(cls.id.desc()).limit(limit))

    @classmethod
    def one(cls, recognition_id: int) -> Recognition | None:
        """The recognition with this id, its giver, receiver and team loaded."""
        return cls._with_people().where(cls.id == recognition_id).first()

    @classmethod
    def shared(cls, token: str) -> Recognition | None:
        """The recognition behind a public share link."""
        if not token:
            return None
        return cls._with_people().where(cls.share_token == token).first()

    @classmethod
    def of_person(cls, person: Person, given: bool, limit: int = 20) -> list[Recognition]:
        """The recognitions person gave (given=True) or received, newest first."""
        field = cls.giver if given else cls.receiver
        return list(cls._with_people().where(field == person).order_by(cls.id.desc()).limit(limit))

    @classmethod
    def of_team_week(cls, team: Team | int, week: date) -> list[Recognition]:
        """The recognitions the team's members received in the week starting on week."""
        query = cls._with_people().where((cls.team == team) & (cls.week == week))
        return list(query.order_by(cls.id.desc()))

    @classmethod
    def given_pairs(cls, person: Person) -> list[tuple[int, date]]:
        """(colleague, week) of every recognition person gave."""
        rows = cls.select(cls.receiver, cls.week).where(cls.giver == person).tuples()
        return [(receiver, as_date(week)) for receiver, week in rows]

    @classmethod
    def received_from(cls, person: Person) -> list[tuple[int, str]]:
        """(giver, kind of customer) of every recognition person received."""
        return list(cls.select(cls.giver, cls.customer_kind).where(cls.receiver == person).tuples())

    @classmethod
    def times(cls, giver: Person, receiver: Person | int, since: date) -> int:
        """How often giver recognised receiver from the day since on."""
        return (
            cls.select()
            .where((cls.giver == giver) & (cls.receiver == receiver) & (cls.day >= since))
            .count()
        )

    def remove(self) -> None:
        """Delete the recognition, its applause and its notices (badges earned stay earned)."""
        with db.atomic():
            Notice.delete().where(Notice.recognition == self.id).execute()
            self.delete_instance(recursive=True)
            Notice.recount(self.receiver_id)


class RecognitionApplause(Applause, BaseModel):
    """One person's applause for one recognition."""

    TARGET = "recognition"
    OWNER = "giver"
    recognition = ForeignKeyField(Recognition, backref="applause", on_delete="CASCADE")
    person = ForeignKeyField(Person, backref="+", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("recognition", "person"), True),)


class Announcement(SharedByLink, BaseModel):
    """A lead's weekly "This week's One True Customer recognition goes to…", one per team and week."""

    team = ForeignKeyField(Team, backref="announcements", on_delete="CASCADE")
    week = DateField()
    lead = ForeignKeyField(Person, null=True, backref="+", on_delete="SET NULL")
    receiver = ForeignKeyField(Person, backref="announced", on_delete="CASCADE")
    recognition = ForeignKeyField(Recognition, null=True, backref="+", on_delete="SET NULL")
    story = ForeignKeyField(Story, null=True, backref="+", on_delete="SET NULL")
    text = TextField()
    share_token = CharField(max_length=64, null=True, unique=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("team", "week"), True),)

    @classmethod
    def _with_people(cls):
        lead, receiver = Person.alias(), Person.alias()
        return (
            cls.select(cls, lead, receiver, Team)
            .join_from(cls, lead, JOIN.LEFT_OUTER, on=(cls.lead == lead.id), attr="lead")
            .join_from(cls, receiver, on=(cls.receiver == receiver.id), attr="receiver")
            .join_from(cls, Team, on=(cls.team == Team.id), attr="team")
        )

    @classmethod
    def of_week(cls, team: Team | int, week: date) -> Announcement | None:
        """The team's announcement for the week starting on week."""
        return cls._with_people().where((cls.team == team) & (cls.week == week)).first()

    @classmethod
    def past(cls, team: Team | int, limit: int = 52) -> list[Announcement]:
        """The team's announcements, the latest week first."""
        query = cls._with_people().where(cls.team == team)
        return list(query.order_by(cls.week.desc()).limit(limit))

    @classmethod
    def one(cls, announcement_id: int) -> Announcement | None:
        """The announcement with this id, its lead, receiver and team loaded."""
        return cls._with_people().where(cls.id == announcement_id).first()

    @classmethod
    def shared(cls, token: str) -> Announcement | None:
        """The announcement behind a public share link."""
        if not token:
            return None
        return cls._with_people().where(cls.share_token == token).first()

    @classmethod
    def write(cls, team, week: date, lead: Person, receiver: Person, text: str, now, **source):
        """Write the team's announcement for week: the first time creates it, later ones edit it."""
        fields = {
            "lead": lead,
            "receiver": receiver,
            "text": text,
            "recognition": source.get("recognition"),
            "story": source.get("story"),
            "updated_at": now,
        }
        with db.atomic():
            cls.insert(
                team=team, week=week, share_token=new_token(), created_at=now, **fields
            ).on_conflict(
                conflict_target=[cls.team, cls.week],
                update={getattr(cls, k): v for k, v in fields.items()},
            ).execute()
        return cls.of_week(team, week)


class TeamBoard(BaseModel):
    """A team's wall-screen board: whoever holds its link sees the team's published cards, no more."""

    team = ForeignKeyField(Team, unique=True, backref="+", on_delete="CASCADE")
    # A random secret kept as it is (like a story's share_token), so the lead can show the link
    # and its QR code again later; making a new one replaces it and the old link stops at once.
    token = CharField(max_length=64, unique=True)
    made_by = ForeignKeyField(Person, null=True, backref="+", on_delete="SET NULL")
    made_at = DateTimeField(default=utcnow)

    @classmethod
    def of(cls, team: Team | int) -> TeamBoard | None:
        """The team's board, if a lead made one."""
        return cls.get_or_none(cls.team == team)

    @classmethod
    def make(cls, team: Team | int, by: Person, now: datetime) -> str:
        """Give the team a board link, replacing any older one (which stops working); return it."""
        token = new_token()
        cls.insert(team=team, token=token, made_by=by, made_at=now).on_conflict(
            conflict_target=[cls.team],
            update={cls.token: token, cls.made_by: by.id, cls.made_at: now},
        ).execute()
        return token

    @classmethod
    def opened(cls, token: str) -> tuple[Team, str] | None:
        """The team behind a live board link, with the time zone most of its members keep."""
        cursor = run(
            "SELECT t.id, t.name, (SELECT p.tz FROM person p WHERE p.team_id = t.id AND p.active"
            " GROUP BY p.tz ORDER BY COUNT(*) DESC, p.tz LIMIT 1)"
            " FROM team_board b JOIN team t ON t.id = b.team_id WHERE b.token = ?",
            (token,),
        )
        found = cursor.fetchone()
        if found is None:
            return None
        team_id, name, tz = found
        return Team(id=team_id, name=name), tz or "UTC"


def board_stories(team: Team, week: date, limit: int) -> tuple[Story | None, list[Story]]:
    """The team's story of the week (if any) and up to limit other latest stories: never hidden ones.

    Hand-written, as on Today: the board polls every minute, and building a query with its
    aliased joins costs more than running it.
    """
    rows = load(
        Story,
        f"SELECT {column_list(Story, 's')}, a.name AS author_name, m.name AS member_name"
        " FROM story s JOIN person a ON a.id = s.author_id JOIN person m ON m.id = s.member_id"
        " WHERE s.team_id = ? AND NOT s.hidden"
        " ORDER BY CASE WHEN s.featured_week = ? THEN 0 ELSE 1 END, s.id DESC LIMIT ?",
        (team.id, week, limit + 1),
    )
    for story in rows:
        story.author = Person(id=story.author_id, name=story.author_name)
        story.member = Person(id=story.member_id, name=story.member_name)
        story.team = team
    if rows and rows[0].featured_week == week:
        return rows[0], rows[1:]
    return None, rows[:limit]


def board_recognitions(team: Team, limit: int) -> list[Recognition]:
    """The team's latest recognitions, newest first, with the names their cards show."""
    rows = load(
        Recognition,
        f"SELECT {column_list(Recognition, 'r')}, g.name AS giver_name, v.name AS receiver_name"
        " FROM recognition r JOIN person g ON g.id = r.giver_id"
        " JOIN person v ON v.id = r.receiver_id"
        " WHERE r.team_id = ? ORDER BY r.id DESC LIMIT ?",
        (team.id, limit),
    )
    for recognition in rows:
        recognition.giver = Person(id=recognition.giver_id, name=recognition.giver_name)
        recognition.receiver = Person(id=recognition.receiver_id, name=recognition.receiver_name)
        recognition.team = team
    return rows


def board_announcement(team: Team, week: date) -> Announcement | None:
    """The team's announcement of the week, with the names of who it is for and who wrote it."""
    rows = load(
        Announcement,
        f"SELECT {column_list(Announcement, 'n')}, v.name AS receiver_name, l.name AS lead_name"
        " FROM announcement n JOIN person v ON v.id = n.receiver_id"
        " LEFT JOIN person l ON l.id = n.lead_id WHERE n.team_id = ? AND n.week = ?",
        (team.id, week),
    )
    if not rows:
        return None
    announcement = rows[0]
    announcement.receiver = Person(id=announcement.receiver_id, name=announcement.receiver_name)
    if announcement.lead_id is not None:
        announcement.lead = Person(id=announcement.lead_id, name=announcement.lead_name)
    announcement.team = team
    return announcement


def board_participation(team: Team | int, today: date) -> tuple[int, int, int]:
    """(members with a work day so far this week, their work days, those with a check-in), in one statement.

    The same counts as week_counts' members, workdays and checked for this team and week
    (participation_in): active members, the work days each had from Monday up to today, and of
    those days the ones with a check-in.
    """
    team_id = team.id if isinstance(team, Team) else team
    so_far = list(week_so_far(today))
    return participation_in(so_far, team_id).get((team_id, so_far[0]), (0, 0, 0))


class Badge(BaseModel):
    """A badge a person earned: once per person and badge, never taken back."""

    person = ForeignKeyField(Person, backref="badges", on_delete="CASCADE")
    key = CharField(max_length=40)
    earned_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("person", "key"), True),)

    @classmethod
    def award(cls, person: Person | int, key: str, now: datetime) -> bool:
        """Give person the badge unless they hold it; return whether this call gave it."""
        query = cls.insert(person=person, key=key, earned_at=now).on_conflict_ignore()
        return query.as_rowcount().execute() == 1

    @classmethod
    def of(cls, person: Person | int) -> dict[str, datetime]:
        """When person earned each badge they hold."""
        rows = cls.select(cls.key, cls.earned_at).where(cls.person == person).tuples()
        return dict(rows)


class Notice(BaseModel):
    """Something new for a person: they were recognised or announced, they earned a badge."""

    person = ForeignKeyField(Person, backref="notices", on_delete="CASCADE")
    ref = CharField(max_length=64)  # what it is about, once per person: "recognition:12"
    kind = CharField(max_length=16)
    recognition = ForeignKeyField(Recognition, null=True, backref="+", on_delete="CASCADE")
    announcement = ForeignKeyField(Announcement, null=True, backref="+", on_delete="CASCADE")
    badge = CharField(max_length=40, null=True)
    created_at = DateTimeField(default=utcnow)
    seen_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("person", "ref"), True), (("person", "seen_at"), False))

    @classmethod
    def tell(
        cls, person: Person | int, kind: str, ref: str, now: datetime, seen: bool = False, **about
    ) -> bool:
        """Add a notice for person (once per ref), unseen unless seen; return whether it is new."""
        with db.atomic():
            query = cls.insert(
                person=person,
                kind=kind,
                ref=ref,
                created_at=now,
                seen_at=now if seen else None,
                **about,
            ).on_conflict_ignore()
            added = query.as_rowcount().execute() == 1
            if added and not seen:
                Person.update(news_unseen=Person.news_unseen + 1).where(
                    Person.id == person
                ).execute()
        return added

    @classmethod
    def recent(cls, person: Person, limit: int = 30, unseen: bool = False) -> list[Notice]:
        """Person's latest notices with what they are about."""
        giver, lead = Person.alias(), Person.alias()
        query = (
            cls.select(cls, Recognition, giver, Announcement, lead)
            .join_from(cls, Recognition, JOIN.LEFT_OUTER, attr="recognition")
            .join_from(
                Recognition,
                giver,
                JOIN.LEFT_OUTER,
                on=(Recognition.giver == giver.id),
                attr="giver",
            )
            .join_from(cls, Announcement, JOIN.LEFT_OUTER, attr="announcement")
            .join_from(
                Announcement, lead, JOIN.LEFT_OUTER, on=(Announcement.lead == lead.id), attr="lead"
            )
            .where(cls.person == person)
        )
        if unseen:
            query = query.where(cls.seen_at.is_null())
        return list(query.order_by(cls.id.desc()).limit(limit))

    @classmethod
    def mark_seen(cls, person: Person, now: datetime) -> None:
        """Person has seen all their notices: the tab bar's count goes back to what is left."""
        with db.atomic():
            cls.update(seen_at=now).where((cls.person == person) & cls.seen_at.is_null()).execute()
            cls.recount(person.id)

    @classmethod
    def recount(cls, person_id: int) -> None:
        """Set the person's unseen count from their notices (one statement, so a concurrent tell is counted)."""
        unseen = cls.select(fn.COUNT(cls.id)).where(
            (cls.person == person_id) & cls.seen_at.is_null()
        )
        Person.update(news_unseen=unseen).where(Person.id == person_id).execute()


def badge_counts(person: Person) -> dict[str, int]:
    """The counts a person's badges are decided on, read in one statement."""
    sql = (
        "SELECT"
        " (SELECT COUNT(*) FROM check_in WHERE person_id = ?),"
        " (SELECT COUNT(*) FROM challenge WHERE person_id = ? AND completed_at IS NOT NULL),"
        " (SELECT COUNT(*) FROM story WHERE author_id = ?),"
        " (SELECT COUNT(*) FROM story WHERE (author_id = ? OR member_id = ?)"
        " AND featured_week IS NOT NULL),"
        " (SELECT COUNT(*) FROM pledge WHERE person_id = ?),"
        " (SELECT COUNT(*) FROM commitment WHERE person_id = ? AND kept = ?)"
    )
    params = (person.id,) * 7 + (True,)
    row = db.execute_sql(_placeholders(sql, db.obj.param), params).fetchone()
    names = (
        "check_ins",
        "challenges_completed",
        "stories_told",
        "stories_featured",
        "pledged",
        "kept",
    )
    return dict(zip(names, row, strict=True))


def stories_of(person: Person, viewer: Person, limit: int = 5) -> list[Story]:
    """The latest stories viewer may read that person told or is the subject of."""
    query = Story._with_people().where(
        Story.visible_to(viewer) & ((Story.author == person) | (Story.member == person))
    )
    return list(query.order_by(Story.id.desc()).limit(limit))


MODELS += [Recognition, RecognitionApplause, Announcement, Badge, Notice]
PUSH_KINDS = ("reminder", "recognised", "featured", "badges", "team_news", "streak_risk")
DAILY_KINDS = ("reminder", "streak_risk")
PUSH_ENDPOINT_MAX = 1024
PUSH_DEVICES_MAX = 10


class PushSubscription(BaseModel):
    """One device's push subscription, as PushSubscription.toJSON() gives it."""

    person = ForeignKeyField(Person, backref="push_subscriptions", on_delete="CASCADE")
    endpoint = CharField(max_length=PUSH_ENDPOINT_MAX, unique=True)
    p256dh = CharField(max_length=128)
    auth = CharField(max_length=64)
    device = CharField(max_length=80, default="")
    created_at = DateTimeField(default=utcnow)
    last_sent_at = DateTimeField(null=True)

    def info(self) -> dict:
        """The subscription in PushSubscription.toJSON() shape."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    @classmethod
    def keep(cls, person: Person, endpoint: str, p256dh: str, auth: str, device: str, now):
        """Store this device's subscription for person (a device that changes hands moves over)."""
        fields = {"person": person.id, "p256dh": p256dh, "auth": auth, "device": device}
        cls.insert(endpoint=endpoint, created_at=now, **fields).on_conflict(
            conflict_target=[cls.endpoint],
            update={getattr(cls, name): value for name, value in fields.items()},
        ).execute()
        # A person has a few devices; beyond that the oldest make way (no endless list to push to).
        keep = (
            cls.select(cls.id)
            .where(cls.person == person.id)
            .order_by(cls.id.desc())
            .limit(PUSH_DEVICES_MAX)
        )
        cls.delete().where((cls.person == person.id) & cls.id.not_in(keep)).execute()
        return cls.get(cls.endpoint == endpoint)

    @classmethod
    def of_person(cls, person: Person) -> list[PushSubscription]:
        """Person's devices, oldest first."""
        return list(cls.select().where(cls.person == person).order_by(cls.id))

    @classmethod
    def of_people(cls, person_ids) -> dict[int, list[PushSubscription]]:
        """Every subscription of these people, by person id."""
        found: dict[int, list[PushSubscription]] = {}
        ids = list(person_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for row in cls.select().where(cls.person.in_(chunk)).order_by(cls.id):
                found.setdefault(row.person_id, []).append(row)
        return found


class PushPreference(BaseModel):
    """Which pushes a person wants, and when the daily reminder comes (no row: the defaults)."""

    person = ForeignKeyField(Person, unique=True, backref="+", on_delete="CASCADE")
    reminder_time = CharField(max_length=5, default="09:00")
    kinds = CharField(max_length=200, default=",".join(PUSH_KINDS))
    updated_at = DateTimeField(default=utcnow)
    # The weekly digest email: None until chosen (then on only for people without a push device).
    weekly_email = BooleanField(null=True)

    @property
    def wanted(self) -> frozenset[str]:
        return frozenset(kind for kind in self.kinds.split(",") if kind in PUSH_KINDS)

    @classmethod
    def of(cls, person: Person | int) -> PushPreference:
        """Person's preferences (the defaults when they never chose)."""
        person_id = getattr(person, "id", person)
        found = cls.get_or_none(cls.person == person_id)
        return found or cls(person=person_id)

    @classmethod
    def choose(cls, person: Person, reminder_time: str, kinds, now) -> None:
        """Save person's reminder time and wanted kinds."""
        values = {
            "reminder_time": reminder_time,
            "kinds": ",".join(k for k in PUSH_KINDS if k in kinds),
        }
        cls.insert(person=person, updated_at=now, **values).on_conflict(
            conflict_target=[cls.person],
            update={
                cls.reminder_time: values["reminder_time"],
                cls.kinds: values["kinds"],
                cls.updated_at: now,
            },
        ).execute()

    @classmethod
    def schedules(cls, ids=None, with_device: bool = False, with_email: bool = False):
        """(id, tz, work week, reminder time, preferences, has a device) of each active person.

        Everyone (or only those among ids); with_device, only people with a push device; with_email,
        only people with an address. Whoever's work days or time can't be read is left out.
        """
        has_device = fn.EXISTS(
            PushSubscription.select(PushSubscription.id).where(PushSubscription.person == Person.id)
        )
        query = (
            Person.select(
                Person.id,
                Person.tz,
                Person.workdays,
                Person.past_workdays,
                cls.reminder_time,
                cls.kinds,
                cls.weekly_email,
                has_device,
            )
            .join(cls, JOIN.LEFT_OUTER, on=(cls.person == Person.id))
            .where(Person.active)
            .tuples()
        )
        if with_device:
            query = query.where(has_device)
        if with_email:
            query = query.where(Person.email != "")
        if ids is None:
            chunks = [query]
        else:
            ids = sorted(set(ids))
            chunks = [query.where(Person.id.in_(ids[i : i + 500])) for i in range(0, len(ids), 500)]
        for chunk in chunks:
            for person_id, tz, workdays, past, reminder_time, kinds, weekly, device in chunk:
                preference = cls(
                    person=person_id,
                    reminder_time=reminder_time or cls.reminder_time.default,
                    kinds=cls.kinds.default if kinds is None else kinds,
                    weekly_email=weekly,
                )
                try:
                    week = WorkWeek(parse_workdays(workdays), parse_past_workdays(past))
                    at = time.fromisoformat(preference.reminder_time)
                except ValueError:
                    continue
                yield person_id, tz, week, at, preference, bool(device)

    @classmethod
    def choose_weekly_email(cls, person: Person | int, on: bool, now) -> None:
        """Turn person's weekly digest email on or off (kept whatever devices they add later)."""
        person_id = getattr(person, "id", person)
        cls.insert(person=person_id, weekly_email=on, updated_at=now).on_conflict(
            conflict_target=[cls.person],
            update={cls.weekly_email: on, cls.updated_at: now},
        ).execute()


MESSAGE_STATES = ("due", "claimed", "sent", "skipped", "dropped", "failed")


class Message(BaseModel):
    """A message to one person (a push, a mail), kept as a row before it is sent so it goes at most once.

    Daily kinds are unique per (person, kind, local day), events per (person, event_id). A sender
    claims due rows with a lease: claimed rows become sent, or due again when the lease runs out.
    """

    person = ForeignKeyField(Person, backref="+", on_delete="CASCADE")
    channel = CharField(max_length=16, default="push")
    kind = CharField(max_length=32)
    day = DateField(null=True)
    event_id = CharField(max_length=128, null=True)
    payload = TextField(default="{}")
    state = CharField(max_length=10, default="due")
    due_at = DateTimeField()
    expires_at = DateTimeField(null=True)
    lease_token = CharField(max_length=32, null=True, index=True)
    lease_until = DateTimeField(null=True)
    attempts = IntegerField(default=0)
    # Devices (subscription ids) this message reached already, so a retry skips them.
    delivered_to = TextField(default="")
    last_error = CharField(max_length=200, default="")
    created_at = DateTimeField(default=utcnow, index=True)
    sent_at = DateTimeField(null=True)

    class Meta:
        indexes = (
            (("person", "kind", "day"), True),
            (("person", "event_id"), True),
            (("channel", "state", "due_at"), False),
        )

    @property
    def delivered(self) -> set[int]:
        return {int(part) for part in self.delivered_to.split(",") if part}

    @classmethod
    def claim(cls, channel: str, now: datetime, lease: timedelta, limit: int) -> list[Message]:
        """Take up to limit due rows of channel (or rows whose lease ran out) for this sender."""
        token = secrets.token_hex(16)
        claimable = (
            ((cls.state == "due") & (cls.due_at <= now))
            | ((cls.state == "claimed") & (cls.lease_until < now))
        ) & (cls.expires_at.is_null() | (cls.expires_at > now))
        candidates = (
            cls.select(cls.id)
            .where((cls.channel == channel) & claimable)
            .order_by(cls.due_at)
            .limit(limit)
        )
        if not is_sqlite():
            # Two senders at once take different rows rather than queueing on the same ones.
            candidates = candidates.for_update("FOR UPDATE SKIP LOCKED")
        with db.atomic():
            # The state is checked again in the UPDATE: a row another sender took meanwhile is left.
            cls.update(
                state="claimed",
                lease_token=token,
                lease_until=now + lease,
                attempts=cls.attempts + 1,
            ).where(cls.id.in_(candidates) & claimable).execute()
        return list(cls.select().where(cls.lease_token == token).order_by(cls.id))

    @classmethod
    def settle(cls, rows: list[Message], state: str, now: datetime, error: str = "") -> int:
        """End these claimed rows in state (sent, skipped, dropped, failed), if still held."""
        done = 0
        by_token: dict[str, list[int]] = {}
        for row in rows:
            by_token.setdefault(row.lease_token, []).append(row.id)
        for token, ids in by_token.items():
            for start in range(0, len(ids), 500):
                done += (
                    cls.update(
                        state=state,
                        lease_token=None,
                        lease_until=None,
                        sent_at=now if state == "sent" else None,
                        last_error=error[:200],
                    )
                    .where(cls.id.in_(ids[start : start + 500]) & (cls.lease_token == token))
                    .execute()
                )
        return done

    def retry_at(self, due_at: datetime, delivered: set[int], error: str) -> None:
        """Put this claimed row back as due at due_at, remembering the devices it reached."""
        Message.update(
            state="due",
            due_at=due_at,
            lease_token=None,
            lease_until=None,
            delivered_to=",".join(str(i) for i in sorted(delivered)),
            last_error=error[:200],
        ).where((Message.id == self.id) & (Message.lease_token == self.lease_token)).execute()

    @classmethod
    def drop_expired(cls, now: datetime) -> int:
        """Give up on rows that were not sent in time (a reminder after the evening, an old event)."""
        unsent = (cls.state == "due") | ((cls.state == "claimed") & (cls.lease_until < now))
        return (
            cls.update(state="dropped", lease_token=None, lease_until=None)
            .where(unsent & cls.expires_at.is_null(False) & (cls.expires_at <= now))
            .execute()
        )

    @classmethod
    def add_many(cls, rows: list[dict]) -> None:
        """Insert message rows; a row whose (person, kind, day) or (person, event) exists is left out."""
        if not rows:
            return
        fields = [f for f in cls._meta.sorted_fields if f.name != "id"]
        names = [f.name for f in fields]
        # The defaults live in Python (peewee's), not in the tables: fill them in as insert() does.
        defaults = {f.name: f.default for f in fields if f.default is not None}
        rows = [
            {
                **{k: v() if callable(v) else v for k, v in defaults.items() if k not in row},
                **row,
            }
            for row in rows
        ]
        columns = ", ".join(field.column_name for field in fields)
        one = "(" + ", ".join("?" * len(fields)) + ")"
        # Written out: peewee's builder costs more than the insert itself for thousands of rows.
        with db.atomic():
            for start in range(0, len(rows), 200):
                chunk = rows[start : start + 200]
                sql = (
                    f"INSERT INTO message ({columns}) VALUES {', '.join([one] * len(chunk))}"
                    " ON CONFLICT DO NOTHING"
                )
                params = [
                    f.db_value(row.get(n))
                    for row in chunk
                    for f, n in zip(fields, names, strict=True)
                ]
                db.execute_sql(_placeholders(sql, db.obj.param), params)

    @classmethod
    def forget_settled(cls, before: datetime) -> int:
        """Delete rows that were settled (sent, skipped, dropped, failed) and made before `before`."""
        settled = cls.state.in_(["sent", "skipped", "dropped", "failed"])
        return cls.delete().where(settled & (cls.created_at < before)).execute()

    @classmethod
    def existing_daily(cls, kinds, days) -> set[tuple[int, str, date]]:
        """(person id, kind, day) of the daily rows already made for these kinds and days."""
        if not days:
            return set()
        query = cls.select(cls.person, cls.kind, cls.day).where(
            cls.kind.in_(list(kinds)) & cls.day.in_(list(days))
        )
        return {(person, kind, as_date(day)) for person, kind, day in query.tuples()}


MODELS += [PushSubscription, PushPreference, Message]


class LimitSlot(BaseModel):
    """One of the few uses a person gets per window (three reset links an hour), kept in the database.

    Each use takes a numbered slot whose last use is older than the window: an UPDATE guarded by
    that age, or the INSERT of a slot never used (unique, so two servers never take one slot). Any
    app server counts the same, and requests at once never get more than the allowed number.
    """

    person = ForeignKeyField(Person, on_delete="CASCADE", backref="+")
    kind = CharField(max_length=16)
    slot = IntegerField()
    taken_at = DateTimeField()

    class Meta:
        table_name = "limit_slot"
        indexes = ((("person", "kind", "slot"), True),)

    @classmethod
    def take(
        cls, person: Person, kind: str, now: datetime, allowed: int, window: timedelta
    ) -> bool:
        """Take one of person's `allowed` uses of kind in the window ending now; False when none is left."""
        for slot in range(allowed):
            mine = (cls.person == person) & (cls.kind == kind) & (cls.slot == slot)
            if cls.update(taken_at=now).where(mine & (cls.taken_at <= now - window)).execute():
                return True
            try:
                with db.atomic():
                    cls.create(person=person, kind=kind, slot=slot, taken_at=now)
                return True
            except IntegrityError:
                continue
        return False


class CardRender(BaseModel):
    """A card being drawn now, by some app server: the others wait for its PNG instead of drawing it too."""

    hash = CharField(max_length=64)
    size = CharField(max_length=16)
    started_at = DateTimeField()

    class Meta:
        table_name = "card_render"
        indexes = ((("hash", "size"), True),)

    STALE = timedelta(seconds=30)  # a claim this old belongs to a server that died drawing

    @classmethod
    def claim(cls, hash: str, size: str, now: datetime) -> bool:
        """Claim the drawing of this card; False while another server's fresh claim holds it."""
        try:
            with db.atomic():
                cls.create(hash=hash, size=size, started_at=now)
            return True
        except IntegrityError:
            stale = (cls.hash == hash) & (cls.size == size) & (cls.started_at < now - cls.STALE)
            return bool(cls.update(started_at=now).where(stale).execute())

    @classmethod
    def release(cls, hash: str, size: str) -> None:
        """The card is drawn (or failed): let go of its claim."""
        cls.delete().where((cls.hash == hash) & (cls.size == size)).execute()


MODELS += [LimitSlot, CardRender]


# Who stories and recognitions kept after a person's deletion show: one inactive row, never able to
# sign in (the "email" is no address any invite, reset or provider could name).
FORMER_NAME = "A former colleague"
FORMER_EMAIL = "former-colleague"


def in_sentence(name: str) -> str:
    """A person's name as it reads after other words ("You recognised a former colleague")."""
    return FORMER_NAME[0].lower() + FORMER_NAME[1:] if name == FORMER_NAME else name


class Erasure(BaseModel):
    """A record that a person was deleted: their old id and what was kept, never who they were."""

    person_id = IntegerField(index=True)
    by = ForeignKeyField(Person, null=True, backref="+", on_delete="SET NULL")
    # "kept": their published stories and recognitions stay, anonymised; "deleted": they went too.
    content = CharField(max_length=10)
    stories = IntegerField(default=0)
    recognitions = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)

    @classmethod
    def of(cls, person_id: int) -> Erasure | None:
        """The record of this id's deletion, if it was deleted."""
        return cls.select().where(cls.person_id == person_id).order_by(cls.id.desc()).first()


def former_colleague() -> Person:
    """The stand-in that kept stories and recognitions show (made the first time it is needed)."""
    Person.insert(
        email=FORMER_EMAIL, name=FORMER_NAME, active=False, role="employee"
    ).on_conflict_ignore().execute()
    return Person.get(Person.email == FORMER_EMAIL)


MODELS += [Erasure]
MODELS += [TeamBoard]
# The admin's people list: search, whitelisted sorts and paging ----------------------------

PEOPLE_SORTS = ("name", "team", "role", "last")
PEOPLE_PAGE = 25


def _holding(search: str):
    """People whose name or email holds search, case-insensitive, with LIKE's wildcards literal."""
    escaped = search.lower().replace("!", "!!").replace("%", "!%").replace("_", "!_")
    pattern = f"%{escaped}%"

    def like(field):
        return NodeList((lowered(field), SQL("LIKE"), pattern, SQL("ESCAPE '!'")))

    return like(Person.name) | like(Person.email)


def people_page(search: str, sort: str, page: int, size: int = PEOPLE_PAGE):
    """One page of everyone (with team and last check-in day) matching search, and how many match.

    sort is a PEOPLE_SORTS key, "-" first for the other way round; page counts from 1 and is
    brought within the pages there are. Two statements: the count and the page.
    """
    where = _holding(search) if search else Person.id.is_null(False)
    where &= Person.email != FORMER_EMAIL  # the stand-in for deleted people is nobody to list
    total = Person.select().where(where).count()
    last_page = max(1, -(-total // size))
    page = min(max(page, 1), last_page)
    descending, key = sort.startswith("-"), sort.lstrip("-")
    name = lowered(Person.name)
    rank = Case(Person.role, (("admin", 0), ("lead", 1)), 2)
    order = {
        # Nobody's team sorts after every team's name, whichever way.
        "team": [Team.name.is_null(), lowered(Team.name)],
        "role": [rank],
        # Never checked in counts as longest ago.
        "last": [PersonSummary.last_day.is_null(False), PersonSummary.last_day],
        "name": [],
    }[key]
    ordering = [o.desc() if descending else o.asc() for o in order]
    if key == "team" and descending:
        ordering[0] = order[0].asc()
    ordering += [name.desc() if descending and key == "name" else name.asc(), Person.id.asc()]
    query = (
        Person.select(
            Person, Team.name.alias("team_name"), PersonSummary.last_day.alias("last_checkin")
        )
        .join_from(Person, Team, JOIN.LEFT_OUTER, on=(Person.team == Team.id))
        .join_from(Person, PersonSummary, JOIN.LEFT_OUTER, on=(PersonSummary.person == Person.id))
        .where(where)
        .order_by(*ordering)
        .paginate(page, size)
        .objects()
    )
    people = list(query)
    return people, total, page


# Lagging indicators ----------------------------------------------------------------------


class LaggingFigure(BaseModel):
    """A month's lagging indicator (game.lagging.KINDS) for one team, or the organisation (no team)."""

    team = ForeignKeyField(Team, null=True, backref="+", on_delete="CASCADE")
    month = DateField()  # its first day
    kind = CharField(max_length=12)
    value = DoubleField()
    entered_by = ForeignKeyField(Person, null=True, backref="+", on_delete="SET NULL")
    updated_at = DateTimeField(default=utcnow)

    @classmethod
    def enter(
        cls, team: Team | int | None, month: date, values: dict[str, float], by: Person, now
    ) -> None:
        """Keep these figures of month for team (None: the organisation); one entered again replaces it.

        One upsert per figure on the partial unique index of its scope (migration 015), so two
        admins saving the same month at once leave one row per kind, the later value kept.
        """
        team_id = getattr(team, "id", team)
        target = [cls.team, cls.month, cls.kind] if team_id else [cls.month, cls.kind]
        where = cls.team.is_null(False) if team_id else cls.team.is_null()
        with db.atomic():
            for kind, value in values.items():
                cls.insert(
                    team=team_id, month=month, kind=kind, value=value, entered_by=by, updated_at=now
                ).on_conflict(
                    conflict_target=target,
                    conflict_where=where,
                    update={cls.value: value, cls.entered_by: by, cls.updated_at: now},
                ).execute()

    @classmethod
    def remove(cls, team: Team | int | None, month: date) -> int:
        """Delete every figure of month for team (None: the organisation); return how many."""
        team_id = getattr(team, "id", team)
        scope = (cls.team == team_id) if team_id else cls.team.is_null()
        return cls.delete().where(scope & (cls.month == month)).execute()

    @classmethod
    def series(
        cls, team: Team | int | None, first: date, last: date
    ) -> dict[str, list[tuple[date, float | None]]]:
        """Each kind's (month, value) from first's month to last's for team (None: the organisation).

        Every month is there in order, None where nothing was entered: ready to plot beside the
        weekly leading indicators. One statement.
        """
        team_id = getattr(team, "id", team)
        scope = (cls.team == team_id) if team_id else cls.team.is_null()
        rows = (
            cls.select(cls.month, cls.kind, cls.value)
            .where(
                scope
                & (cls.month >= lagging.month_start(first))
                & (cls.month <= lagging.month_start(last))
            )
            .tuples()
        )
        return lagging.series([(as_date(m), k, v) for m, k, v in rows], first, last)

    @classmethod
    def table(cls, team_ids: list[int] | None = None, limit: int = 36) -> list[dict]:
        """The latest months with figures, one row per scope and month: team, month, values by kind.

        Newest month first, the organisation before teams; team_ids narrows it (None: all).
        """
        query = (
            cls.select(cls.team, cls.month, cls.kind, cls.value, Team.name)
            .join(Team, JOIN.LEFT_OUTER, on=(cls.team == Team.id))
            .order_by(cls.month.desc(), cls.team.is_null(False), fn.LOWER(Team.name))
        )
        if team_ids is not None:
            query = query.where(cls.team.in_(team_ids))
        rows: dict[tuple, dict] = {}
        for team_id, month, kind, value, team_name in query.tuples():
            key = (team_id, as_date(month))
            if key not in rows:
                if len(rows) == limit:
                    break
                rows[key] = {"team_id": team_id, "team": team_name, "month": key[1], "values": {}}
            rows[key]["values"][kind] = value
        return list(rows.values())


MODELS += [LaggingFigure]


# The published content a lead may export -------------------------------------------------


def published_content(team: Team | int):
    """The team's visible stories and its recognitions, oldest first, as plain dicts (streamed).

    Two statements, read as they go; the rows of both are merged by date.
    """
    import heapq

    author, member = Person.alias(), Person.alias()
    stories = (
        Story.select(
            Story.id,
            Story.day,
            Story.title,
            Story.situation,
            Story.moment,
            Story.impact,
            Story.lesson,
            Story.customer_kind,
            Story.phase,
            Story.featured_week,
            author.name.alias("author"),
            member.name.alias("about"),
        )
        .join_from(Story, author, on=(Story.author == author.id))
        .join_from(Story, member, on=(Story.member == member.id))
        .where((Story.team == team) & (Story.hidden == False))  # noqa: E712
        .order_by(Story.day, Story.id)
        .dicts()
    )
    giver, receiver = Person.alias(), Person.alias()
    told = Story.alias()
    recognitions = (
        Recognition.select(
            Recognition.id,
            Recognition.day,
            Recognition.message,
            Recognition.customer_kind,
            told.phase.alias("phase"),
            giver.name.alias("author"),
            receiver.name.alias("about"),
        )
        .join_from(Recognition, giver, on=(Recognition.giver == giver.id))
        .join_from(Recognition, receiver, on=(Recognition.receiver == receiver.id))
        .join_from(
            Recognition,
            told,
            JOIN.LEFT_OUTER,
            on=((Recognition.story == told.id) & (told.hidden == False)),  # noqa: E712
        )
        .where(Recognition.team == team)
        .order_by(Recognition.day, Recognition.id)
        .dicts()
    )

    def tagged(rows, what):
        for row in rows.iterator():
            row["type"] = what
            row["day"] = as_date(row["day"])
            yield row

    return heapq.merge(
        tagged(stories, "story"),
        tagged(recognitions, "recognition"),
        key=lambda row: (row["day"], row["type"] == "recognition", row["id"]),
    )
