"""Analytics of months that are over, cached per salon; the visit hook marks them stale (services/analytics_cache.py)."""
from peewee import CharField, ForeignKeyField, IntegerField, TextField

from salon_web.models.base import BaseModel, UTCDateTimeField
from salon_web.models.salons import Salon


class AnalyticsSnapshot(BaseModel):
    """One row per salon: the ledger's change counter and the cached figures with the counter they saw."""

    salon = ForeignKeyField(Salon, primary_key=True, on_delete="CASCADE")
    ledger_epoch = IntegerField(default=0)  # +1 whenever a visit older than a day is added, changed or removed
    key = CharField(max_length=120, null=True)  # what `cells` hold: time zone, window and months
    cells_epoch = IntegerField(null=True)  # the ledger_epoch read before `cells` were computed
    cells = TextField(null=True)  # JSON
    computed_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "analytics_snapshot"
