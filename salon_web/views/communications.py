"""A customer's messages and calls: the history, recording one, moving its status forward."""
import json

from flask import Blueprint, abort, make_response, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block

from salon_web import htmx
from salon_web.models import CustomerCommunication, SalonCustomer
from salon_web.models.communications import PURPOSES, STATUSES
from salon_web.security import client_ip
from salon_web.services import communications
from salon_web.tenancy import get_in_salon_or_404, salon_view

bp = Blueprint("communications", __name__)

TEMPLATE = "communications/history.html"
HISTORY_LIMIT = 100


def form_state(customer, values=None, errors=None, problem=None, saved=False):
    """The record form's values: the channel's recipient pre-filled from the customer's phone or email."""
    values = dict(values or {})
    values.setdefault("type", "sms")
    values.setdefault("purpose", "follow_up")
    values.setdefault("status", "sent")
    if not values.get("recipient"):
        values["recipient"] = communications.default_recipient(customer, values["type"])
    return {"values": values, "errors": errors or {}, "problem": problem, "saved": saved}


def page_context(salon, customer, comm):
    """Everything the history page (or the card's record form) needs."""
    return dict(salon=salon, customer=customer, comm=comm, purposes=PURPOSES, statuses=STATUSES,
                next_statuses=communications.NEXT_STATUSES,
                communications=communications.communication_history(customer, limit=HISTORY_LIMIT))


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/communications")
@salon_view()
def history(salon, customer_id):
    """The history and the record form; htmx asks for the form alone when the channel changes."""
    customer = get_in_salon_or_404(SalonCustomer, salon, customer_id)
    if htmx.wants_fragment("communication-form"):
        values = {k: request.args.get(k, "") for k in ("type", "purpose", "status", "subject", "message")}
        if values["type"] not in communications.CHANNEL_LABELS:
            values["type"] = "sms"
        context = page_context(salon, customer, form_state(customer, values))
        return render_block(TEMPLATE, "comm_form", **context)
    context = page_context(salon, customer, form_state(customer))
    return htmx.render(TEMPLATE, "history", target="communication-history", **context)


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/communications", methods=["POST"])
@salon_view()
def record(salon, customer_id):
    """Record a message or call; refused with 422 when consent or the channel forbids it."""
    customer = get_in_salon_or_404(SalonCustomer, salon, customer_id)
    submitted = {k: request.form.get(k, "") for k in ("type", "purpose", "status", "subject", "message", "recipient")}
    try:
        communications.record_communication(salon, customer, request.form, user=current_user.id, ip=client_ip(request))
    except communications.InvalidCommunication as invalid:
        comm = form_state(customer, submitted, errors=invalid.errors)
    except communications.ConsentRefused as refusal:
        comm = form_state(customer, submitted, problem=str(refusal))
    else:
        if not htmx.wants_fragment():
            return htmx.redirect_to(url_for(".history", salon_id=salon.id, customer_id=customer.id))
        response = make_response(render_block(TEMPLATE, "comm_form",
                                              **page_context(salon, customer, form_state(customer, saved=True))))
        response.headers["HX-Trigger"] = json.dumps({"timeline-changed": {}, "communications-changed": {}})
        return response
    return htmx.render(TEMPLATE, "comm_form", target="communication-form", status=422,
                       **page_context(salon, customer, comm))


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/communications/<int:communication_id>/status",
          methods=["POST"])
@salon_view()
def status(salon, customer_id, communication_id):
    """Move a message's status forward (pending → sent → delivered or failed); 422 otherwise."""
    customer = get_in_salon_or_404(SalonCustomer, salon, customer_id)
    communication = get_in_salon_or_404(CustomerCommunication, salon, communication_id)
    if communication.customer_id != customer.id:
        abort(404)
    row_error, code = None, 200
    try:
        communication = communications.change_status(salon, communication, request.form.get("status", ""),
                                                     user=current_user.id, ip=client_ip(request))
    except communications.StatusRefused as refusal:
        row_error, code = str(refusal), 422
    if htmx.wants_fragment(f"communication-{communication.id}"):
        return htmx.render(TEMPLATE, "row", target=f"communication-{communication.id}", status=code,
                           **_row_context(salon, customer, communication, row_error))
    if code == 200:
        return htmx.redirect_to(url_for(".history", salon_id=salon.id, customer_id=customer.id))
    context = page_context(salon, customer, form_state(customer, problem=row_error))
    return htmx.render(TEMPLATE, "history", status=code, **context)


def _row_context(salon, customer, communication, row_error=None):
    return dict(salon=salon, customer=customer, communication=communication, row_error=row_error,
                next_statuses=communications.NEXT_STATUSES, comm=form_state(customer),
                purposes=PURPOSES, statuses=STATUSES, communications=[])
