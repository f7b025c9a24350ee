"""Bookkeeping for the JSON API: per-token rate windows and idempotent POST replays."""
from peewee import CharField, ForeignKeyField, IntegerField, TextField

from salon_web.models.base import BaseModel, UTCDateTimeField, utcnow
from salon_web.models.users import ApiToken, User


class ApiRateWindow(BaseModel):
    """Requests a token made in one fixed window; shared by every worker through the database."""

    token = ForeignKeyField(ApiToken, on_delete="CASCADE", index=False)
    window_start = UTCDateTimeField()
    count = IntegerField(default=0)

    class Meta:
        table_name = "api_rate_window"
        indexes = ((("token", "window_start"), True),)


class ApiIdempotencyKey(BaseModel):
    """The first response to a POST with an Idempotency-Key, replayed for retries."""

    user = ForeignKeyField(User, on_delete="CASCADE", index=False)
    key = CharField(max_length=255)
    request_hash = CharField(max_length=64)  # sha256 of method, path and body
    status = IntegerField(null=True)  # null only inside the claiming transaction: claim and answer commit together
    body = TextField(null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "api_idempotency_key"
        indexes = ((("user", "key"), True),)
