"""Messages that are really sent: one row per intended message, templates, a salon's settings, campaigns, feedback.

`outbound_message` is unique on (salon, source, customer, occasion): an automation ("auto:birthday") or a
campaign ("campaign:12") can intend one message per customer per occasion (a date, an appointment, a visit),
so queueing twice is a no-op and a worker claims each row once. When a row is sent (or fails) it is also
recorded in `customer_communication`, the history staff read.
"""
from peewee import CharField, ForeignKeyField, IntegerField, JSONField, SmallIntegerField, TextField

from salon_web.models.appointments import Appointment
from salon_web.models.base import TenantModel, UTCDateTimeField, utcnow
from salon_web.models.communications import CustomerCommunication
from salon_web.models.customers import SalonCustomer
from salon_web.models.salons import Salon
from salon_web.models.users import User

QUEUED, SENDING, SENT, FAILED, DEFERRED, SKIPPED, STOPPED = (
    "queued", "sending", "sent", "failed", "deferred", "skipped", "stopped")
MESSAGE_STATUSES = (QUEUED, SENDING, SENT, FAILED, DEFERRED, SKIPPED, STOPPED)
LANGUAGES = ("en", "fr", "rw")


class MessageSettings(TenantModel):
    """A salon's messaging rules and automation switches (one row per salon, defaults until edited)."""

    salon = ForeignKeyField(Salon, on_delete="CASCADE", unique=True)
    language = CharField(max_length=2, default="en")
    quiet_start = SmallIntegerField(default=21 * 60)  # minutes after local midnight
    quiet_end = SmallIntegerField(default=8 * 60)
    marketing_cap = SmallIntegerField(default=2)  # marketing messages per customer ...
    cap_days = SmallIntegerField(default=7)  # ... in this many days
    automations = JSONField(default=list)  # names of the automations switched on
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "message_settings"


class MessageTemplate(TenantModel):
    """A salon's own wording for one purpose in one language (the built-in defaults apply otherwise)."""

    salon = ForeignKeyField(Salon, on_delete="CASCADE", index=False)
    purpose = CharField(max_length=40)
    language = CharField(max_length=2)
    subject = CharField(max_length=200, default="")
    body = TextField()
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "message_template"
        indexes = ((("salon", "purpose", "language"), True),)


class Campaign(TenantModel):
    """A marketing message to a saved segment or a list filter, sent now or at `send_at`."""

    salon = ForeignKeyField(Salon, on_delete="CASCADE", index=False)
    name = CharField(max_length=100)
    query = TextField(default="")  # the customer-list filter, as a query string
    channel = CharField(max_length=10)
    language = CharField(max_length=2)
    subject = CharField(max_length=200, default="")
    body = TextField()
    status = CharField(max_length=20, default="draft")  # draft, scheduled, sending, done, stopped
    send_at = UTCDateTimeField(null=True)
    queued_count = IntegerField(default=0)
    skipped = JSONField(default=dict)  # reason -> count, when queued
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "campaign"
        indexes = ((("salon", "created_at"), False),)


class OutboundMessage(TenantModel):
    """One intended message: queued -> sending -> sent | failed; deferred by quiet hours; skipped by a rule."""

    salon = ForeignKeyField(Salon, on_delete="CASCADE", index=False)
    customer = ForeignKeyField(SalonCustomer, on_delete="CASCADE")
    source = CharField(max_length=60)  # "auto:birthday", "campaign:12", "manual:<random>"
    occasion = CharField(max_length=60)  # "2026-12-01", "appointment:9", "visit:40"
    purpose = CharField(max_length=40)
    channel = CharField(max_length=10)
    recipient = CharField(max_length=254)
    subject = CharField(max_length=200, default="")
    body = TextField()
    status = CharField(max_length=20, default=QUEUED)
    send_after = UTCDateTimeField()
    claimed_at = UTCDateTimeField(null=True)
    sent_at = UTCDateTimeField(null=True)
    attempts = SmallIntegerField(default=0)
    error = CharField(max_length=300, default="")
    provider_ref = CharField(max_length=100, null=True)  # the provider's id, for delivery reports
    campaign = ForeignKeyField(Campaign, null=True, on_delete="SET NULL")
    communication = ForeignKeyField(CustomerCommunication, null=True, on_delete="SET NULL")
    sent_by = ForeignKeyField(User, column_name="sent_by_user_id", null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "outbound_message"
        indexes = (
            (("salon", "source", "customer", "occasion"), True),
            (("status", "send_after"), False),
            (("salon", "created_at"), False),
            (("salon", "customer", "created_at"), False),
            (("salon", "campaign", "status"), False),
            (("provider_ref",), False),
        )


class CustomerFeedback(TenantModel):
    """A 1-5 rating with a comment, given through a signed link after a visit (one per visit)."""

    salon = ForeignKeyField(Salon, on_delete="CASCADE", index=False)
    customer = ForeignKeyField(SalonCustomer, on_delete="CASCADE")
    appointment = ForeignKeyField(Appointment, null=True, on_delete="SET NULL")
    occasion = CharField(max_length=60)
    rating = SmallIntegerField()
    comment = TextField(default="")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "customer_feedback"
        indexes = ((("salon", "customer", "occasion"), True), (("salon", "created_at"), False))
