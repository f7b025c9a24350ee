"""Possible duplicates, the side-by-side merge and its undo (owners and admins)."""
from flask import Blueprint, abort, request, url_for
from flask_login import current_user

from salon_web import htmx
from salon_web.ids import parse_id
from salon_web.models import SalonCustomer
from salon_web.security import client_ip
from salon_web.services import duplicates, merges
from salon_web.services.field_errors import FieldErrors
from salon_web.tenancy import MANAGERS, salon_view
from salon_web.web_forms.client_rights import MergeForm

bp = Blueprint("merges", __name__)


@bp.route("/salons/<int:salon_id>/customers/duplicates")
@salon_view(*MANAGERS)
def duplicates_page(salon):
    """The salon's candidate pairs, best first, and its recent merges with their undo buttons."""
    return _duplicates(salon)


def _duplicates(salon, *, status=200, problem=None):
    pairs = duplicates.candidate_pairs(salon)
    ids = {i for pair in pairs for i in (pair.first_id, pair.second_id)}
    cards = {c.id: c for c in SalonCustomer.in_salon(salon).where(SalonCustomer.id.in_(list(ids)))} if ids else {}
    return htmx.render("merges/duplicates.html", "merges", target="merges", status=status, salon=salon,
                       pairs=pairs, cards=cards, merges=merges.merges_of(salon), problem=problem,
                       undo_until=merges.can_undo_until, undoable=merges.undoable, shown=request.args.get("merged", type=int))


@bp.route("/salons/<int:salon_id>/customers/duplicates/compare")
@salon_view(*MANAGERS)
def compare(salon):
    """Two cards side by side: which one survives and whose value wins each field."""
    first, second = parse_id(request.args.get("first")), parse_id(request.args.get("second"))
    if first is None or second is None or first == second:
        abort(404)
    return _compare(salon, SalonCustomer.get_in_salon(salon, first), SalonCustomer.get_in_salon(salon, second))


def _compare(salon, first, second, *, status=200, errors=None, chosen=None):
    return htmx.render("merges/compare.html", "compare", target="compare", status=status, salon=salon,
                       first=first, second=second, errors=errors or {}, choices=merges.CHOICES,
                       chosen=chosen or {name: first.id if side == merges.SURVIVOR else second.id for name, side
                                         in merges.default_choices(first, second).items()},
                       notes=merges.joined_notes(first.notes, second.notes))


@bp.route("/salons/<int:salon_id>/customers/merge", methods=["POST"])
@salon_view(*MANAGERS)
def merge(salon):
    """Merge the chosen card into the survivor; back to the duplicates page, which offers the undo."""
    form = MergeForm(request.form)
    merged_id, survivor_id, choices = form.value(request.form)
    if merged_id is None or survivor_id is None:
        abort(404)
    try:
        result = merges.merge_cards(salon, merged_id, survivor_id, choices, user=current_user.id,
                                    ip=client_ip(request))
    except (FieldErrors, merges.MergeRefused) as refused:
        first, second = (SalonCustomer.get_in_salon(salon, i) for i in (survivor_id, merged_id))
        errors = refused.errors if isinstance(refused, FieldErrors) else {"merge": refused.message}
        return _compare(salon, first, second, status=422 if isinstance(refused, FieldErrors) else 409,
                        errors=errors)
    return htmx.redirect_to(url_for(".duplicates_page", salon_id=salon.id, merged=result.merge.id))


@bp.route("/salons/<int:salon_id>/merges/<int:merge_id>/undo", methods=["POST"])
@salon_view(*MANAGERS)
def undo(salon, merge_id):
    """Undo a merge: both cards and every moved row as they were; 409 with the reason when it cannot be."""
    try:
        merges.undo_merge(salon, merge_id, user=current_user.id, ip=client_ip(request))
    except merges.MergeRefused as refused:
        return _duplicates(salon, status=409, problem=refused.message)
    return htmx.redirect_to(url_for(".duplicates_page", salon_id=salon.id))
