"""Peewee migrations -- 011_accounts.py: invites sent by email, resets recorded, company sign-in."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add invite.sent_at, password_reset.created_at/told_at, and the company_identity table."""
    migrator.add_fields("invite", sent_at=pw.DateTimeField(null=True))
    # Invites made before email existed were handed on by hand: they count as sent.
    migrator.sql("UPDATE invite SET sent_at = created_at")
    migrator.add_fields(
        "password_reset",
        created_at=pw.DateTimeField(null=True),
        told_at=pw.DateTimeField(null=True),
    )

    @migrator.create_model
    class CompanyIdentity(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['person'], on_delete='CASCADE')
        issuer = pw.CharField(max_length=255)
        subject = pw.CharField(max_length=255)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "company_identity"
            indexes = [(('issuer', 'subject'), True), (('person', 'issuer'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop company_identity and the new columns."""
    migrator.remove_model("company_identity")
    migrator.remove_fields("password_reset", "created_at", "told_at")
    migrator.remove_fields("invite", "sent_at")
