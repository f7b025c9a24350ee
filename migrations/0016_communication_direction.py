"""A communication is outbound (sent by the salon) or inbound (the customer called or wrote); existing rows are
outbound."""
from peewee import CharField


def up(migrator, db):
    migrator.migrate(migrator.add_column('customer_communication', 'direction',
                                         CharField(max_length=10, default='outbound')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('customer_communication', 'direction'))
