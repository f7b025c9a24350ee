"""Settled analytics months in a table every worker reads, filled by a background job (services/analytics_cache.py)."""
from peewee import *


def up(migrator, db):
    class Salon(Model):
        class Meta:
            database = db
            table_name = 'salon'

    class AnalyticsCell(Model):
        salon = ForeignKeyField(Salon, on_delete='CASCADE')
        name = CharField(max_length=40)
        key = CharField(max_length=200)
        epoch = BigIntegerField(null=True)
        cells = TextField()
        computed_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'analytics_cell'
            indexes = ((('salon', 'name'), True),)

    db.create_tables([AnalyticsCell])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('analytics_cell'))
