"""Peewee migrations -- 003_past_workdays.py: remember earlier work days, so a change never rewrites a streak."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add person.past_workdays in place (no table rebuild: every row and reference stays)."""
    migrator.sql("ALTER TABLE person ADD COLUMN past_workdays TEXT NOT NULL DEFAULT ''")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop person.past_workdays."""
    migrator.sql("ALTER TABLE person DROP COLUMN past_workdays")
