"""Peewee migrations -- 009_tz_kept.py: remember the phone zone a person chose not to switch to."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add person.tz_kept (empty: the time-zone hint was never dismissed)."""
    migrator.add_fields("person", tz_kept=pw.CharField(max_length=64, default=""))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop person.tz_kept."""
    migrator.remove_fields("person", "tz_kept")
