"""The visit ledger's change counter per salon, which tells cached analytics they are stale (services/analytics_cache.py)."""
from peewee import BigIntegerField, ForeignKeyField

from salon_web.models.base import BaseModel
from salon_web.models.salons import Salon


class LedgerEpoch(BaseModel):
    """Bumped by the visit hook whenever a visit more than a day old is added, changed or removed."""

    salon = ForeignKeyField(Salon, primary_key=True, on_delete="CASCADE")
    epoch = BigIntegerField(default=0)

    class Meta:
        table_name = "ledger_epoch"
