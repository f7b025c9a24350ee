"""Server-side sessions replace user.session_version; an atomic per-key login throttle replaces login_failure rows."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class UserSession(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        key_hash = CharField(max_length=64, unique=True)
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'user_session'

    class LoginThrottle(Model):
        key = CharField(max_length=300, unique=True)
        window_start = DateTimeField(index=True)
        count = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'login_throttle'

    db.create_tables([UserSession, LoginThrottle])
    # Every cookie signed before this migration names a session_version: its holder logs in once more.
    migrator.migrate(migrator.drop_column('user', 'session_version'))
    migrator.migrate(migrator.drop_table('login_failure'))


def down(migrator, db):
    class LoginFailure(Model):
        email = CharField(index=True, max_length=254)
        ip = CharField(index=True, max_length=64)
        at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'login_failure'

    db.create_tables([LoginFailure])
    migrator.migrate(migrator.add_column('user', 'session_version', IntegerField(default=1)))
    migrator.migrate(migrator.drop_table('login_throttle'), migrator.drop_table('user_session'))
