"""Appointments: a day's list with filters, booking, and status changes (which record visits)."""
import datetime

from flask import Blueprint, flash, request, url_for
from flask_login import current_user

from salon_web import htmx
from salon_web.ids import parse_id
from salon_web.models import Appointment, User
from salon_web.models.appointments import APPOINTMENT_STATUSES
from salon_web.services.appointments import (
    ACTIONS,
    LABELS,
    AppointmentInvalid,
    TransitionNotAllowed,
    allowed_next,
    book_appointment,
    change_appointment_status,
    day_appointments,
)
from salon_web.services.clock import EARLIEST_DATE, LATEST_DATE, local_today, parse_date, to_local
from salon_web.services.money import InvalidAmount, parse_money
from salon_web.services.sales import customer_options
from salon_web.services.salons import salon_staff
from salon_web.tenancy import get_in_salon_or_404, salon_view
from salon_web.views.sales import find_customer, parse_local_datetime

bp = Blueprint("appointments", __name__)


def _filters(salon, source):
    """Return (day, status, employee_id, filter errors) from query or form values; bad values are reported, not fatal."""
    errors = {}
    day = local_today(salon.timezone)
    try:
        day = parse_date(source.get("day")) or day
    except ValueError:
        errors["day"] = f"Use a date like 2026-03-31, between the years {EARLIEST_DATE.year} and {LATEST_DATE.year}."
    status = source.get("status") or None
    if status and status not in APPOINTMENT_STATUSES:
        status, errors["status"] = None, "Unknown status."
    employee_id = parse_id(source.get("employee"))
    if source.get("employee") and employee_id is None:
        errors["employee"] = "Unknown employee."
    return day, status, employee_id, errors


def _context(salon, *, day, status, employee_id, filter_errors=None, form=None, errors=None, error=None):
    """Everything the appointments page shows: the day's list, filters, the booking form."""
    form = form or {"scheduled_at": f"{day.isoformat()}T09:00", "duration_minutes": "60"}
    selected = find_customer(salon, form.get("customer_id"))
    options = customer_options(salon, form.get("customer_q", ""))
    if selected and selected not in options:
        options.insert(0, selected)
    return dict(
        salon=salon, day=day, status_filter=status, employee_id=employee_id, filter_errors=filter_errors or {},
        appointments=day_appointments(salon, day, status=status, employee_id=employee_id), staff=salon_staff(salon),
        statuses=APPOINTMENT_STATUSES, labels=LABELS, actions=ACTIONS, allowed_next=allowed_next,
        form=form, errors=errors or {}, options=options, error=error,
        previous_day=day - datetime.timedelta(days=1), next_day=day + datetime.timedelta(days=1),
    )


@bp.route("/salons/<int:salon_id>/appointments")
@salon_view()
def appointment_list(salon):
    """The salon's appointments on one day (its own time zone), filtered by status and employee."""
    day, status, employee_id, filter_errors = _filters(salon, request.args)
    context = _context(salon, day=day, status=status, employee_id=employee_id, filter_errors=filter_errors)
    return htmx.render("appointments/list.html", "results", target="appointment-results",
                       status=422 if filter_errors else 200,
                       filters_in_results=htmx.wants_fragment("appointment-results"), **context)


@bp.route("/salons/<int:salon_id>/appointments", methods=["POST"])
@salon_view()
def appointment_create(salon):
    """Book an appointment; errors come back beside the fields with 422."""
    form = {key: request.form.get(key, "")[:200] for key in
            ("customer_id", "customer_q", "employee_id", "service_name", "price", "scheduled_at", "duration_minutes")}
    errors = {}
    customer = find_customer(salon, form["customer_id"])
    if customer is None:
        errors["customer"] = "Choose the customer (type a name or phone digits)."
    employee = None
    if form["employee_id"]:
        employee_id = parse_id(form["employee_id"])
        employee = User.get_or_none(User.id == employee_id) if employee_id else None
        if employee is None:
            errors["employee"] = "Choose a member of this salon's staff."
    try:
        price = parse_money(form["price"] or "0", salon.currency)
    except InvalidAmount as error:
        price, errors["price"] = 0, str(error)
    try:
        scheduled_at = parse_local_datetime(form["scheduled_at"], salon)
    except ValueError:
        scheduled_at = None
    if scheduled_at is None:
        errors["scheduled_at"] = "Enter the date and time."
    try:
        duration = int(form["duration_minutes"] or "60")
    except ValueError:
        duration, errors["duration_minutes"] = 60, "Enter whole minutes."
    if not errors:
        try:
            appointment = book_appointment(salon, customer=customer, service_name=form["service_name"], price=price,
                                           scheduled_at=scheduled_at, employee=employee, duration_minutes=duration)
        except AppointmentInvalid as error:
            errors = error.errors
    if errors:
        day = to_local(scheduled_at, salon.timezone).date() if scheduled_at else local_today(salon.timezone)
        context = _context(salon, day=day, status=None, employee_id=None, form=form, errors=errors)
        return htmx.render("appointments/list.html", "booking_form", target="booking-form", status=422, **context)
    local_day = to_local(appointment.scheduled_at, salon.timezone).date()
    flash(f"Booked {appointment.service_name} for {customer.full_name}.", "success")
    return htmx.redirect_to(url_for("appointments.appointment_list", salon_id=salon.id, day=local_day.isoformat()))


@bp.route("/salons/<int:salon_id>/appointments/<int:appointment_id>/status", methods=["POST"])
@salon_view()
def appointment_status(salon, appointment_id):
    """Confirm, complete, cancel or mark no-show; a forbidden change answers 422 with the reason."""
    appointment = get_in_salon_or_404(Appointment, salon, appointment_id)
    error = None
    try:
        appointment = change_appointment_status(appointment, request.form.get("status", ""), user=current_user)
    except TransitionNotAllowed as refused:
        error = str(refused)
    shown = {"day": request.form.get("day"), "status": request.form.get("status_filter"),
             "employee": request.form.get("employee")}  # the list the buttons were on
    day, status, employee_id, filter_errors = _filters(salon, shown)
    if not request.form.get("day"):
        day = to_local(appointment.scheduled_at, salon.timezone).date()
    if htmx.wants_fragment("appointment-results") or error:
        context = _context(salon, day=day, status=status, employee_id=employee_id, filter_errors=filter_errors,
                           error=error)
        return htmx.render("appointments/list.html", "results", target="appointment-results",
                           status=422 if error else 200, **context)
    flash(f"{appointment.service_name} for {appointment.customer.full_name}: {LABELS[appointment.status]}.", "success")
    return htmx.redirect_to(url_for("appointments.appointment_list", salon_id=salon.id, day=day.isoformat(),
                                    status=status, employee=employee_id))
