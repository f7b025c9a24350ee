"""Cached analytics of months that are over, one row per salon (services/analytics_cache.py)."""
from peewee import *


def up(migrator, db):
    class Salon(Model):
        class Meta:
            database = db
            table_name = 'salon'

    class AnalyticsSnapshot(Model):
        salon = ForeignKeyField(Salon, primary_key=True, on_delete='CASCADE')
        ledger_epoch = IntegerField(default=0)
        key = CharField(max_length=120, null=True)
        cells_epoch = IntegerField(null=True)
        cells = TextField(null=True)
        computed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'analytics_snapshot'

    db.create_tables([AnalyticsSnapshot])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('analytics_snapshot'))
