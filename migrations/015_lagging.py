"""Peewee migrations -- 015_lagging.py: lagging indicators, one figure per team (or organisation), month and kind."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create lagging_figure, unique per (team, month, kind) and per (month, kind) for the organisation."""

    @migrator.create_model
    class LaggingFigure(pw.Model):
        id = pw.AutoField()
        team = pw.ForeignKeyField(
            column_name="team_id",
            field="id",
            model=migrator.orm["team"],
            null=True,
            on_delete="CASCADE",
        )
        month = pw.DateField()
        kind = pw.CharField(max_length=12)
        value = pw.DoubleField()
        entered_by = pw.ForeignKeyField(
            column_name="entered_by_id",
            field="id",
            model=migrator.orm["person"],
            null=True,
            on_delete="SET NULL",
        )
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "lagging_figure"

    # A NULL team (the organisation) is distinct from every other NULL in a unique index, so
    # the organisation's figures have an index of their own; an upsert names the one it means.
    migrator.sql(
        "CREATE UNIQUE INDEX lagging_figure_team_month_kind ON lagging_figure"
        " (team_id, month, kind) WHERE team_id IS NOT NULL"
    )
    migrator.sql(
        "CREATE UNIQUE INDEX lagging_figure_org_month_kind ON lagging_figure"
        " (month, kind) WHERE team_id IS NULL"
    )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop lagging_figure."""
    migrator.remove_model("lagging_figure")
