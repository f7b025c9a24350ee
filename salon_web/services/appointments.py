"""Booking appointments and moving them through their statuses; completing one records its visit."""
import datetime
from dataclasses import dataclass

from peewee import JOIN

from salon_web.db import db
from salon_web.models import Appointment, Membership, SalonCustomer, User, utcnow
from salon_web.models.appointments import (
    APPOINTMENT_STATUSES,
    CANCELLED,
    COMPLETED,
    CONFIRMED,
    NO_SHOW,
    SCHEDULED,
)
from salon_web.services import visits
from salon_web.services.clock import local_day_bounds
from salon_web.services.field_errors import FieldErrors
from salon_web.services.service_menu import find_by_names, service_for
from salon_web.texts import _l

# Which status may follow which. Completed, cancelled and no-show are final.
TRANSITIONS = {
    SCHEDULED: {CONFIRMED, COMPLETED, CANCELLED, NO_SHOW},
    CONFIRMED: {SCHEDULED, COMPLETED, CANCELLED, NO_SHOW},
    COMPLETED: set(),
    CANCELLED: set(),
    NO_SHOW: set(),
}
LABELS = {SCHEDULED: _l("scheduled"), CONFIRMED: _l("confirmed"), COMPLETED: _l("completed"), CANCELLED: _l("cancelled"),
          NO_SHOW: _l("no-show")}
ACTIONS = {CONFIRMED: _l("Confirm"), COMPLETED: _l("Complete"), CANCELLED: _l("Cancel"), NO_SHOW: _l("No-show"),
           SCHEDULED: _l("Unconfirm")}
OPEN_STATUSES = (SCHEDULED, CONFIRMED)


class TransitionNotAllowed(FieldErrors):
    """A status change the rules forbid (e.g. cancelling a completed appointment); the error is on `status`."""

    def __init__(self, message):
        super().__init__({"status": message})
        self.message = self.errors["status"]  # text in the language of the request


@dataclass(frozen=True)
class Booking:
    """What booking an appointment takes: the salon's customer, the service, its price (minor units), naive-UTC time."""

    customer: SalonCustomer | None
    service_name: str
    price: int | None  # None: the service menu's price (0 for free text)
    scheduled_at: datetime.datetime | None
    employee: User | None = None
    duration_minutes: int = 60


@dataclass(frozen=True)
class DayFilter:
    """Which appointments the day's list shows."""

    day: datetime.date
    status: str | None = None
    employee_id: int | None = None


def book_appointment(salon, booking=None, /, **fields):
    """Create a scheduled appointment from a Booking (or its fields as keywords) and return it; FieldErrors if refused."""
    booking = booking or Booking(**fields)
    customer, service_name, price = booking.customer, booking.service_name, booking.price
    scheduled_at, employee, duration_minutes = booking.scheduled_at, booking.employee, booking.duration_minutes
    errors = {}
    if customer is None or customer.salon_id != salon.id:
        errors["customer"] = _l("Choose a customer of this salon.")
    service_name = " ".join((service_name or "").split())
    if not service_name:
        errors["service_name"] = _l("Enter the service, e.g. Haircut.")
    elif len(service_name) > 200:
        errors["service_name"] = _l("Keep the service under %(count)s characters.", count=200)
    service = service_for(find_by_names(salon, [service_name]), service_name) if service_name else None
    if price is None:  # left empty: the menu's price, or nothing (issue 15)
        price = service.price if service else 0
    if not isinstance(price, int) or price < 0:
        errors["price"] = _l("Enter a price of zero or more.")
    if not isinstance(scheduled_at, datetime.datetime):
        errors["scheduled_at"] = _l("Enter the date and time.")
    if not isinstance(duration_minutes, int) or not 5 <= duration_minutes <= 720:
        errors["duration_minutes"] = _l("Enter a duration between %(least)s and %(most)s minutes.", least=5, most=720)
    if employee is not None and not Membership.select().where(
        (Membership.salon == salon) & (Membership.user == employee)
    ).exists():
        errors["employee"] = _l("Choose a member of this salon's staff.")
    if errors:
        raise FieldErrors(errors)
    return Appointment.create(
        salon=salon, customer=customer, employee=employee, service_name=service_name, price=price,
        scheduled_at=scheduled_at, duration_minutes=duration_minutes, service=service.id if service else None,
    )


def change_appointment_status(appointment, status, *, user=None, now=None):
    """Move an appointment to `status` and record or reverse its visit; return the updated appointment.

    Setting the status it already has changes nothing (completing twice counts one visit).
    Raises TransitionNotAllowed for a change the rules forbid.
    """
    if status not in APPOINTMENT_STATUSES:
        raise TransitionNotAllowed(_l("Unknown status %(status)s.", status=repr(status)))
    now = now or utcnow()
    with db.atomic():
        visits.lock_customer(appointment.salon_id, appointment.customer_id)
        # Fresh, now that concurrent writers are serialised.
        current = Appointment.get_in_salon(appointment.salon_id, appointment.id)
        if current.status == status:
            return current
        if status not in TRANSITIONS[current.status]:
            raise TransitionNotAllowed(
                _l("A %(current)s appointment cannot be marked %(new)s.", current=LABELS[current.status], new=LABELS[status])
            )
        changes = {Appointment.status: status, Appointment.status_updated_at: now}
        if status == COMPLETED:
            changes[Appointment.completed_at] = now
        Appointment.update(changes).where((Appointment.salon == current.salon_id) & (Appointment.id == current.id)).execute()
        for field, value in changes.items():
            setattr(current, field.name, value)
        visits.sync_appointment(current)
    return current


def allowed_next(appointment):
    """Return the statuses this appointment may move to, in button order."""
    order = (CONFIRMED, COMPLETED, NO_SHOW, CANCELLED, SCHEDULED)
    return [s for s in order if s in TRANSITIONS[appointment.status]]


def day_appointments(salon, day_filter):
    """Return the salon's appointments on a local calendar day, earliest first, with customer and employee."""
    day, status, employee_id = day_filter.day, day_filter.status, day_filter.employee_id
    start, end = local_day_bounds(day, salon.timezone)
    query = (Appointment.select(Appointment, SalonCustomer, User)
             .join(SalonCustomer, on=(Appointment.customer == SalonCustomer.id))
             .switch(Appointment).join(User, join_type=JOIN.LEFT_OUTER, on=(Appointment.employee == User.id))
             .where((Appointment.salon == salon) & (Appointment.scheduled_at >= start) & (Appointment.scheduled_at < end))
             .order_by(Appointment.scheduled_at, Appointment.id))
    if status:
        query = query.where(Appointment.status == status)
    if employee_id:
        query = query.where(Appointment.employee == employee_id)
    return list(query)


def linkable_appointments(salon, *, now=None, customer=None):
    """Return recent and upcoming appointments a sale may be linked to (not cancelled or no-show)."""
    now = now or utcnow()
    query = (Appointment.select(Appointment, SalonCustomer)
             .join(SalonCustomer, on=(Appointment.customer == SalonCustomer.id))
             .where((Appointment.salon == salon)
                    & Appointment.status.in_((SCHEDULED, CONFIRMED, COMPLETED))
                    & (Appointment.scheduled_at >= now - datetime.timedelta(days=2))
                    & (Appointment.scheduled_at < now + datetime.timedelta(days=1)))
             .order_by(Appointment.scheduled_at).limit(50))
    if customer is not None:
        query = query.where(Appointment.customer == customer)
    return list(query)
