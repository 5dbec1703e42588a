"""Peewee migrations -- 012_digest.py: the weekly email choice (none: on only without a push device)."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add push_preference.weekly_email."""
    migrator.add_fields("push_preference", weekly_email=pw.BooleanField(null=True))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop push_preference.weekly_email."""
    migrator.remove_fields("push_preference", "weekly_email")
