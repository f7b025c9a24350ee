"""The owners' service menu page (issue 15): list, add and edit the services the front desk books and sells."""
from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _

from salon_web import htmx
from salon_web.models import Service
from salon_web.services.field_errors import FieldErrors
from salon_web.services.service_menu import menu, save_service
from salon_web.tenancy import MANAGERS, salon_view
from salon_web.web_forms.front_desk import parse_service

bp = Blueprint("service_menu", __name__)
NEW = {"duration_minutes": "60", "active": "yes"}


@bp.route("/salons/<int:salon_id>/services", methods=["GET", "POST"])
@salon_view(*MANAGERS)
def service_list(salon):
    """The salon's menu with a form to add a service; a refused one comes back beside its fields (422)."""
    if request.method != "POST":
        return _list(salon, NEW, {}, status=200)
    try:
        service = save_service(salon, **parse_service(request.form, salon.currency))
    except FieldErrors as refused:
        return _list(salon, request.form, refused.errors, status=422)
    flash(_("%(service)s added to the menu.", service=service.name), "success")
    return htmx.redirect_to(url_for(".service_list", salon_id=salon.id))


def _list(salon, typed, errors, *, status):
    return htmx.render("service_menu/list.html", "service_form", target="service-form", status=status, salon=salon,
                       services=menu(salon), form=typed, errors=errors, service=None)


@bp.route("/salons/<int:salon_id>/services/<int:service_id>", methods=["GET", "POST"])
@salon_view(*MANAGERS)
def service_edit(salon, service_id):
    """Edit one service (name, category, duration, price, on the menu or not); back to the menu when saved."""
    service = Service.get_in_salon(salon, service_id)
    if request.method != "POST":
        typed = {"name": service.name, "category": service.category, "duration_minutes": str(service.duration_minutes),
                 "price": service.price, "active": "yes" if service.active else ""}
        return _edit(salon, service, typed, {}, status=200)
    try:
        service = save_service(salon, service=service, **parse_service(request.form, salon.currency))
    except FieldErrors as refused:
        return _edit(salon, service, request.form, refused.errors, status=422)
    flash(_("%(service)s saved.", service=service.name), "success")
    return htmx.redirect_to(url_for(".service_list", salon_id=salon.id))


def _edit(salon, service, typed, errors, *, status):
    return htmx.render("service_menu/edit.html", "service_form", target="service-form", status=status, salon=salon,
                       service=service, form=typed, errors=errors)
