"""Merged duplicates, recorded for undo (services/merges.py)."""
from peewee import *


def up(migrator, db):
    class Salon(Model):
        class Meta:
            database = db
            table_name = 'salon'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class CustomerMerge(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        survivor_id = BigIntegerField()
        merged_id = BigIntegerField()
        survivor_before = JSONField(default=dict)
        merged_card = JSONField(default=dict)
        moved = JSONField(default=dict)
        survivor_version = IntegerField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        undone_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'customer_merge'
            indexes = ((('salon', 'created_at'), False),)

    db.create_tables([CustomerMerge])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('customer_merge'))
