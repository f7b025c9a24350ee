"""Sales: the list, posting a sale (customer search, line items, idempotency key) and voiding."""
import uuid

from flask import Blueprint, flash, g, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from salon_web import htmx
from salon_web.i18n import current_language
from salon_web.ids import parse_id
from salon_web.models import Sale, SalonCustomer
from salon_web.services import formats
from salon_web.services.appointments import LABELS as APPOINTMENT_LABELS, linkable_appointments
from salon_web.services.field_errors import FieldErrors
from salon_web.services.service_menu import menu_names
from salon_web.services.front_desk import PAYMENT_METHODS, payment_choices, payment_split
from salon_web.services.sales import PER_PAGE, customer_options, picker_options, post_sale, sale_page, void_sale
from salon_web.tenancy import MANAGERS, salon_view
from salon_web.web_forms.till import SaleFilterForm, SaleForm, VoidForm, item_rows

bp = Blueprint("sales", __name__)


def _page(salon, *, typed=None, rows=(), errors=None, void_error=None):
    """Everything the sales page shows: the results the query string asks for, and the sale form."""
    filter_form = SaleFilterForm(request.args, salon=salon)
    sale_filter, filter_errors = filter_form.parse()
    sales, total = sale_page(salon, sale_filter)
    filters, filter_args = filter_form.shown(sale_filter.customer)
    typed = typed or SaleForm.fresh(sale_filter.customer)
    return dict(
        salon=salon, sales=sales, total=total, page=sale_filter.page, per_page=PER_PAGE, customer=sale_filter.customer,
        filters=filters, filter_args=filter_args, filter_errors=filter_errors, form=typed, errors=errors or {},
        options=picker_options(salon, typed.get("customer_q", ""), parse_id(typed.get("customer_id"))),
        item_rows=item_rows(rows), appointments=linkable_appointments(salon), can_void=g.role in MANAGERS,
        void_error=void_error, payment_options=payment_choices(salon), payment_labels=PAYMENT_METHODS, service_names=menu_names(salon),
        appointment_labels=APPOINTMENT_LABELS,
        payment_split=payment_split(salon, *sale_filter.bounds(salon), customer=sale_filter.customer),
    )


@bp.route("/salons/<int:salon_id>/sales")
@salon_view()
def sale_list(salon):
    """The salon's sales, newest first, with the form to post one; htmx gets only the results (422 on bad filters)."""
    context = _page(salon)
    return htmx.render("sales/list.html", "results", target="results", status=422 if context["filter_errors"] else 200,
                       filters_in_results=htmx.wants_fragment("results"), **context)


@bp.route("/salons/<int:salon_id>/sales/customers")
@salon_view()
def customer_search(salon):
    """The customer picker's options for what was typed (search as you type)."""
    q = request.args.get("customer_q", "").strip()[:100]
    selected = request.args.get("customer_id", "")
    return htmx.render("sales/_customer_options.html", "options", salon=salon, options=customer_options(salon, q),
                       selected=selected, q=q)


@bp.route("/salons/<int:salon_id>/sales", methods=["POST"])
@salon_view()
def sale_create(salon):
    """Post a sale; a resubmitted form (same key) returns the first sale. Errors come back beside the fields, 422."""
    form = SaleForm(request.form, salon=salon)
    try:
        sale = post_sale(salon, user=current_user, **form.parse())
    except FieldErrors as refused:
        typed = form.typed()
        if "idempotency_key" in refused.errors:  # sending the form again then posts it as a new sale, on purpose
            typed["idempotency_key"] = uuid.uuid4().hex
        context = _page(salon, typed=typed, rows=form.rows(), errors=refused.errors)
        return htmx.render("sales/list.html", "sale_form", target="sale-form", status=422, **context)
    customer = SalonCustomer.get_in_salon(salon, sale.customer_id)
    language = current_language()
    flash(ngettext("Sale of %(amount)s recorded for %(customer)s: %(num)d visit, %(spent)s spent.",
                   "Sale of %(amount)s recorded for %(customer)s: %(num)d visits, %(spent)s spent.",
                   customer.visit_count, amount=formats.money(sale.total, salon.currency, language),
                   customer=customer.full_name, spent=formats.money(customer.total_spent, salon.currency, language)),
          "success")
    return htmx.redirect_to(url_for("sales.sale_list", salon_id=salon.id, customer=customer.id))


@bp.route("/salons/<int:salon_id>/sales/<int:sale_id>/void", methods=["POST"])
@salon_view(*MANAGERS)
def sale_void(salon, sale_id):
    """Void a sale with a reason (owners and admins); its visit is reversed, the sale stays."""
    sale = Sale.get_in_salon(salon, sale_id)
    form = VoidForm(request.form, salon=salon)
    back_to = _next_url(salon, form.next_url.data)  # decided before the write: a bad one must not fail after the void
    try:
        void_sale(sale, reason=form.reason.data, user=current_user)
    except FieldErrors as refused:
        if htmx.is_htmx():
            return htmx.render("sales/_void_form.html", "void_form", salon=salon, sale=sale,
                               void_error=refused.errors["reason"], status=422)
        context = _page(salon, void_error=(sale.id, refused.errors["reason"]))
        return htmx.render("sales/list.html", "results", status=422, **context)
    flash(_("Sale of %(amount)s voided.", amount=formats.money(sale.total, salon.currency, current_language())),
          "success")
    return htmx.redirect_to(back_to)


def _next_url(salon, target):
    """The page to return to after voiding: `target` if it is this salon's sales list (with its filters), else the list.

    Anything else is ignored: another path, "//", or a character a Location header cannot carry (CR/LF).
    """
    list_url = url_for("sales.sale_list", salon_id=salon.id)
    rest = target[len(list_url):]
    if (target.startswith(list_url) and rest[:1] in ("", "?") and "//" not in target
            and target.isprintable() and " " not in target):
        return target
    return list_url
