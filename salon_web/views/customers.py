"""The customer list."""
from flask import Blueprint, request

from salon_web import htmx
from salon_web.services.customer_list import PER_PAGE, customer_page
from salon_web.tenancy import salon_view

bp = Blueprint("customers", __name__)


@bp.route("/salons/<int:salon_id>/customers")
@salon_view()
def customer_list(salon):
    """The salon's customers, a page at a time; htmx gets only the results."""
    q = request.args.get("q", "").strip()[:100]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    customers, total = customer_page(salon, q=q, page=page)
    return htmx.render(
        "customers/list.html", "results", target="results",
        salon=salon, customers=customers, total=total, q=q, page=page, per_page=PER_PAGE,
    )
