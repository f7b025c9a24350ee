"""Acting from a customer's card: book their next appointment or ring up a sale, then back to the card.

The till's own forms (web_forms/till.py) and services (appointments.book_appointment, sales.post_sale) do the work;
these views only fix the customer from the URL and return to the card, where the new visit shows in the timeline.
"""
import uuid

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from salon_web import htmx
from salon_web.models import SalonCustomer
from salon_web.services.appointments import book_appointment, linkable_appointments
from salon_web.i18n import current_language
from salon_web.services import formats
from salon_web.services.clock import local_today, to_local
from salon_web.services.field_errors import FieldErrors
from salon_web.services.front_desk import payment_choices
from salon_web.services.salons import salon_staff
from salon_web.services.service_menu import menu_names
from salon_web.services.sales import post_sale
from salon_web.tenancy import salon_view
from salon_web.views.communications import LABELS
from salon_web.web_forms.till import BookingForm, SaleForm, item_rows

bp = Blueprint("card_actions", __name__)


def _for_customer(formdata, customer):
    """The posted form with the customer the URL names (a posted customer_id is ignored)."""
    values = MultiDict(formdata)
    values.setlist("customer_id", [str(customer.id)])
    return values


def _card(salon, customer):
    return url_for("customer_detail.show", salon_id=salon.id, customer_id=customer.id)


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/book", methods=["GET", "POST"])
@salon_view()
def book(salon, customer_id):
    """The booking form for this customer; a booking returns to the card (errors: 422 beside the fields)."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    if request.method != "POST":
        preferred = str((customer.preferences or {}).get("preferred_employee") or "")
        typed = {**BookingForm.fresh(local_today(salon.timezone)), "employee_id": preferred}
        return _book_page(salon, customer, typed, {}, status=200)
    form = BookingForm(_for_customer(request.form, customer), salon=salon)
    try:
        appointment = book_appointment(salon, form.parse())
    except FieldErrors as refused:
        return _book_page(salon, customer, form.typed(), refused.errors, status=422)
    local, language = to_local(appointment.scheduled_at, salon.timezone), current_language()
    when = f"{formats.day(local, 'day_month', language)}, {formats.time_of_day(local, language)}"
    flash(_("Booked %(service)s for %(name)s on %(when)s.", service=appointment.service_name, name=customer.full_name,
            when=when), "success")
    return htmx.redirect_to(_card(salon, customer))


def _book_page(salon, customer, typed, errors, *, status):
    return htmx.render("customer_detail/book.html", "booking_form", target="booking-form", status=status, salon=salon,
                       customer=customer, form=typed, errors=errors, staff=salon_staff(salon),
                       service_names=menu_names(salon))


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/sell", methods=["GET", "POST"])
@salon_view()
def sell(salon, customer_id):
    """The sale form with this customer chosen; a posted sale returns to the card (errors: 422 beside the fields)."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    if request.method != "POST":
        return _sell_page(salon, customer, SaleForm.fresh(customer), (), {}, status=200)
    form = SaleForm(_for_customer(request.form, customer), salon=salon)
    try:
        sale = post_sale(salon, user=current_user, **form.parse())
    except FieldErrors as refused:
        typed = form.typed()
        if "idempotency_key" in refused.errors:  # sending the form again then posts it as a new sale, on purpose
            typed["idempotency_key"] = uuid.uuid4().hex
        return _sell_page(salon, customer, typed, form.rows(), refused.errors, status=422)
    flash(_("Sale of %(amount)s recorded for %(name)s.", amount=formats.money(sale.total, salon.currency, current_language()),
            name=customer.full_name), "success")
    return htmx.redirect_to(_card(salon, customer))


def _sell_page(salon, customer, typed, rows, errors, *, status):
    return htmx.render("customer_detail/sell.html", "sale_form", target="sale-form", status=status, salon=salon,
                       customer=customer, form=typed, errors=errors, item_rows=item_rows(rows),
                       appointments=linkable_appointments(salon, customer=customer),
                       payment_options=payment_choices(salon), service_names=menu_names(salon), labels=LABELS)
