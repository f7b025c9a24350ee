"""Entering a salon: the home redirect, the salon list and the switcher."""
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from salon_web.services.salons import default_salon_id, enter_salon, salons_for
from salon_web.tenancy import deny

bp = Blueprint("salons", __name__)


@bp.route("/")
@login_required
def home():
    """Redirect to the current salon's customer list (or to /salons without one)."""
    salon_id = session.get("salon_id")
    if not salon_id or enter_salon(current_user, salon_id) is None:
        salon_id = default_salon_id(current_user)
    if salon_id is None:
        return redirect(url_for("salons.salon_list"))
    return redirect(url_for("customers.customer_list", salon_id=salon_id))


@bp.route("/salons")
@login_required
def salon_list():
    """List the salons this user may enter; admins can search them all."""
    search = request.args.get("q", "").strip()[:100]
    salons = list(salons_for(current_user, search=search).limit(200))
    return render_template("salons/list.html", salons=salons, search=search)


@bp.route("/salons/<int:salon_id>/switch", methods=["POST"])
@login_required
def switch(salon_id):
    """Make another salon the current one and open its customer list."""
    if enter_salon(current_user, salon_id) is None:
        deny(404, reason="not a member", salon_ref=salon_id)
    session["salon_id"] = salon_id
    return redirect(url_for("customers.customer_list", salon_id=salon_id), code=303)
