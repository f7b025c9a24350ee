"""Posting and voiding sales; each write records its visit through the hook in the same transaction."""
import datetime
from dataclasses import dataclass

from peewee import JOIN, Case, IntegrityError

from salon_web import one_trip
from salon_web.db import db, is_postgres
from salon_web.models import Appointment, Sale, SaleItem, SalonCustomer, utcnow
from salon_web.models.appointments import CANCELLED, COMPLETED as APPOINTMENT_COMPLETED, NO_SHOW
from salon_web.models.base import rows_by_id_query
from salon_web.models.sales import COMPLETED, VOIDED
from salon_web.services import audit, visits
from salon_web.services.analytics_cache import ledger_changed
from salon_web.services.field_errors import FieldErrors
from salon_web.services.front_desk import check_payment_method
from salon_web.services.service_menu import menu_service_id
from salon_web.services.clock import local_day_bounds
from salon_web.services.text import fold
from salon_web.texts import _l

MAX_ITEMS = 50
MAX_QUANTITY = 1000
MAX_DESCRIPTION = 200
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)  # clocks of tills and phones differ a little
PER_PAGE = 25


@dataclass(frozen=True)
class SaleLine:
    """One line of a sale, as the till's form and the API both hand it over (unit price in minor units)."""

    description: str
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class SaleFilter:
    """Which sales the list shows: the salon's local days from..to, one customer, one page."""

    day_from: datetime.date | None = None
    day_to: datetime.date | None = None
    customer: SalonCustomer | None = None
    page: int = 1

    def bounds(self, salon):
        """Return (start, end) in UTC of the filter's local days; None where it is open."""
        start = local_day_bounds(self.day_from, salon.timezone)[0] if self.day_from else None
        end = local_day_bounds(self.day_to, salon.timezone)[1] if self.day_to else None
        return start, end


def validate_lines(lines):
    """Return (clean SaleLines, error message or None): the one place the rules for a sale's lines live."""
    clean = []
    for line in lines:
        # Scripts (demo data, benchmarks) hand over plain (description, quantity, unit price) tuples.
        description, quantity, unit_price = (line.description, line.quantity, line.unit_price) \
            if isinstance(line, SaleLine) else line
        description = " ".join((description or "").split())
        if not description:
            return clean, _l("Each line needs a description.")
        if len(description) > MAX_DESCRIPTION:
            return clean, _l("Keep each description under %(count)s characters.", count=MAX_DESCRIPTION)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            return clean, _l("Quantities are whole numbers from 1 to %(count)s.", count=MAX_QUANTITY)
        if isinstance(unit_price, bool) or not isinstance(unit_price, int) or unit_price < 0:
            return clean, _l("Unit prices are zero or more.")
        clean.append(SaleLine(description, quantity, unit_price))
    if not clean:
        return clean, _l("Add at least one line.")
    if len(clean) > MAX_ITEMS:
        return clean, _l("A sale has at most %(count)s lines.", count=MAX_ITEMS)
    return clean, None


def post_sale(salon, *, customer, items, sold_at=None, appointment=None, idempotency_key=None, user=None, now=None,
              payment_method=None):
    """Record a completed sale and its visit; return it. A repeated idempotency_key returns the first sale unchanged.

    `items` are SaleLines; `payment_method` one of the salon's codes (None: its first, see services/front_desk.py).
    A sale linked to an appointment belongs to that appointment's visit and
    completes the appointment if it was not yet.
    The key is the salon's (the form's and the API's Idempotency-Key share it), so it only replays the
    same user's same sale; reused by another user or for another sale it is refused.
    Raises FieldErrors.
    """
    now = now or utcnow()
    items, items_error = validate_lines(items)
    errors = {"items": items_error} if items_error else {}
    if appointment is not None:
        if appointment.salon_id != salon.id:
            errors["appointment"] = _l("Choose an appointment of this salon.")
        elif customer is None:
            customer = SalonCustomer.get_in_salon(salon, appointment.customer_id)
        elif customer.id != appointment.customer_id:
            errors["appointment"] = _l("That appointment is for another customer.")
    if customer is not None and customer.salon_id != salon.id:
        errors["customer"] = _l("Choose a customer of this salon.")
    if sold_at is not None and sold_at > now + FUTURE_TOLERANCE:
        errors["sold_at"] = "A sale cannot be dated in the future."
    idempotency_key = (idempotency_key or "").strip() or None
    if idempotency_key and len(idempotency_key) > 64:
        errors["idempotency_key"] = _l("The form key is too long; reload the page.")
    try:
        payment_method = check_payment_method(salon, payment_method)
    except FieldErrors as refused:
        errors.update(refused.errors)
    if errors:
        raise FieldErrors(errors)

    fields = dict(
        salon=salon.id, customer=customer.id if customer else None, appointment=appointment.id if appointment else None,
        total=sum(line.quantity * line.unit_price for line in items), status=COMPLETED,
        sold_at=min(sold_at or now, now), idempotency_key=idempotency_key, created_by=user.id if user else None,
        created_at=now, payment_method=payment_method,
    )
    # A line naming an active service of the menu links to it, inside the INSERT: no statement added to the hook.
    line_keys = [fold(line.description) for line in items]
    with db.atomic():
        sale = _write_sale(salon, customer, appointment, fields, items, line_keys, now)
        # A back-dated sale, even a walk-in's, changes settled sales figures. After the customer's row: the lock
        # order of services/visits.py (customers, then the salon's ledger_epoch row).
        ledger_changed(salon.id, fields["sold_at"])
    return sale


def _write_sale(salon, customer, appointment, fields, items, line_keys, now):
    """post_sale's writes, in its transaction: the sale, its lines, its visit (and its appointment's)."""
    if appointment is None and is_postgres():  # the common till sale: one statement with its visit
        sale_id = visits.insert_sale_with_visit(fields, items, line_keys)
        return Sale(id=sale_id, **fields) if sale_id else _existing(fields, items)
    if appointment is not None:
        # Serialise with every other writer of this customer's figures before reading the appointment.
        visits.lock_customer(salon.id, customer.id)
        appointment = Appointment.get_in_salon(salon, appointment.id)
        if appointment.status in (CANCELLED, NO_SHOW):
            existing = _existing(fields, items)
            if existing:
                return existing
            raise FieldErrors({"appointment": _l("That appointment was cancelled or missed; post the sale without it.")})
    sale_id = _insert_sale(fields)
    if sale_id is None:
        return _existing(fields, items)
    SaleItem.insert_many([{"salon": salon.id, "sale": sale_id, "description": line.description,
                           "quantity": line.quantity, "unit_price": line.unit_price,
                           "service": menu_service_id(salon.id, key)}
                          for line, key in zip(items, line_keys)]).execute()
    sale = Sale(id=sale_id, **fields)
    if appointment is None:
        visits.record_new_sale(sale)
        return sale
    if appointment.status != APPOINTMENT_COMPLETED:  # paying for it means it happened
        Appointment.update(status=APPOINTMENT_COMPLETED, completed_at=now, status_updated_at=now).where(
            (Appointment.salon == salon) & (Appointment.id == appointment.id)).execute()
        appointment.status, appointment.completed_at, appointment.status_updated_at = APPOINTMENT_COMPLETED, now, now
    visits.sync_appointment(appointment)  # the customer is locked above
    return sale


def _insert_sale(fields):
    """Insert the sale row; return its id, or None when its idempotency key was used already."""
    if fields["idempotency_key"] is None:
        return Sale.insert(fields).execute()
    if is_postgres():
        # A concurrent twin waits for the first transaction, then does nothing.
        return Sale.insert(fields).on_conflict_ignore().execute()
    try:
        with db.atomic():
            return Sale.insert(fields).execute()
    except IntegrityError:
        return None


MAX_REASON = 500
KEY_USED = _l("This form was already used for another sale (see the list below). Send it again to post it as a new sale.")


def _existing(fields, items):
    """Return the sale first posted with this key, or None; FieldErrors when the key belongs to another sale.

    A replay must never hand one user's sale to another, nor drop a different sale in silence.
    """
    if fields["idempotency_key"] is None:
        return None
    first = Sale.in_salon(fields["salon"]).where(Sale.idempotency_key == fields["idempotency_key"]).first()
    if first is None:
        return None
    lines = [SaleLine(item.description, item.quantity, item.unit_price)
             for item in items_by_sale(fields["salon"], [first.id]).get(first.id, [])]
    same = (first.created_by_id, first.customer_id, first.appointment_id, lines) == (
        fields["created_by"], fields["customer"], fields["appointment"], list(items))
    if not same:
        raise FieldErrors({"idempotency_key": KEY_USED})
    return first


def void_sale(sale, *, reason, user=None, now=None):
    """Void a sale (it is never deleted) and reverse its part of the visit; return the sale.

    Voiding a voided sale changes nothing. Raises FieldErrors when no reason is given.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise FieldErrors({"reason": _l("Say why the sale is voided.")})
    if len(reason) > MAX_REASON:
        raise FieldErrors({"reason": _l("Keep the reason under %(count)s characters.", count=MAX_REASON)})
    now = now or utcnow()
    with db.atomic():
        if sale.customer_id is not None:
            visits.lock_customer(sale.salon_id, sale.customer_id)
        changed = (Sale.update(status=VOIDED, voided_at=now, voided_by=user.id if user else None, void_reason=reason)
                   .where((Sale.salon == sale.salon_id) & (Sale.id == sale.id) & (Sale.status == COMPLETED))
                   .execute())
        sale = Sale.get_in_salon(sale.salon_id, sale.id)
        if changed:
            visits.sync_sale(sale)
            audit.record("sale.voided", salon=sale.salon_id, user=user.id if user else None, object_type="sale",
                         object_id=sale.id, detail={"reason": reason, "total": sale.total})
            # Voiding an old sale changes settled sales figures; after the customer's row (visits.py's lock order).
            ledger_changed(sale.salon_id, sale.sold_at)
    return sale


def sale_page(salon, sale_filter=SaleFilter(), per_page=PER_PAGE):
    """Return (sales with customer and `items`, total count) for one page of the salon's sales, newest first."""
    query = (Sale.select(Sale, SalonCustomer)
             .join(SalonCustomer, join_type=JOIN.LEFT_OUTER, on=(Sale.customer == SalonCustomer.id))
             .where(Sale.salon == salon))
    if sale_filter.customer is not None:
        query = query.where(Sale.customer == sale_filter.customer)
    if sale_filter.day_from:
        query = query.where(Sale.sold_at >= local_day_bounds(sale_filter.day_from, salon.timezone)[0])
    if sale_filter.day_to:
        query = query.where(Sale.sold_at < local_day_bounds(sale_filter.day_to, salon.timezone)[1])
    total = query.count()
    sales = list(query.order_by(Sale.sold_at.desc(), Sale.id.desc()).paginate(sale_filter.page, per_page))
    items = items_by_sale(salon, [sale.id for sale in sales])
    for sale in sales:
        sale.items = items.get(sale.id, [])  # in place of the backref's query, as prefetch does
    return sales, total


def items_by_sale(salon, sale_ids):
    """Return {sale id: its SaleItems in the order typed} for these sales of the salon, in one query."""
    return one_trip.fetch_one(items_by_sale_query(salon, sale_ids))


def items_by_sale_query(salon, sale_ids):
    """The Query of `items_by_sale`, to run in one trip with others (the card's timeline)."""
    return rows_by_id_query(SaleItem, getattr(salon, "id", salon), list(sale_ids), column="sale_id").then(_by_sale)


def _by_sale(items):
    grouped = {}
    for item in items:
        grouped.setdefault(item.sale_id, []).append(item)
    return grouped


def customer_options(salon, q, limit=8):
    """Return up to `limit` customers matching a name or phone fragment, most recent visitors first."""
    query = SalonCustomer.in_salon(salon).where(SalonCustomer.forgotten_at.is_null())
    q = (q or "").strip()
    digits = "".join(ch for ch in q if ch.isdigit())
    if q:
        condition = SalonCustomer.name_search.contains(fold(q))
        if len(digits) >= 3:
            condition |= SalonCustomer.phone_e164.contains(digits)
        query = query.where(condition)
    never = Case(None, [(SalonCustomer.last_visit_at.is_null(), 1)], 0)
    return list(query.order_by(never, SalonCustomer.last_visit_at.desc(), SalonCustomer.id.desc()).limit(limit))


def picker_options(salon, q, selected_id=None):
    """Return the customer picker's options for what was typed, the chosen customer first when not among them."""
    options = customer_options(salon, q)
    if selected_id is not None and all(option.id != selected_id for option in options):
        selected = SalonCustomer.in_salon(salon).where(SalonCustomer.id == selected_id).first()
        if selected is not None:
            options.insert(0, selected)
    return options
