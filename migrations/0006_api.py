"""JSON API bookkeeping: per-token rate windows and idempotency keys."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class ApiToken(Model):
        class Meta:
            database = db
            table_name = 'api_token'

    class ApiRateWindow(Model):
        token = ForeignKeyField(ApiToken, on_delete='CASCADE')
        window_start = DateTimeField()
        count = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'api_rate_window'
            indexes = ((('token', 'window_start'), True),)

    class ApiIdempotencyKey(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        key = CharField(max_length=255)
        request_hash = CharField(max_length=64)
        status = IntegerField(null=True)
        body = TextField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'api_idempotency_key'
            indexes = ((('user', 'key'), True),)

    db.create_tables([ApiRateWindow, ApiIdempotencyKey])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('api_idempotency_key'))
    migrator.migrate(migrator.drop_table('api_rate_window'))
