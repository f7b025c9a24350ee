"""The Today page: appointments, birthdays, anniversaries, follow-ups and customers overdue by their rhythm."""
from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from salon_web import htmx
from salon_web.models import SalonCustomer
from salon_web.security import client_ip
from salon_web.services import follow_ups, reminders
from salon_web.services.appointments import LABELS
from salon_web.services.clock import local_today
from salon_web.tenancy import salon_view

bp = Blueprint("today", __name__)


@bp.route("/salons/<int:salon_id>/today")
@salon_view()
def today(salon):
    """Everything staff should act on today in this salon."""
    page = reminders.today_page(salon)
    return render_template("today/today.html", salon=salon, page=page, labels=LABELS)


@bp.route("/salons/<int:salon_id>/today/follow-ups/<int:customer_id>/done", methods=["POST"])
@salon_view()
def follow_up_done(salon, customer_id):
    """Mark a customer's follow-up done; htmx gets the row's new state."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    changed = follow_ups.complete_follow_up(customer, user=current_user.id, ip=client_ip(request))
    return _follow_up_result(salon, customer, "done" if changed else "gone")


@bp.route("/salons/<int:salon_id>/today/follow-ups/<int:customer_id>/snooze", methods=["POST"])
@salon_view()
def follow_up_snooze(salon, customer_id):
    """Move a customer's follow-up a week ahead; htmx gets the row's new state."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    today_local = local_today(salon.timezone)
    changed = follow_ups.snooze_follow_up(customer, today_local, user=current_user.id, ip=client_ip(request))
    return _follow_up_result(salon, customer, "snoozed" if changed else "gone")


def _follow_up_result(salon, customer, outcome):
    """The updated row for htmx, else back to the Today page."""
    if htmx.wants_fragment():
        return htmx.render(
            "today/today.html", "follow_up_outcome", salon=salon, customer=customer, outcome=outcome,
        )
    return htmx.redirect_to(url_for("today.today", salon_id=salon.id) + "#follow-ups")
