"""Peewee migrations -- 013_board.py: a team's wall-screen board behind a link its lead can change."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add team_board: one link per team, each link unique."""
    people, teams = migrator.orm["person"], migrator.orm["team"]

    @migrator.create_model
    class TeamBoard(pw.Model):
        id = pw.AutoField()
        team = pw.ForeignKeyField(column_name="team_id", field="id", model=teams, unique=True, on_delete="CASCADE")
        token = pw.CharField(max_length=64, unique=True)
        made_by = pw.ForeignKeyField(column_name="made_by_id", field="id", model=people, null=True, on_delete="SET NULL")
        made_at = pw.DateTimeField()

        class Meta:
            table_name = "team_board"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop team_board."""
    migrator.remove_model("team_board")
