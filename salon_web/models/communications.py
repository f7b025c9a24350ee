"""Messages and calls recorded for a customer."""
from peewee import CharField, ForeignKeyField, JSONField, TextField

from salon_web.models.base import TenantModel, UTCDateTimeField, utcnow
from salon_web.models.customers import CHANNELS, SalonCustomer
from salon_web.models.salons import Salon
from salon_web.models.users import User

PURPOSES = (
    "appointment_reminder",
    "appointment_confirmation",
    "appointment_cancellation",
    "marketing",
    "follow_up",
    "birthday",
    "anniversary",
    "feedback",
    "other",
)
STATUSES = ("pending", "sent", "delivered", "failed")
DIRECTIONS = ("outbound", "inbound")


class CustomerCommunication(TenantModel):
    salon = ForeignKeyField(Salon, on_delete="CASCADE", index=False)
    customer = ForeignKeyField(SalonCustomer, backref="communications", index=False)
    type = CharField(max_length=20, choices=[(c, c) for c in CHANNELS])
    purpose = CharField(max_length=40, choices=[(p, p) for p in PURPOSES])
    status = CharField(max_length=20, default="pending", choices=[(s, s) for s in STATUSES])
    subject = CharField(max_length=200, default="")
    message = TextField(default="")
    recipient = CharField(max_length=254, default="")
    metadata = JSONField(default=dict)
    sent_by = ForeignKeyField(
        User, column_name="sent_by_user_id", null=True, backref="communications", on_delete="SET NULL"
    )
    created_at = UTCDateTimeField(default=utcnow)
    status_updated_at = UTCDateTimeField(default=utcnow)
    # An inbound call or message is the customer's own doing: never refused for consent.
    direction = CharField(max_length=10, default="outbound", choices=[(d, d) for d in DIRECTIONS])

    class Meta:
        table_name = "customer_communication"
        indexes = (
            (("customer", "created_at"), False),
            (("salon", "created_at"), False),
        )
