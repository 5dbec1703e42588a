"""Peewee migrations -- 003_past_workdays.py: remember earlier work days, so a change never rewrites a streak."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add person.past_workdays (on SQLite a table rebuild: models.migrate keeps the rows safe)."""
    migrator.add_fields("person", past_workdays=pw.TextField(default=""))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop person.past_workdays."""
    migrator.remove_fields("person", "past_workdays")
