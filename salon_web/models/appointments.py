"""Appointments booked for a customer with an employee."""
from peewee import CharField, ForeignKeyField, IntegerField

from salon_web.models.base import MoneyField, TenantModel, UTCDateTimeField, utcnow
from salon_web.models.customers import SalonCustomer
from salon_web.models.salons import Salon
from salon_web.models.services import Service
from salon_web.models.users import User

SCHEDULED = "scheduled"
CONFIRMED = "confirmed"
COMPLETED = "completed"
CANCELLED = "cancelled"
NO_SHOW = "no_show"
APPOINTMENT_STATUSES = (SCHEDULED, CONFIRMED, COMPLETED, CANCELLED, NO_SHOW)


class Appointment(TenantModel):
    salon = ForeignKeyField(Salon, backref="appointments", on_delete="CASCADE", index=False)
    customer = ForeignKeyField(SalonCustomer, backref="appointments", index=False)
    employee = ForeignKeyField(
        User, column_name="employee_user_id", null=True, backref="appointments", on_delete="SET NULL"
    )
    service_name = CharField(max_length=200)
    service = ForeignKeyField(Service, null=True, backref="appointments", on_delete="SET NULL")  # issue 15: the menu's
    price = MoneyField(default=0)
    scheduled_at = UTCDateTimeField()
    duration_minutes = IntegerField(default=60)
    status = CharField(
        max_length=20, default=SCHEDULED, choices=[(s, s) for s in APPOINTMENT_STATUSES]
    )
    completed_at = UTCDateTimeField(null=True)
    status_updated_at = UTCDateTimeField(default=utcnow)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "appointment"
        indexes = (
            (("salon", "scheduled_at"), False),
            (("customer", "scheduled_at"), False),
            (("salon", "status", "customer"), False),  # no-shows and late cancellations per client (issue 15)
            (("salon", "service", "scheduled_at"), False),  # "had service S in the last N days" (issue 15)
        )
