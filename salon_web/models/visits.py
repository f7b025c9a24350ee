"""The visit ledger behind every customer's visit figures (see services/visits.py)."""
from peewee import CharField, ForeignKeyField, IntegerField

from salon_web.models.base import MoneyField, TenantModel, UTCDateTimeField
from salon_web.models.customers import SalonCustomer
from salon_web.models.salons import Salon

SOURCE_SALE = "sale"
SOURCE_APPOINTMENT = "appointment"
SOURCE_IMPORT = "import"  # a past visit from an imported client book; source_id is the customer_import_row's id


class Visit(TenantModel):
    """One live visit. visit_count == number of rows; total_spent == sum(amount)."""

    salon = ForeignKeyField(Salon, on_delete="CASCADE", index=False)
    customer = ForeignKeyField(SalonCustomer, backref="visits", index=False)
    occurred_at = UTCDateTimeField()
    amount = MoneyField(default=0)
    source_type = CharField(max_length=20, choices=[(SOURCE_SALE, SOURCE_SALE), (SOURCE_APPOINTMENT, SOURCE_APPOINTMENT),
                                                          (SOURCE_IMPORT, SOURCE_IMPORT)])
    source_id = IntegerField()

    class Meta:
        table_name = "visit"
        indexes = (
            (("source_type", "source_id"), True),
            (("customer", "occurred_at"), False),
            # Analytics reads visits from this index alone (migration 0005); it serves (salon, occurred_at) too.
            (("salon", "occurred_at", "customer", "amount"), False),
            # A customer's next visit, by index alone: second-visit conversion (migration 0011).
            (("salon", "customer", "occurred_at"), False),
        )
