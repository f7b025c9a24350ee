"""The visit ledger's change counter per salon (services/analytics_cache.py)."""
from peewee import *


def up(migrator, db):
    class Salon(Model):
        class Meta:
            database = db
            table_name = 'salon'

    class LedgerEpoch(Model):
        salon = ForeignKeyField(Salon, primary_key=True, on_delete='CASCADE')
        epoch = BigIntegerField(default=0)
        class Meta:
            database = db
            table_name = 'ledger_epoch'

    db.create_tables([LedgerEpoch])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('ledger_epoch'))
