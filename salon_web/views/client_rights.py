"""A client's rights on the card: download their data, forget them (owners and admins)."""
import json

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user

from salon_web import htmx
from salon_web.models import SalonCustomer
from salon_web.security import client_ip
from salon_web.services import client_rights
from salon_web.services.field_errors import FieldErrors
from salon_web.tenancy import MANAGERS, salon_view
from salon_web.web_forms.client_rights import ForgetForm

bp = Blueprint("client_rights", __name__)


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/data.json")
@salon_view(*MANAGERS)
def download(salon, customer_id):
    """A JSON file of everything the salon holds about this client (audited)."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    data = client_rights.client_data(salon, customer)
    if request.method == "GET":  # HEAD never writes, not even the audit row (tests/test_safe_methods.py)
        client_rights.record_data_export(salon, customer, user=current_user.id, ip=client_ip(request))
    response = current_app.response_class(json.dumps(data, ensure_ascii=False, indent=2),
                                          mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="client-{customer.id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/forget", methods=["GET", "POST"])
@salon_view(*MANAGERS)
def forget(salon, customer_id):
    """The confirm step, then erase the client's personal data and go back to the (anonymised) card."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    if request.method != "POST":
        return _confirm_page(salon, customer, status=200)
    form = ForgetForm(request.form)
    try:
        client_rights.forget_client(salon, customer, confirmed=form.confirmed, user=current_user.id,
                                    ip=client_ip(request))
    except FieldErrors as refused:
        return _confirm_page(salon, customer, errors=refused.errors)
    return htmx.redirect_to(url_for("customer_detail.show", salon_id=salon.id, customer_id=customer.id))


def _confirm_page(salon, customer, *, status=422, errors=None):
    return htmx.render("client_rights/forget.html", "forget_form", target="forget-client", status=status,
                       salon=salon, customer=customer, errors=errors or {})
