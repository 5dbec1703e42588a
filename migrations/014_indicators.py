"""Peewee migrations -- 014_indicators.py: each closed week's leading-indicator counts, kept for good."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add week_figure (one row per closed week and team, team_id 0: the organisation, no references) and indexes."""

    @migrator.create_model
    class WeekFigure(pw.Model):
        id = pw.AutoField()
        week = pw.DateField()
        team_id = pw.IntegerField()
        team_name = pw.CharField(max_length=80, default="")
        members = pw.IntegerField(default=0)
        workdays = pw.IntegerField(default=0)
        checked = pw.IntegerField(default=0)
        stories = pw.IntegerField(default=0)
        story_people = pw.IntegerField(default=0)
        recognitions = pw.IntegerField(default=0)
        recognition_people = pw.IntegerField(default=0)
        challenges_started = pw.IntegerField(default=0)
        started_people = pw.IntegerField(default=0)
        challenges_completed = pw.IntegerField(default=0)
        completed_people = pw.IntegerField(default=0)
        commitments_reviewed = pw.IntegerField(default=0)
        commitments_kept = pw.IntegerField(default=0)
        pledges = pw.IntegerField(default=0)
        words = pw.IntegerField(default=0)
        words_people = pw.IntegerField(default=0)
        phrase = pw.IntegerField(default=0)
        streaking = pw.IntegerField(null=True)
        closed_at = pw.DateTimeField()

        class Meta:
            table_name = "week_figure"
            indexes = [(("week", "team_id"), True)]

    # The dashboard counts the current week live: these find a week's rows without a full scan.
    migrator.add_index("story", "created_at")
    migrator.add_index("recognition", "week", "team")
    migrator.add_index("commitment", "week")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop week_figure and the dashboard's indexes."""
    migrator.drop_index("commitment", "week")
    migrator.drop_index("recognition", "week", "team")
    migrator.drop_index("story", "created_at")
    migrator.remove_model("week_figure")
