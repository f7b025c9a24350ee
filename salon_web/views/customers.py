"""The customer list: search, filters, sorting, keyset paging, bulk tagging and the CSV export."""
from flask import Blueprint, Response, flash, request, url_for
from flask_login import current_user

from salon_web import htmx
from salon_web.db import db
from salon_web.security import client_ip
from salon_web.services import bulk_tags, export
from salon_web.services.customer_query import SORT_LABELS, CustomerFilter, customer_page, salon_tags
from salon_web.services.segments import segments_for
from salon_web.tenancy import MANAGERS, salon_view

bp = Blueprint("customers", __name__)


@bp.route("/salons/<int:salon_id>/customers")
@salon_view()
def customer_list(salon):
    """The salon's customers, a page at a time; htmx gets only the results block."""
    customer_filter, errors = CustomerFilter.from_args(request.args, salon)
    return _render_list(salon, customer_filter, errors)


@bp.route("/salons/<int:salon_id>/customers/export")
@salon_view(*MANAGERS)
def export_csv(salon):
    """Stream the customers matching the current filter as a CSV file (audited)."""
    customer_filter, errors = CustomerFilter.from_args(request.args, salon)
    if errors:
        return _render_list(salon, customer_filter, errors)
    rows = export.stream_csv(customer_filter, salon, user=current_user.id, ip=client_ip(request))
    response = Response(_own_connection(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{export.file_name(salon)}"'
    return response


@bp.route("/salons/<int:salon_id>/customers/bulk-tags", methods=["POST"])
@salon_view(*MANAGERS)
def bulk_tag(salon):
    """Add or remove a tag on the selected customers, or on all matching the filter; back to the list."""
    customer_filter, errors = CustomerFilter.from_args(request.form, salon)
    change, change_errors = bulk_tags.BulkTagChange.from_form(request.form)
    if errors or change_errors:  # the list comes back with the messages, nothing typed is lost
        return _render_list(salon, customer_filter, errors, form_errors=change_errors)
    list_url = url_for("customers.customer_list", salon_id=salon.id) + _query(customer_filter.query_string())
    count = bulk_tags.apply(change, customer_filter, salon, user=current_user.id, ip=client_ip(request))
    verb = "added to" if change.action == "add" else "removed from"
    flash(f"Tag “{change.tag}” {verb} {count:,} customer{'' if count == 1 else 's'}.", "success")
    return htmx.redirect_to(list_url)


def _render_list(salon, customer_filter, filter_errors, form_errors=None):
    """The list page (or its results block for htmx); 422 with the messages when anything is wrong.

    Results are shown unless the filter itself is invalid.
    """
    page = None if filter_errors else customer_page(customer_filter, salon)
    return htmx.render(
        "customers/list.html", "results", target="results", status=422 if filter_errors or form_errors else 200,
        salon=salon, filter=customer_filter, errors=filter_errors, bulk_errors=form_errors or {}, result=page,
        all_tags=salon_tags(salon), segments=segments_for(salon), sort_labels=SORT_LABELS,
        oob_errors=htmx.wants_fragment("results"),
    )


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


def _query(query_string):
    return f"?{query_string}" if query_string else ""
