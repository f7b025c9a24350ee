"""The customer card: new-customer form, widgets that save in place, tags and the timeline."""
from flask import Blueprint, abort, make_response, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block

from salon_web import htmx
from salon_web.models import SalonCustomer
from salon_web.models.communications import PURPOSES, STATUSES
from salon_web.security import client_ip
from salon_web.services import customer_edit, follow_ups, timeline
from salon_web.services.clock import local_today
from salon_web.services.customer_create import DuplicateCustomer, create_customer, parse_contact
from salon_web.services.customer_edit import EditConflict, InvalidEdit
from salon_web.services.salons import salon_staff
from salon_web.tenancy import get_in_salon_or_404, salon_view
from salon_web.views.communications import form_state

bp = Blueprint("customer_detail", __name__)

TEMPLATE = "customer_detail/show.html"
WIDGET_PATHS = 'contact, notes, preferences, "follow-up", communication'


@bp.route("/salons/<int:salon_id>/customers/new", methods=["GET", "POST"])
@salon_view()
def new(salon):
    """The new-customer form; a possible duplicate in this salon links to the existing card."""
    if request.method != "POST":  # HEAD too: only a POST may create (HEAD skips the CSRF check)
        return htmx.render("customer_detail/new.html", "new_form", target="new-customer",
                           salon=salon, values={}, errors={}, duplicates=[], can_override=False)
    values, errors = parse_contact(salon, request.form, today=local_today(salon.timezone))
    duplicates, can_override = [], False
    if not errors:
        try:
            customer = create_customer(salon, values, user=current_user.id, ip=client_ip(request),
                                       allow_shared_email=request.form.get("create_anyway") == "yes")
        except DuplicateCustomer as duplicate:
            duplicates, can_override = duplicate.matches, duplicate.can_override
        else:
            return htmx.redirect_to(url_for(".show", salon_id=salon.id, customer_id=customer.id))
    return htmx.render("customer_detail/new.html", "new_form", target="new-customer", status=422,
                       salon=salon, values=request.form, errors=errors, duplicates=duplicates,
                       can_override=can_override)


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>")
@salon_view()
def show(salon, customer_id):
    """The customer card: header with figures, allergy alert, widgets and the timeline."""
    customer = get_in_salon_or_404(SalonCustomer, salon, customer_id)
    return htmx.render(TEMPLATE, "card", target="customer-card", **card_context(salon, customer))


@bp.route(f"/salons/<int:salon_id>/customers/<int:customer_id>/<any({WIDGET_PATHS}):widget>",
          methods=["POST", "PATCH"])
@salon_view()
def update(salon, customer_id, widget):
    """Save one widget; htmx gets the widget back (422 with messages, 409 with the other version)."""
    customer = get_in_salon_or_404(SalonCustomer, salon, customer_id)
    widget = widget.replace("-", "_")
    today, ip = local_today(salon.timezone), client_ip(request)
    edit = {"widget": widget, "errors": {}, "form": request.form, "conflict": None, "saved": False}
    status = 200
    try:
        if widget == "follow_up":
            customer = follow_ups.update_follow_up(customer, request.form, today=today, user=current_user.id, ip=ip)
        else:
            customer = customer_edit.update_widget(salon, customer, widget, request.form, today=today,
                                                   user=current_user.id, ip=ip)
    except InvalidEdit as invalid:
        edit["errors"], status = invalid.errors, 422
    except EditConflict as conflict:
        customer, status = conflict.current, 409
        edit["conflict"] = customer_edit.last_editor(customer)
    else:
        if not htmx.wants_fragment():
            return htmx.redirect_to(url_for(".show", salon_id=salon.id, customer_id=customer.id) + f"#widget-{widget}")
        edit = {"widget": widget, "errors": {}, "form": None, "conflict": None, "saved": True}
    return widget_response(salon, customer, widget, edit, status)


def widget_response(salon, customer, widget, edit, status):
    """The widget block (plus the header, out of band, after a save) or the whole card page."""
    context = card_context(salon, customer, edit=edit, with_timeline=not htmx.wants_fragment())
    if not htmx.wants_fragment():
        return htmx.render(TEMPLATE, "card", status=status, **context)
    body = render_block(TEMPLATE, widget, **context)
    if edit["saved"]:
        body += render_block(TEMPLATE, "header", **{**context, "oob": True})
    response = make_response(body, status)
    if edit["saved"]:
        htmx.trigger(response, "timeline-changed")
    return response


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/tags", methods=["POST"])
@salon_view()
def add_tag(salon, customer_id):
    """Attach a tag (created if new); htmx gets the tags widget back."""
    customer = get_in_salon_or_404(SalonCustomer, salon, customer_id)
    edit = {"widget": "tags", "errors": {}, "form": None, "conflict": None, "saved": False}
    try:
        customer_edit.add_customer_tag(salon, customer, request.form.get("tag"), user=current_user.id,
                                       ip=client_ip(request))
    except InvalidEdit as invalid:
        edit.update(errors=invalid.errors, form=request.form)
        return widget_response(salon, customer, "tags", edit, 422)
    return _tags_saved(salon, customer, edit)


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/tags", methods=["DELETE"])
@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/tags/remove", methods=["POST"], endpoint="remove_tag_form")
@salon_view()
def remove_tag(salon, customer_id):
    """Detach a tag (DELETE for htmx, POST .../tags/remove for plain forms)."""
    customer = get_in_salon_or_404(SalonCustomer, salon, customer_id)
    customer_edit.remove_customer_tag(salon, customer, request.form.get("tag"), user=current_user.id,
                                      ip=client_ip(request))
    return _tags_saved(salon, customer, {"widget": "tags", "errors": {}, "form": None, "conflict": None,
                                         "saved": False})


def _tags_saved(salon, customer, edit):
    if not htmx.wants_fragment():
        return htmx.redirect_to(url_for(".show", salon_id=salon.id, customer_id=customer.id) + "#widget-tags")
    edit["saved"] = True
    return widget_response(salon, customer, "tags", edit, 200)


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/timeline", endpoint="timeline")
@salon_view()
def timeline_view(salon, customer_id):
    """The timeline: the whole list, or with `before` the next slice for "load more"."""
    customer = get_in_salon_or_404(SalonCustomer, salon, customer_id)
    kind = request.args.get("kind", "")
    if kind not in timeline.FILTERS:
        abort(400, "Unknown kind of event: choose sales, appointments, messages or edits.")
    try:
        events, next_cursor = timeline.timeline_page(customer, kind=kind, cursor=request.args.get("before"))
    except timeline.BadCursor as error:
        abort(400, str(error))
    context = dict(salon=salon, customer=customer, events=events, next_cursor=next_cursor, kind=kind)
    if request.args.get("before") and htmx.wants_fragment():
        return htmx.render("customer_detail/timeline.html", "timeline_rows", **context)
    return htmx.render("customer_detail/timeline.html", "timeline", target="timeline", **context)


def card_context(salon, customer, *, edit=None, with_timeline=True):
    """Everything the card template needs."""
    tags = customer_edit.customer_tags(customer)
    events, next_cursor = timeline.timeline_page(customer) if with_timeline else ([], None)
    staff = salon_staff(salon)
    return dict(
        salon=salon, customer=customer, edit=edit or {}, tags=tags,
        suggestions=customer_edit.tag_suggestions(salon, exclude=[t.name for t in tags]),
        staff=staff, staff_names={u.id: u.name for u in staff},
        figures=customer_edit.header_figures(customer), extras=customer_edit.extra_preferences(customer),
        basis=lambda widget: customer_edit.widget_basis(customer, widget),
        quick_choices=follow_ups.QUICK_CHOICES, weekdays=customer_edit.WEEKDAYS,
        events=events, next_cursor=next_cursor, kind="", today=local_today(salon.timezone), oob=False,
        comm=form_state(customer), purposes=PURPOSES, statuses=STATUSES,
    )
