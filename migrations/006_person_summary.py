"""Peewee migrations -- 006_person_summary.py: a summary row per person; a check-in's key kept by a trigger.

The rows are filled by models.migrate() right after the migrations (PersonSummary.rebuild_all for
every person without a row under the current rules), so this file only makes the schema.
"""

import peewee as pw
from peewee_migrate import Migrator

SQLITE_TRIGGERS = (
    """CREATE TRIGGER check_in_key_on_insert AFTER INSERT ON check_in
    WHEN NEW.submit_key IS NOT NULL
    BEGIN INSERT INTO check_in_key (key, check_in_id) VALUES (NEW.submit_key, NEW.id); END""",
    """CREATE TRIGGER check_in_key_on_update AFTER UPDATE OF submit_key ON check_in
    WHEN NEW.submit_key IS NOT NULL
    BEGIN INSERT INTO check_in_key (key, check_in_id) VALUES (NEW.submit_key, NEW.id); END""",
)

POSTGRES_TRIGGERS = (
    """CREATE FUNCTION check_in_key_record() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO check_in_key (key, check_in_id) VALUES (NEW.submit_key, NEW.id);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER check_in_key_on_write AFTER INSERT OR UPDATE OF submit_key ON check_in
    FOR EACH ROW WHEN (NEW.submit_key IS NOT NULL) EXECUTE FUNCTION check_in_key_record()""",
)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add person_summary and check_in.submit_key, whose every value lands in check_in_key."""

    @migrator.create_model
    class PersonSummary(pw.Model):
        person = pw.ForeignKeyField(
            column_name="person_id",
            field="id",
            model=migrator.orm["person"],
            primary_key=True,
            on_delete="CASCADE",
        )
        rules = pw.IntegerField(default=0)
        revision = pw.IntegerField(default=0)
        last_day = pw.DateField(null=True)
        run = pw.IntegerField(default=0)
        longest = pw.IntegerField(default=0)
        freezes = pw.IntegerField(default=0)
        progress = pw.IntegerField(default=0)
        spent = pw.IntegerField(default=0)
        saved = pw.CharField(default="", max_length=64)

        class Meta:
            table_name = "person_summary"

    migrator.add_fields("check_in", submit_key=pw.CharField(max_length=64, null=True))
    # The key is recorded by the check-in's own statement: a replay fails on check_in_key's
    # unique key, and no second statement (and round trip) is spent on it.
    for statement in SQLITE_TRIGGERS if isinstance(database, pw.SqliteDatabase) else POSTGRES_TRIGGERS:
        migrator.sql(statement)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the triggers, check_in.submit_key and person_summary."""
    if isinstance(database, pw.SqliteDatabase):
        migrator.sql("DROP TRIGGER IF EXISTS check_in_key_on_insert")
        migrator.sql("DROP TRIGGER IF EXISTS check_in_key_on_update")
    else:
        migrator.sql("DROP TRIGGER IF EXISTS check_in_key_on_write ON check_in")
        migrator.sql("DROP FUNCTION IF EXISTS check_in_key_record()")
    migrator.remove_fields("check_in", "submit_key")
    migrator.remove_model("person_summary")
