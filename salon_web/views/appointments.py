"""Appointments: a day's list with filters, booking, and status changes (which record visits)."""
import datetime

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from salon_web import htmx
from salon_web.ids import parse_id
from salon_web.models import Appointment, SalonCustomer
from salon_web.models.appointments import APPOINTMENT_STATUSES
from salon_web.services.appointments import (
    ACTIONS,
    LABELS,
    DayFilter,
    TransitionNotAllowed,
    allowed_next,
    book_appointment,
    change_appointment_status,
    day_appointments,
)
from salon_web.services.clock import local_today, to_local
from salon_web.services.field_errors import FieldErrors
from salon_web.services.sales import picker_options
from salon_web.services.salons import salon_staff
from salon_web.services.service_menu import menu_names
from salon_web.tenancy import salon_view
from salon_web.web_forms.till import BookingForm, DayFilterForm, StatusForm

bp = Blueprint("appointments", __name__)


def _page(salon, day_filter, *, filter_errors=None, typed=None, errors=None, error=None):
    """Everything the appointments page shows: the day's list, filters, the booking form."""
    day = day_filter.day
    typed = typed or BookingForm.fresh(day)
    return dict(
        salon=salon, day=day, status_filter=day_filter.status, employee_id=day_filter.employee_id,
        filter_errors=filter_errors or {}, appointments=day_appointments(salon, day_filter), staff=salon_staff(salon),
        statuses=APPOINTMENT_STATUSES, labels=LABELS, actions=ACTIONS, allowed_next=allowed_next,
        form=typed, errors=errors or {}, error=error,
        options=picker_options(salon, typed.get("customer_q", ""), parse_id(typed.get("customer_id"))),
        previous_day=day - datetime.timedelta(days=1), next_day=day + datetime.timedelta(days=1),
        service_names=menu_names(salon),
    )


@bp.route("/salons/<int:salon_id>/appointments")
@salon_view()
def appointment_list(salon):
    """The salon's appointments on one day (its own time zone), filtered by status and employee."""
    day_filter, filter_errors = DayFilterForm(request.args, salon=salon).parse(local_today(salon.timezone))
    context = _page(salon, day_filter, filter_errors=filter_errors)
    return htmx.render("appointments/list.html", "results", target="appointment-results",
                       status=422 if filter_errors else 200,
                       filters_in_results=htmx.wants_fragment("appointment-results"), **context)


@bp.route("/salons/<int:salon_id>/appointments", methods=["POST"])
@salon_view()
def appointment_create(salon):
    """Book an appointment; errors come back beside the fields with 422."""
    form = BookingForm(request.form, salon=salon)
    try:
        appointment = book_appointment(salon, form.parse())
    except FieldErrors as refused:
        moment = form.scheduled_at.moment
        day = to_local(moment, salon.timezone).date() if moment else local_today(salon.timezone)
        context = _page(salon, DayFilter(day), typed=form.typed(), errors=refused.errors)
        return htmx.render("appointments/list.html", "booking_form", target="booking-form", status=422, **context)
    local_day = to_local(appointment.scheduled_at, salon.timezone).date()
    flash(_("Booked %(service)s for %(customer)s.", service=appointment.service_name,
            customer=appointment.customer.full_name), "success")
    return htmx.redirect_to(url_for("appointments.appointment_list", salon_id=salon.id, day=local_day.isoformat()))


@bp.route("/salons/<int:salon_id>/appointments/<int:appointment_id>/status", methods=["POST"])
@salon_view()
def appointment_status(salon, appointment_id):
    """Confirm, complete, cancel or mark no-show; a forbidden change answers 422 with the reason."""
    appointment = Appointment.get_in_salon(salon, appointment_id)
    error = None
    try:
        appointment = change_appointment_status(appointment, StatusForm(request.form).status.data, user=current_user)
    except TransitionNotAllowed as refused:
        error = refused.message
    day_filter, filter_errors = DayFilterForm.parse_status_form(
        request.form, salon, to_local(appointment.scheduled_at, salon.timezone).date())
    if htmx.wants_fragment("appointment-results") or error:
        context = _page(salon, day_filter, filter_errors=filter_errors, error=error)
        return htmx.render("appointments/list.html", "results", target="appointment-results",
                           status=422 if error else 200, **context)
    customer = SalonCustomer.get_in_salon(salon, appointment.customer_id)
    flash(_("%(service)s for %(customer)s: %(status)s.", service=appointment.service_name, customer=customer.full_name,
            status=LABELS[appointment.status]), "success")
    return htmx.redirect_to(url_for("appointments.appointment_list", salon_id=salon.id, day=day_filter.day.isoformat(),
                                    status=day_filter.status, employee=day_filter.employee_id))
