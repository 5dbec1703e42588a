"""Peewee migrations -- 004_story_submit_key.py: a publish sent twice makes one story."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add story.submit_key (unique; empty for stories published before it)."""
    migrator.add_fields("story", submit_key=pw.CharField(max_length=64, null=True, unique=True))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop story.submit_key."""
    migrator.remove_fields("story", "submit_key")
