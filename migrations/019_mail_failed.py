"""Peewee migrations -- 019_mail_failed.py: an invite or reset link whose email was given up on says so, and why."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add failed_at and failure to invite and password_reset."""
    for table in ("invite", "password_reset"):
        migrator.add_fields(
            table,
            failed_at=pw.DateTimeField(null=True),
            failure=pw.CharField(max_length=120, default=""),
        )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop failed_at and failure of invite and password_reset."""
    for table in ("invite", "password_reset"):
        migrator.remove_fields(table, "failed_at", "failure")
