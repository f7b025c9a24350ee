"""A client's right to be forgotten: the moment a card was anonymised (services/client_rights.py)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('salon_customer', 'forgotten_at', DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('salon_customer', 'forgotten_at'))
