"""Peewee migrations -- 019_invite_failed.py: an invite whose email was given up on says so, and why."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add invite.failed_at and invite.failure."""
    migrator.add_fields(
        "invite",
        failed_at=pw.DateTimeField(null=True),
        failure=pw.CharField(max_length=120, default=""),
    )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop invite.failed_at and invite.failure."""
    migrator.remove_fields("invite", "failed_at", "failure")
