"""Peewee migrations -- 008_recognition.py: recognitions, their applause, announcements, badges, notices."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Peer recognition, the weekly announcement, earned badges and what is new for a person."""
    people, teams, stories = migrator.orm["person"], migrator.orm["team"], migrator.orm["story"]

    @migrator.create_model
    class Recognition(pw.Model):
        id = pw.AutoField()
        giver = pw.ForeignKeyField(column_name="giver_id", field="id", model=people, on_delete="CASCADE")
        receiver = pw.ForeignKeyField(column_name="receiver_id", field="id", model=people, on_delete="CASCADE")
        team = pw.ForeignKeyField(column_name="team_id", field="id", model=teams, null=True, on_delete="SET NULL")
        message = pw.TextField()
        customer_kind = pw.CharField(max_length=10)
        story = pw.ForeignKeyField(column_name="story_id", field="id", model=stories, null=True, on_delete="SET NULL")
        day = pw.DateField()
        week = pw.DateField()
        share_token = pw.CharField(max_length=64, null=True, unique=True)
        submit_key = pw.CharField(max_length=64, null=True, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "recognition"

    @migrator.create_model
    class RecognitionApplause(pw.Model):
        id = pw.AutoField()
        recognition = pw.ForeignKeyField(column_name="recognition_id", field="id", model=migrator.orm["recognition"], on_delete="CASCADE")
        person = pw.ForeignKeyField(column_name="person_id", field="id", model=people, on_delete="CASCADE")
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "recognition_applause"
            indexes = [(("recognition", "person"), True)]

    @migrator.create_model
    class Announcement(pw.Model):
        id = pw.AutoField()
        team = pw.ForeignKeyField(column_name="team_id", field="id", model=teams, on_delete="CASCADE")
        week = pw.DateField()
        lead = pw.ForeignKeyField(column_name="lead_id", field="id", model=people, null=True, on_delete="SET NULL")
        receiver = pw.ForeignKeyField(column_name="receiver_id", field="id", model=people, on_delete="CASCADE")
        recognition = pw.ForeignKeyField(column_name="recognition_id", field="id", model=migrator.orm["recognition"], null=True, on_delete="SET NULL")
        story = pw.ForeignKeyField(column_name="story_id", field="id", model=stories, null=True, on_delete="SET NULL")
        text = pw.TextField()
        share_token = pw.CharField(max_length=64, null=True, unique=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "announcement"
            indexes = [(("team", "week"), True)]

    @migrator.create_model
    class Badge(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name="person_id", field="id", model=people, on_delete="CASCADE")
        key = pw.CharField(max_length=40)
        earned_at = pw.DateTimeField()

        class Meta:
            table_name = "badge"
            indexes = [(("person", "key"), True)]

    @migrator.create_model
    class Notice(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name="person_id", field="id", model=people, on_delete="CASCADE")
        ref = pw.CharField(max_length=64)
        kind = pw.CharField(max_length=16)
        recognition = pw.ForeignKeyField(column_name="recognition_id", field="id", model=migrator.orm["recognition"], null=True, on_delete="CASCADE")
        announcement = pw.ForeignKeyField(column_name="announcement_id", field="id", model=migrator.orm["announcement"], null=True, on_delete="CASCADE")
        badge = pw.CharField(max_length=40, null=True)
        created_at = pw.DateTimeField()
        seen_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "notice"
            indexes = [(("person", "ref"), True), (("person", "seen_at"), False)]

    migrator.add_fields("person", news_unseen=pw.IntegerField(default=0))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them again."""
    migrator.remove_fields("person", "news_unseen")
    for name in ("notice", "badge", "announcement", "recognition_applause", "recognition"):
        migrator.remove_model(name)
