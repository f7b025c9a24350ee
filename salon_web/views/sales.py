"""Sales: the list, posting a sale (customer search, line items, idempotency key) and voiding."""
import uuid

from flask import Blueprint, flash, g, request, url_for
from flask_login import current_user

from salon_web import htmx
from salon_web.ids import parse_id
from salon_web.models import Appointment, Sale, SalonCustomer
from salon_web.services import clock
from salon_web.services.appointments import linkable_appointments
from salon_web.services.clock import local_day_bounds
from salon_web.services.money import InvalidAmount, format_money, parse_money
from salon_web.services.sales import PER_PAGE, SaleInvalid, customer_options, post_sale, sale_page, void_sale
from salon_web.tenancy import MANAGERS, get_in_salon_or_404, salon_view

bp = Blueprint("sales", __name__)

ITEM_ROWS = 5
MAX_PAGE = 100_000
DATE_MESSAGE = f"Use a date like 2026-03-31, between the years {clock.EARLIEST_DATE.year} and {clock.LATEST_DATE.year}."


def parse_local_datetime(text, salon):
    """Return naive UTC for a datetime-local value typed in the salon's zone; None if empty; ValueError if bad."""
    return clock.parse_local_datetime(text, salon.timezone)


def parse_local_date(text):
    """Return a date from YYYY-MM-DD, None if empty; raise ValueError if malformed or out of range."""
    return clock.parse_date(text)


def parse_page(text):
    """Return the page number asked for (1 when none), or None when it is not one we can show."""
    text = (text or "").strip()
    if not text:
        return 1
    # An OFFSET beyond bigint is a database error: bound the number before it reaches SQL.
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_PAGE)) or not 1 <= int(text) <= MAX_PAGE:
        return None
    return int(text)


def find_customer(salon, value):
    """Return the salon's customer with this id (form value), or None."""
    customer_id = parse_id(value)
    if customer_id is None:
        return None
    return SalonCustomer.get_or_none((SalonCustomer.id == customer_id) & (SalonCustomer.salon == salon))


def _list_context(salon, *, form=None, errors=None):
    """Everything the sales page shows: filters, results, the form."""
    filter_errors = {}
    args = request.args
    try:
        day_from = parse_local_date(args.get("from"))
    except ValueError:
        day_from, filter_errors["from"] = None, DATE_MESSAGE
    try:
        day_to = parse_local_date(args.get("to"))
    except ValueError:
        day_to, filter_errors["to"] = None, DATE_MESSAGE
    customer = find_customer(salon, args.get("customer")) if args.get("customer") else None
    if args.get("customer") and customer is None:
        filter_errors["customer"] = "That customer does not exist in this salon."
    page = parse_page(args.get("page"))
    if page is None:
        page, filter_errors["page"] = 1, f"Page is a whole number between 1 and {MAX_PAGE:,}."
    bounds = (
        local_day_bounds(day_from, salon.timezone)[0] if day_from else None,
        local_day_bounds(day_to, salon.timezone)[1] if day_to else None,
    )
    sales, total = sale_page(salon, customer=customer, bounds=bounds, page=page)
    form = form or {"idempotency_key": uuid.uuid4().hex, "customer_id": str(customer.id) if customer else ""}
    selected = find_customer(salon, form.get("customer_id"))
    options = customer_options(salon, form.get("customer_q", ""))
    if selected and selected not in options:
        options.insert(0, selected)
    return dict(
        salon=salon, sales=sales, total=total, page=page, per_page=PER_PAGE, customer=customer,
        filters={"from": args.get("from", ""), "to": args.get("to", ""), "customer": customer.id if customer else None},
        filter_args={"customer": customer.id if customer else None, "from": args.get("from") or None,
                     "to": args.get("to") or None},
        filter_errors=filter_errors, form=form, errors=errors or {}, options=options, item_rows=_item_rows(form),
        appointments=linkable_appointments(salon), can_void=g.role in MANAGERS,
    )


def _item_rows(form):
    """Return the item rows to show: what was typed, padded to ITEM_ROWS empty rows."""
    rows = list(zip(form.get("item_description", []), form.get("item_quantity", []), form.get("item_price", [])))
    rows += [("", "1", "")] * max(ITEM_ROWS - len(rows), 0)
    return rows


@bp.route("/salons/<int:salon_id>/sales")
@salon_view()
def sale_list(salon):
    """The salon's sales, newest first, with the form to post one; htmx gets only the results (422 on bad filters)."""
    context = _list_context(salon)
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


def _parse_sale_form(salon):
    """Return (fields for post_sale, errors, raw form) from the posted form."""
    raw = {
        "customer_id": request.form.get("customer_id", ""),
        "customer_q": request.form.get("customer_q", "")[:100],
        "appointment_id": request.form.get("appointment_id", ""),
        "sold_at": request.form.get("sold_at", ""),
        "idempotency_key": request.form.get("idempotency_key", "")[:64],
        "item_description": request.form.getlist("item_description")[:50],
        "item_quantity": request.form.getlist("item_quantity")[:50],
        "item_price": request.form.getlist("item_price")[:50],
    }
    errors = {}
    customer = find_customer(salon, raw["customer_id"])
    if customer is None:
        errors["customer"] = "Choose the customer (type a name or phone digits)."
    appointment = None
    if raw["appointment_id"]:
        appointment_id = parse_id(raw["appointment_id"])
        if appointment_id:
            appointment = Appointment.get_or_none((Appointment.id == appointment_id) & (Appointment.salon == salon))
        if appointment is None:
            errors["appointment"] = "Choose an appointment from the list."
    try:
        sold_at = parse_local_datetime(raw["sold_at"], salon)
    except ValueError:
        sold_at, errors["sold_at"] = None, (f"Enter a date and time between the years {clock.EARLIEST_DATE.year} and "
                                            f"{clock.LATEST_DATE.year}, or leave it empty for now.")
    items = []
    for description, quantity, price in zip(raw["item_description"], raw["item_quantity"], raw["item_price"]):
        if not description.strip() and not price.strip():
            continue  # an unused row
        try:
            items.append((description, int(quantity or "1"), parse_money(price, salon.currency)))
        except ValueError as error:
            errors["items"] = str(error) if isinstance(error, InvalidAmount) else "Quantities are whole numbers."
    if not items and "items" not in errors:
        errors["items"] = "Add at least one line: a description and its price."
    fields = dict(customer=customer, appointment=appointment, sold_at=sold_at, items=items,
                  idempotency_key=raw["idempotency_key"] or None)
    return fields, errors, raw


@bp.route("/salons/<int:salon_id>/sales", methods=["POST"])
@salon_view()
def sale_create(salon):
    """Post a sale; a resubmitted form (same key) returns the first sale. Errors come back beside the fields, 422."""
    fields, errors, raw = _parse_sale_form(salon)
    if not errors:
        try:
            sale = post_sale(salon, user=current_user, **fields)
        except SaleInvalid as error:
            errors = error.errors
            if "idempotency_key" in errors:  # sending the form again then posts it as a new sale, on purpose
                raw["idempotency_key"] = uuid.uuid4().hex
    if errors:
        context = _list_context(salon, form=raw, errors=errors)
        return htmx.render("sales/list.html", "sale_form", target="sale-form", status=422, **context)
    customer = SalonCustomer.get_by_id(sale.customer_id)
    flash(f"Sale of {format_money(sale.total, salon.currency)} recorded for {customer.full_name}: "
          f"{customer.visit_count} visit{'' if customer.visit_count == 1 else 's'}, "
          f"{format_money(customer.total_spent, salon.currency)} spent.", "success")
    return htmx.redirect_to(url_for("sales.sale_list", salon_id=salon.id, customer=customer.id))


@bp.route("/salons/<int:salon_id>/sales/<int:sale_id>/void", methods=["POST"])
@salon_view(*MANAGERS)
def sale_void(salon, sale_id):
    """Void a sale with a reason (owners and admins); its visit is reversed, the sale stays."""
    sale = get_in_salon_or_404(Sale, salon, sale_id)
    back_to = _next_url(salon)  # decided before the write: a bad one must not fail after the void committed
    try:
        void_sale(sale, reason=request.form.get("reason", "")[:600], user=current_user)
    except SaleInvalid as error:
        if htmx.is_htmx():
            return htmx.render("sales/_void_form.html", "void_form", salon=salon, sale=sale,
                               void_error=error.errors["reason"], status=422)
        context = _list_context(salon)
        return htmx.render("sales/list.html", "results", status=422, void_error=(sale.id, error.errors["reason"]),
                           **context)
    flash(f"Sale of {format_money(sale.total, salon.currency)} voided.", "success")
    return htmx.redirect_to(back_to)


def _next_url(salon):
    """The page to return to after voiding: `next_url` if it is this salon's sales list (with its filters), else the list.

    Anything else is ignored: another path, "//", or a character a Location header cannot carry (CR/LF).
    """
    list_url = url_for("sales.sale_list", salon_id=salon.id)
    target = request.form.get("next_url", "")
    rest = target[len(list_url):]
    if (target.startswith(list_url) and rest[:1] in ("", "?") and "//" not in target
            and target.isprintable() and " " not in target):
        return target
    return list_url
