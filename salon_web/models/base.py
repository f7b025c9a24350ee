"""The base model and field conventions shared by every table."""
import datetime

from peewee import BigIntegerField, DateTimeField, Model

from salon_web.db import db


def utcnow():
    """Naive UTC now: every timestamp column stores UTC without a zone."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class MoneyField(BigIntegerField):
    """An amount in the currency's minor units (cents; whole francs for RWF)."""


class UTCDateTimeField(DateTimeField):
    """A naive datetime that is always UTC; convert to the salon's zone only to display."""
