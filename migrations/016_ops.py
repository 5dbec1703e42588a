"""Peewee migrations -- 016_ops.py: what several app servers share: limit slots, card render claims."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add limit_slot (three reset links an hour) and card_render (a card drawn by one server at once)."""

    @migrator.create_model
    class LimitSlot(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(
            column_name="person_id", field="id", model=migrator.orm["person"], on_delete="CASCADE"
        )
        kind = pw.CharField(max_length=16)
        slot = pw.IntegerField()
        taken_at = pw.DateTimeField()

        class Meta:
            table_name = "limit_slot"
            indexes = [(("person", "kind", "slot"), True)]

    @migrator.create_model
    class CardRender(pw.Model):
        id = pw.AutoField()
        hash = pw.CharField(max_length=64)
        size = pw.CharField(max_length=16)
        started_at = pw.DateTimeField()

        class Meta:
            table_name = "card_render"
            indexes = [(("hash", "size"), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop card_render and limit_slot."""
    migrator.remove_model("card_render")
    migrator.remove_model("limit_slot")
