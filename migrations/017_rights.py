"""Peewee migrations -- 017_rights.py: a record of each person deleted (their old id, never who)."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the erasure table."""

    @migrator.create_model
    class Erasure(pw.Model):
        id = pw.AutoField()
        person_id = pw.IntegerField(index=True)
        by = pw.ForeignKeyField(column_name='by_id', field='id', model=migrator.orm['person'], null=True, on_delete='SET NULL')
        content = pw.CharField(max_length=10)
        stories = pw.IntegerField()
        recognitions = pw.IntegerField()
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "erasure"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the erasure table."""
    migrator.remove_model("erasure")
