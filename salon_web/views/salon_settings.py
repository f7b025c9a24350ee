"""The owners' front-desk settings page (issue 15): which payment methods the till offers, when a card warns."""
from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _

from salon_web import htmx
from salon_web.services.field_errors import FieldErrors
from salon_web.services.front_desk import LATE_CANCEL_HOURS, PAYMENT_METHODS, payment_methods, update_settings
from salon_web.tenancy import MANAGERS, salon_view
from salon_web.web_forms.front_desk import parse_settings

bp = Blueprint("salon_settings", __name__)


@bp.route("/salons/<int:salon_id>/settings", methods=["GET", "POST"])
@salon_view(*MANAGERS)
def front_desk(salon):
    """Show or save the salon's payment methods and no-show warning; refused values come back with a 422."""
    if request.method != "POST":
        return _page(salon, chosen=payment_methods(salon), warning=salon.no_show_warning, errors={}, status=200)
    try:
        update_settings(salon, **parse_settings(request.form))
    except FieldErrors as refused:
        return _page(salon, chosen=request.form.getlist("payment_methods"),
                     warning=request.form.get("no_show_warning", ""), errors=refused.errors, status=422)
    flash(_("Settings saved."), "success")
    return htmx.redirect_to(url_for(".front_desk", salon_id=salon.id))


def _page(salon, *, chosen, warning, errors, status):
    return htmx.render("salon_settings/front_desk.html", "settings_form", target="settings-form", status=status,
                       salon=salon, methods=PAYMENT_METHODS, chosen=chosen, warning=warning, errors=errors,
                       late_hours=LATE_CANCEL_HOURS)
