"""A customer's messages and calls: the history, recording one, moving its status forward."""
from flask import Blueprint, request, url_for
from flask_login import current_user

from salon_web import htmx
from salon_web.i18n import Pattern
from salon_web.models import SalonCustomer, get_in
from salon_web.models.communications import PURPOSES, STATUSES
from salon_web.security import client_ip
from salon_web.services import communications, customer_edit, timeline
from salon_web.services.field_errors import FieldErrors
from salon_web.services.paging import BadCursor
from salon_web.tenancy import salon_view
from salon_web.web_forms.customer_card import MessageForm, checked

bp = Blueprint("communications", __name__)

TEMPLATE = "communications/history.html"
HISTORY_LIMIT = 25
# Labels of stored values for the card, the timeline and the history (the values themselves stay as stored).
LABELS = dict(
    channels=communications.CHANNEL_LABELS, event_channels=communications.EVENT_CHANNEL_LABELS,
    purposes=communications.PURPOSE_LABELS, statuses=communications.STATUS_LABELS,
    status_titles=communications.STATUS_TITLES, marks=communications.MARK_LABELS,
    filters=timeline.FILTER_LABELS, appointment_statuses=timeline.APPOINTMENT_STATUS_LABELS,
    appointment_status_titles=timeline.APPOINTMENT_STATUS_TITLES, widgets=timeline.WIDGET_LABELS,
    fields=timeline.FIELD_LABELS, field_list=timeline.field_list, channel_list=communications.channel_list,
    weekdays=customer_edit.WEEKDAY_LABELS, preferences=customer_edit.PREFERENCE_LABELS,
    day_list=lambda days: ", ".join(str(customer_edit.WEEKDAY_LABELS.get(day, day)) for day in days or ()),
    timeline_words=timeline.ROW_WORDS,
    # A table's labels in the request's language, for a template that shows them on every row: translated once
    # (a lazy label is translated anew each time it is shown). Markup, as a translation is, whose `% {...}` fills
    # in escaped values the way gettext does (Markup's own `%` cost ~5 µs a row: i18n.fill).
    translated=lambda lazy_labels: {key: Pattern(str(label)) for key, label in lazy_labels.items()},
)


def form_state(customer, values=None, errors=None, problem=None, saved=False):
    """The record form's values: the channel's recipient pre-filled from the customer's phone or email."""
    values = dict(values or {})
    values.setdefault("type", "sms")
    values.setdefault("purpose", "follow_up")
    values.setdefault("status", "sent")
    values.setdefault("direction", "outbound")
    if not values.get("recipient"):
        values["recipient"] = communications.default_recipient(customer, values["type"])
    return {"values": values, "errors": errors or {}, "problem": problem, "saved": saved}


def page_context(salon, customer, comm, cursor=None):
    """Everything the history page (or the card's record form) needs: one keyset page of the history."""
    rows, next_cursor = communications.history_page(customer, cursor, per_page=HISTORY_LIMIT)
    return dict(salon=salon, customer=customer, comm=comm, purposes=PURPOSES, statuses=STATUSES,
                next_statuses=communications.NEXT_STATUSES, communications=rows, next_cursor=next_cursor,
                cursor=cursor, labels=LABELS)


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/communications")
@salon_view()
def history(salon, customer_id):
    """The history and the record form; htmx asks for the form alone when the channel changes."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    if htmx.is_fragment_request("communication-form"):
        values = MessageForm(request.args).shown()
        values["recipient"] = ""  # the new channel's own recipient is filled in
        if values["type"] not in communications.CHANNEL_LABELS:
            values["type"] = "sms"
        return htmx.render_fragment(TEMPLATE, "comm_form",
                                    **page_context(salon, customer, form_state(customer, values)))
    try:
        context = page_context(salon, customer, form_state(customer), request.args.get("cursor") or None)
    except BadCursor as bad:
        context = page_context(salon, customer, form_state(customer, problem=str(bad)))
        return htmx.render(TEMPLATE, "history", target="communication-history", status=422, **context)
    return htmx.render(TEMPLATE, "history", target="communication-history", **context)


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/communications", methods=["POST"])
@salon_view()
def record(salon, customer_id):
    """Record a message or call; refused with 422 when consent or the channel forbids it."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    form = MessageForm(request.form)
    try:
        values = checked(form, lambda new: communications.check_message(salon, customer, new))
        communications.record_communication(salon, customer, values, user=current_user.id, ip=client_ip(request))
    except communications.ConsentRefused as refusal:
        comm = form_state(customer, form.shown(), problem=refusal.message)
    except FieldErrors as refused:
        comm = form_state(customer, form.shown(), errors=refused.errors)
    else:
        if not htmx.is_fragment_request():
            return htmx.redirect_to(url_for(".history", salon_id=salon.id, customer_id=customer.id))
        return htmx.render_fragment(TEMPLATE, "comm_form", triggers=["timeline-changed", "communications-changed"],
                                  **page_context(salon, customer, form_state(customer, saved=True)))
    return htmx.render(TEMPLATE, "comm_form", target="communication-form", status=422,
                       **page_context(salon, customer, comm))


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/communications/<int:communication_id>/status",
          methods=["POST"])
@salon_view()
def status(salon, customer_id, communication_id):
    """Move a message's status forward (pending → sent → delivered or failed); 422 otherwise."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    communication = get_in(communications.of_customer(customer), communication_id)
    row_error, code = None, 200
    try:
        communication = communications.change_status(salon, communication, request.form.get("status", ""),
                                                     user=current_user.id, ip=client_ip(request))
    except communications.StatusRefused as refusal:
        row_error, code = refusal.message, 422
    if htmx.is_fragment_request(f"communication-{communication.id}"):
        return htmx.render_fragment(TEMPLATE, "row", status=code,
                                  **_row_context(salon, customer, communication, row_error))
    if code == 200:
        return htmx.redirect_to(url_for(".history", salon_id=salon.id, customer_id=customer.id))
    context = page_context(salon, customer, form_state(customer, problem=row_error))
    return htmx.render(TEMPLATE, "history", status=code, **context)


def _row_context(salon, customer, communication, row_error=None):
    return dict(salon=salon, customer=customer, communication=communication, row_error=row_error,
                next_statuses=communications.NEXT_STATUSES, comm=form_state(customer),
                purposes=PURPOSES, statuses=STATUSES, communications=[], labels=LABELS)
