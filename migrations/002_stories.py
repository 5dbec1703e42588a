"""Peewee migrations -- 002_stories.py: stories, reactions, story drafts, card images."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Stories, applause, drafts and the rendered-card cache."""

    @migrator.create_model
    class Story(pw.Model):
        id = pw.AutoField()
        author = pw.ForeignKeyField(column_name='author_id', field='id', model=migrator.orm['person'], on_delete='CASCADE')
        member = pw.ForeignKeyField(column_name='member_id', field='id', model=migrator.orm['person'], on_delete='CASCADE')
        team = pw.ForeignKeyField(column_name='team_id', field='id', model=migrator.orm['team'], null=True, on_delete='SET NULL')
        day = pw.DateField()
        title = pw.CharField(default='', max_length=120)
        situation = pw.TextField()
        moment = pw.TextField()
        impact = pw.TextField(default='')
        lesson = pw.TextField(default='')
        customer_kind = pw.CharField(max_length=10)
        phase = pw.CharField(max_length=10)
        hidden = pw.BooleanField(default=False)
        hidden_by = pw.ForeignKeyField(column_name='hidden_by_id', field='id', model=migrator.orm['person'], null=True, on_delete='SET NULL')
        featured_week = pw.DateField(null=True)
        share_token = pw.CharField(max_length=64, null=True, unique=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "story"
            indexes = [(('team', 'featured_week'), False)]

    @migrator.create_model
    class CardImage(pw.Model):
        id = pw.AutoField()
        story = pw.ForeignKeyField(column_name='story_id', field='id', model=migrator.orm['story'], null=True, on_delete='CASCADE')
        size = pw.CharField(max_length=16)
        hash = pw.CharField(max_length=64)
        png = pw.BlobField()
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "card_image"
            indexes = [(('hash', 'size'), True)]

    @migrator.create_model
    class Reaction(pw.Model):
        id = pw.AutoField()
        story = pw.ForeignKeyField(column_name='story_id', field='id', model=migrator.orm['story'], on_delete='CASCADE')
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['person'], on_delete='CASCADE')
        kind = pw.CharField(default='applause', max_length=16)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "reaction"
            indexes = [(('story', 'person'), True)]

    @migrator.create_model
    class StoryDraft(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['person'], on_delete='CASCADE', unique=True)
        day = pw.CharField(default='', max_length=32)
        member = pw.CharField(default='', max_length=32)
        title = pw.TextField(default='')
        situation = pw.TextField(default='')
        moment = pw.TextField(default='')
        impact = pw.TextField(default='')
        lesson = pw.TextField(default='')
        customer_kind = pw.CharField(default='', max_length=16)
        phase = pw.CharField(default='', max_length=16)
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "story_draft"



def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the story tables."""

    migrator.remove_model('story_draft')
    migrator.remove_model('reaction')
    migrator.remove_model('card_image')
    migrator.remove_model('story')
