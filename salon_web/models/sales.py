"""Sales and their line items. A sale is voided, never deleted."""
from peewee import CharField, ForeignKeyField, IntegerField, TextField

from salon_web.models.appointments import Appointment
from salon_web.models.base import MoneyField, TenantModel, UTCDateTimeField, utcnow
from salon_web.models.customers import SalonCustomer
from salon_web.models.salons import Salon
from salon_web.models.services import Service
from salon_web.models.users import User

COMPLETED = "completed"
VOIDED = "voided"
SALE_STATUSES = (COMPLETED, VOIDED)


class Sale(TenantModel):
    salon = ForeignKeyField(Salon, backref="sales", on_delete="CASCADE", index=False)
    customer = ForeignKeyField(SalonCustomer, null=True, backref="sales", index=False)
    appointment = ForeignKeyField(Appointment, null=True, backref="sales")
    total = MoneyField()  # computed on the server from the items
    status = CharField(max_length=20, default=COMPLETED, choices=[(s, s) for s in SALE_STATUSES])
    sold_at = UTCDateTimeField(default=utcnow)
    # Unique per salon: a double-click or a resubmitted form creates one sale.
    idempotency_key = CharField(max_length=64, null=True)
    created_by = ForeignKeyField(User, null=True, backref="sales_created", on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)
    voided_at = UTCDateTimeField(null=True)
    voided_by = ForeignKeyField(User, null=True, backref="sales_voided", on_delete="SET NULL")
    void_reason = TextField(null=True)
    # cash, mobile_money, card, bank_transfer, other (services/front_desk.py); NULL on sales posted before it existed.
    payment_method = CharField(max_length=20, null=True)

    class Meta:
        table_name = "sale"
        indexes = (
            (("salon", "idempotency_key"), True),
            (("salon", "sold_at"), False),
            (("customer", "sold_at"), False),
        )


class SaleItem(TenantModel):
    salon = ForeignKeyField(Salon, on_delete="CASCADE", index=False)
    sale = ForeignKeyField(Sale, backref="items", on_delete="CASCADE")
    description = CharField(max_length=200)
    quantity = IntegerField(default=1)
    unit_price = MoneyField()
    service = ForeignKeyField(Service, null=True, backref="sale_items", on_delete="SET NULL")  # issue 15: the menu's

    class Meta:
        table_name = "sale_item"
        indexes = ((("salon", "service"), False),)  # "had service S", revenue per service (issue 15)
