"""Peewee migrations -- 007_push.py: push subscriptions, push preferences, and the message rows of the queue."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Devices that receive pushes, what each person wants, and messages sent at most once."""

    @migrator.create_model
    class PushSubscription(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['person'], on_delete='CASCADE')
        endpoint = pw.CharField(max_length=1024, unique=True)
        p256dh = pw.CharField(max_length=128)
        auth = pw.CharField(max_length=64)
        device = pw.CharField(default='', max_length=80)
        created_at = pw.DateTimeField()
        last_sent_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "push_subscription"

    @migrator.create_model
    class PushPreference(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['person'], on_delete='CASCADE', unique=True)
        reminder_time = pw.CharField(default='09:00', max_length=5)
        kinds = pw.CharField(default='reminder,recognised,featured,badges,team_news,streak_risk', max_length=200)
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "push_preference"

    @migrator.create_model
    class Message(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['person'], on_delete='CASCADE')
        channel = pw.CharField(default='push', max_length=16)
        kind = pw.CharField(max_length=32)
        day = pw.DateField(null=True)
        event_id = pw.CharField(max_length=128, null=True)
        payload = pw.TextField(default='{}')
        state = pw.CharField(default='due', max_length=10)
        due_at = pw.DateTimeField()
        expires_at = pw.DateTimeField(null=True)
        lease_token = pw.CharField(index=True, max_length=32, null=True)
        lease_until = pw.DateTimeField(null=True)
        attempts = pw.IntegerField(default=0)
        delivered_to = pw.TextField(default='')
        last_error = pw.CharField(default='', max_length=200)
        created_at = pw.DateTimeField(index=True)
        sent_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "message"
            indexes = [
                (('person', 'kind', 'day'), True),
                (('person', 'event_id'), True),
                (('channel', 'state', 'due_at'), False),
            ]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the push tables and the message rows."""
    migrator.remove_model('message')
    migrator.remove_model('push_preference')
    migrator.remove_model('push_subscription')
