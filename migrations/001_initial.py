"""Peewee migrations -- 001_initial.py.

Some examples (model - class or model name)::

    > Model = migrator.orm['table_name']            # Return model in current state by name
    > Model = migrator.ModelClass                   # Return model in current state by name

    > migrator.sql(sql)                             # Run custom SQL
    > migrator.run(func, *args, **kwargs)           # Run python function with the given args
    > migrator.create_model(Model)                  # Create a model (could be used as decorator)
    > migrator.remove_model(model, cascade=True)    # Remove a model
    > migrator.add_fields(model, **fields)          # Add fields (allow_not_null=True skips default)
    > migrator.change_fields(model, **fields)       # Change fields
    > migrator.remove_fields(model, *field_names, cascade=True)
    > migrator.rename_field(model, old_field_name, new_field_name)
    > migrator.rename_table(model, new_table_name)
    > migrator.add_index(model, *col_names, unique=False)
    > migrator.add_not_null(model, *field_names)
    > migrator.add_default(model, field_name, default)
    > migrator.add_constraint(model, name, sql)
    > migrator.drop_index(model, *col_names)
    > migrator.drop_not_null(model, *field_names)
    > migrator.drop_constraints(model, *constraints)

"""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Write your migrations here."""
    
    @migrator.create_model
    class Team(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=80, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "team"

    @migrator.create_model
    class Person(pw.Model):
        id = pw.AutoField()
        email = pw.CharField(max_length=254, unique=True)
        name = pw.CharField(max_length=80)
        password_hash = pw.CharField(max_length=255, null=True)
        role = pw.CharField(default='employee', max_length=10)
        team = pw.ForeignKeyField(column_name='team_id', field='id', model=migrator.orm['team'], null=True, on_delete='SET NULL')
        tz = pw.CharField(default='UTC', max_length=64)
        workdays = pw.CharField(default='0,1,2,3,4', max_length=20)
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "person"

    @migrator.create_model
    class Challenge(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['person'], on_delete='CASCADE')
        start = pw.DateField()
        started_by = pw.ForeignKeyField(column_name='started_by_id', field='id', model=migrator.orm['person'], null=True, on_delete='SET NULL')
        reflection = pw.TextField(default='')
        completed_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "challenge"

    @migrator.create_model
    class CheckIn(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['person'], on_delete='CASCADE')
        day = pw.DateField()
        before = pw.CharField(max_length=8, null=True)
        during = pw.CharField(max_length=8, null=True)
        after = pw.CharField(max_length=8, null=True)
        before_note = pw.TextField(default='')
        during_note = pw.TextField(default='')
        after_note = pw.TextField(default='')
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "check_in"
            indexes = [(('person', 'day'), True)]

    @migrator.create_model
    class Commitment(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['person'], on_delete='CASCADE')
        week = pw.DateField()
        behaviour = pw.TextField()
        situation = pw.TextField()
        kept = pw.BooleanField(null=True)
        reviewed_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "commitment"
            indexes = [(('person', 'week'), True)]

    @migrator.create_model
    class Invite(pw.Model):
        id = pw.AutoField()
        email = pw.CharField(max_length=254)
        name = pw.CharField(default='', max_length=80)
        team = pw.ForeignKeyField(column_name='team_id', field='id', model=migrator.orm['team'], null=True, on_delete='CASCADE')
        role = pw.CharField(default='employee', max_length=10)
        token_digest = pw.CharField(max_length=64, unique=True)
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['person'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()
        expires_at = pw.DateTimeField()
        used_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "invite"

    @migrator.create_model
    class LoginAttempt(pw.Model):
        id = pw.AutoField()
        email = pw.CharField(index=True, max_length=254)
        ip = pw.CharField(index=True, max_length=64)
        at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "login_attempt"

    @migrator.create_model
    class PasswordReset(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['person'], on_delete='CASCADE')
        token_digest = pw.CharField(max_length=64, unique=True)
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['person'], null=True, on_delete='SET NULL')
        expires_at = pw.DateTimeField()
        used_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "password_reset"

    @migrator.create_model
    class Pledge(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['person'], on_delete='CASCADE', unique=True)
        signed_at = pw.DateTimeField()

        class Meta:
            table_name = "pledge"

    @migrator.create_model
    class SignIn(pw.Model):
        id = pw.AutoField()
        person = pw.ForeignKeyField(column_name='person_id', field='id', model=migrator.orm['person'], on_delete='CASCADE')
        token_digest = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        expires_at = pw.DateTimeField(index=True)
        user_agent = pw.CharField(default='', max_length=200)

        class Meta:
            table_name = "sign_in"

    @migrator.create_model
    class CheckInKey(pw.Model):
        id = pw.AutoField()
        key = pw.CharField(max_length=64, unique=True)
        check_in = pw.ForeignKeyField(column_name='check_in_id', field='id', model=migrator.orm['check_in'], on_delete='CASCADE')

        class Meta:
            table_name = "check_in_key"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Write your rollback migrations here."""
    
    migrator.remove_model('check_in_key')

    migrator.remove_model('sign_in')

    migrator.remove_model('pledge')

    migrator.remove_model('password_reset')

    migrator.remove_model('login_attempt')

    migrator.remove_model('invite')

    migrator.remove_model('commitment')

    migrator.remove_model('check_in')

    migrator.remove_model('challenge')

    migrator.remove_model('person')

    migrator.remove_model('team')
