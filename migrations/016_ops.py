"""Peewee migrations -- 016_ops.py: limit slots in the database, so every app server counts alike."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the limit_slot table (three reset links an hour, counted across app servers)."""

    @migrator.create_model
    class LimitSlot(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(
            column_name="person_id", field="id", model=migrator.orm["person"], on_delete="CASCADE"
        )
        kind = pw.CharField(max_length=16)
        slot = pw.IntegerField()
        taken_at = pw.DateTimeField()

        class Meta:
            table_name = "limit_slot"
            indexes = [(("person", "kind", "slot"), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop limit_slot."""
    migrator.remove_model("limit_slot")
