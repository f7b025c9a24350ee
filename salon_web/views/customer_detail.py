"""The customer card: new-customer form, widgets that save in place, tags and the timeline."""
import collections
import dataclasses
from collections.abc import Mapping

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from salon_web import htmx, one_trip
from salon_web.models import SalonCustomer
from salon_web.models.base import NotInSalon
from salon_web.models.communications import PURPOSES, STATUSES
from salon_web.security import client_ip
from salon_web.services import customer_edit, follow_ups, front_desk, timeline
from salon_web.services.clock import local_today
from salon_web.services.customer_create import DuplicateCustomer, check_contact, create_customer
from salon_web.services.customer_edit import EditConflict
from salon_web.services.field_errors import FieldErrors
from salon_web.services.salons import salon_staff_query
from salon_web.tenancy import salon_view
from salon_web.views.communications import LABELS, form_state
from salon_web.web_forms.customer_card import WIDGET_FORMS, NewCustomerForm, TagForm, checked

bp = Blueprint("customer_detail", __name__)

TEMPLATE = "customer_detail/show.html"
WIDGET_PATHS = 'contact, notes, preferences, "follow-up", communication'
CARD_WIDGETS = ("tags", "contact", "notes", "preferences", "follow_up", "communication")
CustomerKey = collections.namedtuple("CustomerKey", "salon_id id")  # what the timeline's query needs of a customer
NO_POSITIONS = one_trip.Query(None, (), ())  # a card drawn without its timeline


@dataclasses.dataclass(frozen=True)
class WidgetState:
    """One widget of the card as its block draws it."""

    widget: str
    version: int  # the customer's version the widget's form carries (after a conflict: the newer one)
    form: Mapping | None = None  # what was typed, shown again after a refusal or a conflict
    errors: dict = dataclasses.field(default_factory=dict)
    conflict: tuple | None = None  # (name, time) of whoever saved in between
    saved: bool = False

    @property
    def notice(self):
        """Whether the widget has something to say above its form: saved, refused or in conflict."""
        return self.saved or bool(self.errors) or self.conflict is not None


@bp.route("/salons/<int:salon_id>/customers/new", methods=["GET", "POST"])
@salon_view()
def new(salon):
    """The new-customer form; a possible duplicate in this salon links to the existing card."""
    if request.method != "POST":  # HEAD too: only a POST may create (HEAD skips the CSRF check)
        return _new_form(salon, status=200)
    form, today = NewCustomerForm(request.form), local_today(salon.timezone)
    try:
        values = checked(form, lambda contact: check_contact(salon, contact, today=today))
        customer = create_customer(salon, values, user=current_user.id, ip=client_ip(request),
                                   allow_shared_email=form.allow_shared_email)
    except DuplicateCustomer as duplicate:
        return _new_form(salon, values=request.form, duplicates=duplicate.matches, can_override=duplicate.can_override)
    except FieldErrors as refused:
        return _new_form(salon, values=request.form, errors=refused.errors)
    return htmx.redirect_to(url_for(".show", salon_id=salon.id, customer_id=customer.id))


def _new_form(salon, *, status=422, values=None, errors=None, duplicates=(), can_override=False):
    return htmx.render("customer_detail/new.html", "new_form", target="new-customer", status=status, salon=salon,
                       values=values or {}, errors=errors or {}, duplicates=duplicates, can_override=can_override)


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>")
@salon_view()
def show(salon, customer_id):
    """The customer card: header with figures, allergy alert, widgets and the timeline."""
    *looked_up, found = _card_lookups(salon, customer_id, front_desk.card_customer_query(salon, customer_id))
    if found is None:
        raise NotInSalon(SalonCustomer, customer_id)
    customer, reliability = found
    return htmx.render(TEMPLATE, "card", target="customer-card",
                       **card_context(salon, customer, reliability=reliability, looked_up=looked_up))


@bp.route(f"/salons/<int:salon_id>/customers/<int:customer_id>/<any({WIDGET_PATHS}):widget>",
          methods=["POST", "PATCH"])
@salon_view()
def update(salon, customer_id, widget):
    """Save one widget; htmx gets the widget back (422 with messages, 409 with the other version)."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    widget, today = widget.replace("-", "_"), local_today(salon.timezone)
    form = WIDGET_FORMS[widget](request.form)
    try:
        changes = checked(form, lambda value: customer_edit.widget_changes(salon, customer, widget, value, today=today))
        customer = customer_edit.save_widget(customer, widget, changes, form.seen(), user=current_user.id,
                                             ip=client_ip(request))
    except FieldErrors as refused:
        state = WidgetState(widget, customer.version, form=request.form, errors=refused.errors)
        return widget_response(salon, customer, state, 422)
    except EditConflict as conflict:
        theirs = conflict.current
        state = WidgetState(widget, theirs.version, form=request.form, conflict=customer_edit.last_editor(theirs))
        return widget_response(salon, theirs, state, 409)
    return _saved(salon, customer, widget)


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/tags", methods=["POST"])
@salon_view()
def add_tag(salon, customer_id):
    """Attach a tag (created if new); htmx gets the tags widget back."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    try:
        customer_edit.add_customer_tag(salon, customer, TagForm(request.form).tag.data, user=current_user.id,
                                       ip=client_ip(request))
    except FieldErrors as refused:
        state = WidgetState("tags", customer.version, form=request.form, errors=refused.errors)
        return widget_response(salon, customer, state, 422)
    return _saved(salon, customer, "tags")


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/tags", methods=["DELETE"])
@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/tags/remove", methods=["POST"], endpoint="remove_tag_form")
@salon_view()
def remove_tag(salon, customer_id):
    """Detach a tag (DELETE for htmx, POST .../tags/remove for plain forms)."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    customer_edit.remove_customer_tag(salon, customer, TagForm(request.form).tag.data, user=current_user.id,
                                      ip=client_ip(request))
    return _saved(salon, customer, "tags")


def _saved(salon, customer, widget):
    """After a save: the widget and the header (out of band) for htmx, else back to the card's widget."""
    if not htmx.is_fragment_request():
        return htmx.redirect_to(url_for(".show", salon_id=salon.id, customer_id=customer.id) + f"#widget-{widget}")
    return widget_response(salon, customer, WidgetState(widget, customer.version, saved=True), 200)


def widget_response(salon, customer, state, status):
    """The widget's block (after a save with the header out of band and a timeline refresh), or the whole card."""
    if not htmx.is_fragment_request():
        return htmx.render(TEMPLATE, "card", status=status, **card_context(salon, customer, state))
    context = card_context(salon, customer, state, with_timeline=False)
    if state.saved:
        return htmx.render_fragment(TEMPLATE, state.widget, out_of_band=["header"], triggers=["timeline-changed"],
                                    **context)
    return htmx.render_fragment(TEMPLATE, state.widget, status=status, **context)


@bp.route("/salons/<int:salon_id>/customers/<int:customer_id>/timeline", endpoint="timeline")
@salon_view()
def timeline_view(salon, customer_id):
    """The timeline: the whole list, or with `before` the next slice for "load more"."""
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    kind = request.args.get("kind", "")
    if kind not in timeline.FILTERS:
        abort(400, _("Unknown kind of event: choose sales, appointments, messages or edits."))
    try:
        events, next_cursor = timeline.timeline_page(customer, kind=kind, cursor=request.args.get("before"))
    except timeline.BadCursor as error:
        abort(400, str(error))
    context = dict(salon=salon, customer=customer, events=events, next_cursor=next_cursor, kind=kind, labels=LABELS)
    if request.args.get("before") and htmx.is_fragment_request():
        return htmx.render_partial("customer_detail/_timeline_rows.html", **context)
    return htmx.render("customer_detail/timeline.html", "timeline", target="timeline", **context)


def _card_lookups(salon, customer_id, *more, with_timeline=True):
    """The card's tags and suggestions, the salon's staff, the timeline's first positions and the results of
    `more` queries: one round trip."""
    positions = timeline.positions_query(CustomerKey(salon.id, customer_id)) if with_timeline else NO_POSITIONS
    return one_trip.fetch(customer_edit.card_tags_query(salon.id, customer_id), salon_staff_query(salon),
                          positions, *more)


def card_context(salon, customer, state=None, *, with_timeline=True, reliability=None, looked_up=None):
    """Everything the card template needs; `state` is the widget just saved, refused or in conflict.

    `reliability` is the customer's, when it was read with the customer (front_desk.card_customer_query);
    `looked_up` what `_card_lookups` gave, when it ran with the customer's own look-up.
    """
    widgets = {name: WidgetState(name, customer.version) for name in CARD_WIDGETS}
    if state is not None:
        widgets[state.widget] = state
    (tags, suggestions), staff, found = looked_up or _card_lookups(salon, customer.id, with_timeline=with_timeline)
    staff_names = {u.id: u.name for u in staff}
    events, next_cursor = timeline.events_page(customer, found, known_names=staff_names) if with_timeline else ([], None)
    return dict(
        salon=salon, customer=customer, widgets=widgets, tags=tags,
        suggestions=suggestions,
        staff=staff, staff_names=staff_names,
        figures=customer_edit.header_figures(customer), extras=customer_edit.extra_preferences(customer),
        basis=lambda widget: customer_edit.widget_basis(customer, widget),
        quick_choices=follow_ups.QUICK_CHOICES, weekdays=customer_edit.WEEKDAYS,
        events=events, next_cursor=next_cursor, kind="", today=local_today(salon.timezone), oob=False,
        comm=form_state(customer), purposes=PURPOSES, statuses=STATUSES,
        reliability=reliability or front_desk.reliability(salon, customer), labels=LABELS,
    )
