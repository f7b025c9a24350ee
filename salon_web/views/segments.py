"""Saved segments: named filters of the customer list."""
from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from salon_web import htmx
from salon_web.models import SavedSegment
from salon_web.services.field_errors import FieldErrors
from salon_web.services.segments import delete_segment, rename_segment, save_segment, segments_for
from salon_web.tenancy import MANAGERS, salon_view
from salon_web.web_forms.customer_list import segment_filter

bp = Blueprint("segments", __name__)


@bp.route("/salons/<int:salon_id>/segments")
@salon_view()
def segment_list(salon):
    """The salon's saved segments, each a link to the filtered customer list."""
    return render_template("segments/list.html", salon=salon, segments=segments_for(salon), errors={})


@bp.route("/salons/<int:salon_id>/segments", methods=["POST"])
@salon_view(*MANAGERS)
def create(salon):
    """Save the current filter (`query`) under `name`; back to the filtered list."""
    customer_filter, refused = segment_filter(request.form.get("query", ""), salon)
    try:
        segment = save_segment(salon, request.form.get("name"), customer_filter, current_user.id, refused=refused)
    except FieldErrors as error:
        return _page_with_errors(salon, error.errors)
    flash(_("Segment “%(segment)s” saved.", segment=segment.name), "success")
    return htmx.redirect_to(url_for("customers.customer_list", salon_id=salon.id) + "?" + segment.query)


@bp.route("/salons/<int:salon_id>/segments/<int:segment_id>/rename", methods=["POST"])
@salon_view(*MANAGERS)
def rename(salon, segment_id):
    """Rename a segment."""
    segment = SavedSegment.get_in_salon(salon, segment_id)
    try:
        rename_segment(segment, request.form.get("name"))
    except FieldErrors as error:
        return _page_with_errors(salon, error.errors, segment_id=segment.id)
    flash(_("Segment renamed to “%(segment)s”.", segment=segment.name), "success")
    return htmx.redirect_to(url_for("segments.segment_list", salon_id=salon.id))


@bp.route("/salons/<int:salon_id>/segments/<int:segment_id>/delete", methods=["POST"])
@salon_view(*MANAGERS)
def delete(salon, segment_id):
    """Delete a segment."""
    segment = SavedSegment.get_in_salon(salon, segment_id)
    delete_segment(segment)
    flash(_("Segment “%(segment)s” deleted.", segment=segment.name), "success")
    return htmx.redirect_to(url_for("segments.segment_list", salon_id=salon.id))


def _page_with_errors(salon, errors, segment_id=None):
    """The segments page with the form's errors beside its fields (422)."""
    context = {"salon": salon, "segments": segments_for(salon), "errors": errors, "failed_segment": segment_id,
               "form": request.form}
    return render_template("segments/list.html", **context), 422
