"""The visit ledger's change counter per salon, which tells cached analytics they are stale (services/analytics_cache.py)."""
from peewee import BigIntegerField, CharField, ForeignKeyField, TextField

from salon_web.models.base import BaseModel, UTCDateTimeField
from salon_web.models.salons import Salon


class LedgerEpoch(BaseModel):
    """Bumped by the visit hook whenever a visit more than a day old is added, changed or removed."""

    salon = ForeignKeyField(Salon, primary_key=True, on_delete="CASCADE")
    epoch = BigIntegerField(default=0)

    class Meta:
        table_name = "ledger_epoch"


class AnalyticsCell(BaseModel):
    """Settled analytics figures of a salon (JSON), computed off the request path for every worker to read.

    `key` says what they were computed for (months, time zone, settled bound), `epoch` the salon's
    ledger_epoch read before the visits: a reader uses them only when both match its own.
    """

    salon = ForeignKeyField(Salon, on_delete="CASCADE", index=False)
    name = CharField(max_length=40)
    key = CharField(max_length=200)
    epoch = BigIntegerField(null=True)
    cells = TextField()
    computed_at = UTCDateTimeField()

    class Meta:
        table_name = "analytics_cell"
        indexes = ((("salon", "name"), True),)
