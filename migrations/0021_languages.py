"""Each user may choose a language; each salon has a default one (staff without a choice, clients' messages)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('user', 'language', CharField(max_length=8, null=True)),
        migrator.add_column('salon', 'language', CharField(max_length=8, default='en')),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column('user', 'language'), migrator.drop_column('salon', 'language'))
