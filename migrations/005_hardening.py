"""Peewee migrations -- 005_hardening.py: time-zone floor, a sign-in limit per pair, one challenge a
day, team names unique whatever their case, and (on SQLite) ids that are never reused."""

import re

import peewee as pw
from peewee_migrate import Migrator

# Tables whose ids appear in links: on SQLite a deleted newest row's id would be handed out again,
# so an old /stories/12 would open somebody else's story.
NEVER_REUSED = ("team", "person", "story", "commitment", "challenge")
ID_COLUMN = re.compile(r'"id" INTEGER NOT NULL PRIMARY KEY(?! AUTOINCREMENT)')


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add person.tz_changed_on, sign_in_limit (for login_attempt), unique challenge days and team names."""
    migrator.add_fields("person", tz_changed_on=pw.DateField(null=True))

    @migrator.create_model
    class SignInLimit(pw.Model):
        id = pw.AutoField()
        key = pw.CharField(max_length=64, unique=True)
        tries = pw.IntegerField(default=1)
        next_at = pw.DateTimeField()
        updated_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "sign_in_limit"

    migrator.remove_model("login_attempt")

    # Challenges started twice on one day (a double tap) become one: the later row, which Today shows.
    migrator.sql(
        "DELETE FROM challenge WHERE id NOT IN"
        " (SELECT MAX(id) FROM challenge GROUP BY person_id, start)"
    )
    migrator.add_index("challenge", "person", "start", unique=True)
    migrator.sql("CREATE UNIQUE INDEX team_name_lower ON team (LOWER(name))")
    if isinstance(database, pw.SqliteDatabase):
        migrator.run(_autoincrement, database)


def _autoincrement(database: pw.Database) -> None:
    """Rebuild each table with AUTOINCREMENT ids, keeping its rows, indexes and references.

    The SQLite way (https://sqlite.org/lang_altertable.html, "other kinds of table schema
    changes"): models.migrate runs this with foreign keys off, so dropping the old table touches
    no row that refers to it, and checks every reference afterwards.
    """
    for table in NEVER_REUSED:
        (create,) = database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        if not ID_COLUMN.search(create):
            continue  # already AUTOINCREMENT
        indexes = [
            sql
            for (sql,) in database.execute_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                " AND sql IS NOT NULL",
                (table,),
            ).fetchall()
        ]
        rebuilt = ID_COLUMN.sub('"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT', create, count=1)
        rebuilt = rebuilt.replace(f'CREATE TABLE "{table}"', f'CREATE TABLE "{table}_new"', 1)
        database.execute_sql(rebuilt)
        database.execute_sql(f'INSERT INTO "{table}_new" SELECT * FROM "{table}"')
        database.execute_sql(f'DROP TABLE "{table}"')
        database.execute_sql(f'ALTER TABLE "{table}_new" RENAME TO "{table}"')
        for sql in indexes:
            database.execute_sql(sql)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop what migrate added (AUTOINCREMENT stays: it only keeps ids from being reused)."""
    migrator.sql("DROP INDEX team_name_lower")
    migrator.drop_index("challenge", "person", "start")
    migrator.remove_model("sign_in_limit")

    @migrator.create_model
    class LoginAttempt(pw.Model):
        id = pw.AutoField()
        email = pw.CharField(index=True, max_length=254)
        ip = pw.CharField(index=True, max_length=64)
        at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "login_attempt"

    migrator.remove_fields("person", "tz_changed_on")
