"""Peewee migrations -- 018_made_link.py: a just-made invite or reset link waits on the sign-in row, not in the cookie."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add sign_in.made_link."""
    migrator.add_fields("sign_in", made_link=pw.TextField(null=True))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop sign_in.made_link."""
    migrator.remove_fields("sign_in", "made_link")
