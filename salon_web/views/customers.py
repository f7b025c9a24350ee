"""The customer list: search, filters, sorting, keyset paging, bulk tagging and the CSV export."""
from flask import Blueprint, Response, flash, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from salon_web import htmx
from salon_web.db import db
from salon_web.i18n import current_language
from salon_web.security import client_ip
from salon_web.services import bulk_tags, export, formats
from salon_web.services.customer_filter import SORT_LABELS
from salon_web.services.customer_page import customer_page, exact_count, exact_count_label
from salon_web.services.list_choices import ListChoices, list_choices
from salon_web.tenancy import MANAGERS, salon_view
from salon_web.web_forms.customer_list import bulk_tag_change, list_filter

bp = Blueprint("customers", __name__)


@bp.route("/salons/<int:salon_id>/customers")
@salon_view()
def customer_list(salon):
    """The salon's customers, a page at a time; htmx gets only the results block."""
    customer_filter, errors = list_filter(request.args, salon)
    return _render_list(salon, customer_filter, errors)


@bp.route("/salons/<int:salon_id>/customers/count")
@salon_view()
def result_count(salon):
    """The exact number of customers matching the filter, as the list's count line (fetched after the page)."""
    customer_filter, errors = list_filter(request.args, salon)
    if errors:
        return htmx.render_fragment("customers/list.html", "result_count", status=422,
                                    count="The customers could not be counted: the filters are not valid.")
    return htmx.render_fragment("customers/list.html", "result_count",
                                count=exact_count_label(exact_count(customer_filter, salon), current_language()))


@bp.route("/salons/<int:salon_id>/customers/export")
@salon_view(*MANAGERS)
def export_csv(salon):
    """Stream the customers matching the current filter as a CSV file (audited)."""
    customer_filter, errors = list_filter(request.args, salon)
    if errors:
        return _render_list(salon, customer_filter, errors)
    rows = export.stream_csv(customer_filter, salon, user=current_user.id, ip=client_ip(request),
                             language=current_language())
    return csv_response(rows, export.file_name(salon))


@bp.route("/salons/<int:salon_id>/customers/bulk-tags", methods=["POST"])
@salon_view(*MANAGERS)
def bulk_tag(salon):
    """Add or remove a tag on the selected customers, or on all matching the filter; back to the list."""
    customer_filter, errors = list_filter(request.form, salon)
    change, change_errors = bulk_tag_change(request.form)
    if errors or change_errors:  # the list comes back with the messages, nothing typed is lost
        return _render_list(salon, customer_filter, errors, form_errors=change_errors)
    count = bulk_tags.apply(change, customer_filter, salon, user=current_user.id, ip=client_ip(request))
    number = formats.number(count, current_language())
    if change.action == "add":
        message = ngettext("Tag “%(tag)s” added to %(count)s customer.", "Tag “%(tag)s” added to %(count)s customers.",
                           count, tag=change.tag, count=number)
    else:
        message = ngettext("Tag “%(tag)s” removed from %(count)s customer.",
                           "Tag “%(tag)s” removed from %(count)s customers.", count, tag=change.tag, count=number)
    flash(message, "success")
    query = customer_filter.query_string()
    return htmx.redirect_to(url_for("customers.customer_list", salon_id=salon.id) + (f"?{query}" if query else ""))


def _render_list(salon, customer_filter, filter_errors, form_errors=None):
    """The list page (or its results block for htmx); 422 with the messages when anything is wrong.

    Results are shown unless the filter itself is invalid. The results block alone needs none of the choices
    (tag names, services, segments: the bulk form's tag suggestions stay on the page around it), so a search
    reads only its rows. Choices and rows are separate statements: sent as one (one_trip), PostgreSQL took longer
    to plan the combination than the round trip it saved, and the choices' statement is prepared on its own.
    """
    page = None if filter_errors else customer_page(customer_filter, salon)
    fragment = htmx.wants_fragment("results")
    choices = ListChoices([], [], []) if fragment else list_choices(salon)
    return htmx.render(
        "customers/list.html", "results", target="results", status=422 if filter_errors or form_errors else 200,
        salon=salon, filter=customer_filter, errors=filter_errors, bulk_errors=form_errors or {}, result=page,
        all_tags=choices.tags, service_options=choices.services, segments=choices.segments,
        sort_labels=SORT_LABELS, oob_errors=fragment,
    )


def csv_response(chunks, file_name):
    """A streamed CSV download of `chunks` (run on its own connection)."""
    response = Response(_own_connection(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def _own_connection(chunks):
    """Run a streamed body on its own connection: the request's is closed before the body is sent."""
    opened = db.is_closed()
    if opened:
        db.connect()
    try:
        yield from chunks
    finally:
        if opened:
            db.close()
