"""Salons: the tenants. Every other tenant table carries salon_id."""
from peewee import CharField, IntegerField

from salon_web.models.base import BaseModel, UTCDateTimeField, utcnow


class Salon(BaseModel):
    name = CharField(max_length=200)
    slug = CharField(max_length=100, unique=True)
    country = CharField(max_length=2)  # ISO 3166-1 alpha-2; default region for phone numbers
    timezone = CharField(max_length=64)  # IANA name, e.g. Africa/Kigali
    currency = CharField(max_length=3)  # ISO 4217, e.g. RWF
    language = CharField(max_length=8, default="en")  # staff who chose none and send no Accept-Language; clients' messages
    created_at = UTCDateTimeField(default=utcnow)
    # The front desk's settings (issue 15; services/front_desk.py): the payment methods the till offers, as
    # comma-separated codes (NULL: all of them), and the no-shows plus late cancellations that warn on a card.
    payment_methods = CharField(max_length=200, null=True)
    no_show_warning = IntegerField(default=2)

    class Meta:
        table_name = "salon"
