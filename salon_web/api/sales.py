"""Posting a sale (it records the visit) and changing an appointment's status."""
import datetime
from typing import Literal

from flask import request
from flask_babel import gettext as _
from pydantic import Field

from salon_web.api import bp
from salon_web.api.framework import MAX_ID, Schema, UtcDateTime, operation
from salon_web.api.problems import ApiProblem, service_errors
from salon_web.models import Appointment, NotInSalon, SalonCustomer
from salon_web.models.appointments import APPOINTMENT_STATUSES
from salon_web.services.appointments import TransitionNotAllowed, change_appointment_status
from salon_web.services.field_errors import FieldErrors
from salon_web.services.front_desk import PAYMENT_METHODS
from salon_web.services.sales import MAX_DESCRIPTION, MAX_ITEMS, MAX_QUANTITY, SaleLine, items_by_sale, post_sale

MAX_AMOUNT = 10**12
EARLIEST_SALE = datetime.datetime(2000, 1, 1)


class SaleItemIn(Schema):
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)
    unit_price: int = Field(ge=0, le=MAX_AMOUNT, description="Minor units of the salon's currency")

    def line(self):
        """The SaleLine the service checks, as the till's form hands it over too."""
        return SaleLine(self.description, self.quantity, self.unit_price)


class SaleCreate(Schema):
    items: list[SaleItemIn] = Field(min_length=1, max_length=MAX_ITEMS)
    customer_id: int | None = Field(None, ge=1, le=MAX_ID)
    appointment_id: int | None = Field(None, ge=1, le=MAX_ID, description="The sale then belongs to its visit")
    sold_at: UtcDateTime | None = Field(None, description="UTC when no offset is given; default now")
    payment_method: Literal[tuple(PAYMENT_METHODS)] | None = Field(
        None, description="One of the salon's payment methods; default its first (cash unless the owner chose)")


class SaleItemOut(Schema):
    description: str
    quantity: int
    unit_price: int


class SaleOut(Schema):
    id: int
    customer_id: int | None
    appointment_id: int | None
    total: int = Field(description="Minor units of `currency`")
    currency: str
    status: str
    sold_at: UtcDateTime
    payment_method: str | None = Field(description="cash, mobile_money, card, bank_transfer or other; null before")
    items: list[SaleItemOut]


def _in_salon(model, salon, object_id, field):
    """Return the salon's row a body refers to; another salon's or a missing one is a 422 on that field."""
    try:
        return model.get_in_salon(salon, object_id)
    except NotInSalon:
        raise ApiProblem(422, _("No such object in this salon."),
                         errors=[{"field": field, "in": "body", "message": _("Not found in this salon.")}]) from None


def _utc(moment):
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    if moment < EARLIEST_SALE:
        raise ApiProblem(422, _("No such object in this salon."),
                         errors=[{"field": "soldAt", "in": "body", "message": _("A sale is dated %(year)s or later.", year=2000)}])
    return moment


@operation(bp, "POST", "/salons/<int:salon_id>/sales", summary="Post a sale", body=SaleCreate, response=SaleOut,
           status=201, tag="sales")
def create_sale(user, salon, body):
    """Record a completed sale and its visit. The Idempotency-Key header is also the sale's own key."""
    customer = _in_salon(SalonCustomer, salon, body.customer_id, "customerId") if body.customer_id else None
    appointment = _in_salon(Appointment, salon, body.appointment_id, "appointmentId") if body.appointment_id else None
    if customer is None and appointment is None:
        raise ApiProblem(422, _("Name the customer (or the appointment)."),
                         errors=[{"field": "customerId", "in": "body", "message": _("Required without appointmentId.")}])
    try:
        sale = post_sale(salon, customer=customer, appointment=appointment,
                         items=[item.line() for item in body.items],
                         sold_at=_utc(body.sold_at) if body.sold_at else None,
                         idempotency_key=request.headers.get("Idempotency-Key"), user=user,
                         payment_method=body.payment_method)
    except FieldErrors as invalid:
        if "idempotency_key" in invalid.errors:
            too_long = len(request.headers["Idempotency-Key"].strip()) > 64
            raise ApiProblem(422, _("Idempotency-Key is at most %(count)s characters for a sale.", count=64) if too_long else
                             _("This Idempotency-Key was already used for another sale in this salon; use a new key."),
                             errors=[{"field": "Idempotency-Key", "in": "header",
                                      "message": _("too long") if too_long else _("used for another sale")}])
        raise service_errors(invalid.errors, "body")
    items = items_by_sale(salon, [sale.id]).get(sale.id, [])
    return {"id": sale.id, "customer_id": sale.customer_id, "appointment_id": sale.appointment_id,
            "total": sale.total, "currency": salon.currency, "status": sale.status, "sold_at": sale.sold_at,
            "payment_method": sale.payment_method, "items": [{"description": i.description, "quantity": i.quantity, "unit_price": i.unit_price}
                      for i in items]}, 201


class AppointmentStatusChange(Schema):
    status: Literal[APPOINTMENT_STATUSES]


class AppointmentOut(Schema):
    id: int
    customer_id: int
    service_name: str
    price: int = Field(description="Minor units of `currency`")
    currency: str
    scheduled_at: UtcDateTime
    status: str
    completed_at: UtcDateTime | None


@operation(bp, "POST", "/salons/<int:salon_id>/appointments/<int:appointment_id>/status",
           summary="Change an appointment's status", body=AppointmentStatusChange, response=AppointmentOut,
           tag="appointments")
def appointment_status(user, salon, appointment_id, body):
    """Confirm, complete (records the visit), cancel or mark no-show; a forbidden change is refused with 422."""
    appointment = Appointment.get_in_salon(salon, appointment_id)  # NotInSalon: a problem 404
    try:
        appointment = change_appointment_status(appointment, body.status, user=user)
    except TransitionNotAllowed as refused:
        raise ApiProblem(422, refused.message, errors=[{"field": "status", "in": "body", "message": refused.message}])
    return {"id": appointment.id, "customer_id": appointment.customer_id, "service_name": appointment.service_name,
            "price": appointment.price, "currency": salon.currency, "scheduled_at": appointment.scheduled_at,
            "status": appointment.status, "completed_at": appointment.completed_at}
