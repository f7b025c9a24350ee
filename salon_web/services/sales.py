"""Posting and voiding sales; each write records its visit through the hook in the same transaction."""
import datetime

from peewee import JOIN, Case, IntegrityError, prefetch

from salon_web.db import db, is_postgres
from salon_web.models import Appointment, Sale, SaleItem, SalonCustomer, utcnow
from salon_web.models.appointments import CANCELLED, COMPLETED as APPOINTMENT_COMPLETED, NO_SHOW
from salon_web.models.sales import COMPLETED, VOIDED
from salon_web.services import audit, visits
from salon_web.services.text import fold

MAX_ITEMS = 50
MAX_QUANTITY = 1000
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)  # clocks of tills and phones differ a little
PER_PAGE = 25


class SaleInvalid(ValueError):
    """Sale data that cannot be accepted; `errors` is a dict keyed by form field."""

    def __init__(self, errors):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def validate_items(items):
    """Return (clean items, error message or None) for (description, quantity, unit_price) tuples."""
    clean = []
    for description, quantity, unit_price in items:
        description = " ".join((description or "").split())
        if not description:
            return clean, "Each line needs a description."
        if len(description) > 200:
            return clean, "Keep each description under 200 characters."
        if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            return clean, f"Quantities are whole numbers from 1 to {MAX_QUANTITY}."
        if not isinstance(unit_price, int) or unit_price < 0:
            return clean, "Unit prices are zero or more."
        clean.append((description, quantity, unit_price))
    if not clean:
        return clean, "Add at least one line."
    if len(clean) > MAX_ITEMS:
        return clean, f"A sale has at most {MAX_ITEMS} lines."
    return clean, None


def post_sale(salon, *, customer, items, sold_at=None, appointment=None, idempotency_key=None, user=None, now=None):
    """Record a completed sale and its visit; return it. A repeated idempotency_key returns the first sale unchanged.

    `items` are (description, quantity, unit price in minor units). A sale linked to an appointment
    belongs to that appointment's visit and completes the appointment if it was not yet.
    The key is the salon's (the form's and the API's Idempotency-Key share it), so it only replays the
    same user's same sale; reused by another user or for another sale it is refused.
    Raises SaleInvalid with field errors.
    """
    now = now or utcnow()
    items, items_error = validate_items(items)
    errors = {"items": items_error} if items_error else {}
    if appointment is not None:
        if appointment.salon_id != salon.id:
            errors["appointment"] = "Choose an appointment of this salon."
        elif customer is None:
            customer = SalonCustomer.get_by_id(appointment.customer_id)
        elif customer.id != appointment.customer_id:
            errors["appointment"] = "That appointment is for another customer."
    if customer is not None and customer.salon_id != salon.id:
        errors["customer"] = "Choose a customer of this salon."
    if sold_at is not None and sold_at > now + FUTURE_TOLERANCE:
        errors["sold_at"] = "A sale cannot be dated in the future."
    idempotency_key = (idempotency_key or "").strip() or None
    if idempotency_key and len(idempotency_key) > 64:
        errors["idempotency_key"] = "The form key is too long; reload the page."
    if errors:
        raise SaleInvalid(errors)

    fields = dict(
        salon=salon.id, customer=customer.id if customer else None, appointment=appointment.id if appointment else None,
        total=sum(quantity * unit_price for _, quantity, unit_price in items), status=COMPLETED,
        sold_at=min(sold_at or now, now), idempotency_key=idempotency_key, created_by=user.id if user else None,
        created_at=now,
    )
    with db.atomic():
        if appointment is None and is_postgres():  # the common till sale: one statement with its visit
            sale_id = visits.insert_sale_with_visit(fields, items)
            return Sale(id=sale_id, **fields) if sale_id else _existing(fields, items)
        if appointment is not None:
            # Serialise with every other writer of this customer's figures before reading the appointment.
            visits.lock_customer(customer.id)
            appointment = Appointment.get_by_id(appointment.id)
            if appointment.status in (CANCELLED, NO_SHOW):
                existing = _existing(fields, items)
                if existing:
                    return existing
                raise SaleInvalid({"appointment": "That appointment was cancelled or missed; post the sale without it."})
        sale_id = _insert_sale(fields)
        if sale_id is None:
            return _existing(fields, items)
        SaleItem.insert_many(
            [{"salon": salon.id, "sale": sale_id, "description": d, "quantity": q, "unit_price": p} for d, q, p in items]
        ).execute()
        sale = Sale(id=sale_id, **fields)
        if appointment is None:
            visits.record_new_sale(sale)
            return sale
        if appointment.status != APPOINTMENT_COMPLETED:  # paying for it means it happened
            Appointment.update(status=APPOINTMENT_COMPLETED, completed_at=now, status_updated_at=now).where(
                Appointment.id == appointment.id).execute()
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


KEY_USED = "This form was already used for another sale (see the list below). Send it again to post it as a new sale."


def _existing(fields, items):
    """Return the sale first posted with this key, or None; SaleInvalid when the key belongs to another sale.

    A replay must never hand one user's sale to another, nor drop a different sale in silence.
    """
    if fields["idempotency_key"] is None:
        return None
    first = Sale.get_or_none((Sale.salon == fields["salon"]) & (Sale.idempotency_key == fields["idempotency_key"]))
    if first is None:
        return None
    lines = list(SaleItem.select(SaleItem.description, SaleItem.quantity, SaleItem.unit_price)
                 .where((SaleItem.salon == fields["salon"]) & (SaleItem.sale == first.id))
                 .order_by(SaleItem.id).tuples())
    same = (first.created_by_id, first.customer_id, first.appointment_id, lines) == (
        fields["created_by"], fields["customer"], fields["appointment"], [tuple(item) for item in items])
    if not same:
        raise SaleInvalid({"idempotency_key": KEY_USED})
    return first


def void_sale(sale, *, reason, user=None, now=None):
    """Void a sale (it is never deleted) and reverse its part of the visit; return the sale.

    Voiding a voided sale changes nothing. Raises SaleInvalid when no reason is given.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise SaleInvalid({"reason": "Say why the sale is voided."})
    if len(reason) > 500:
        raise SaleInvalid({"reason": "Keep the reason under 500 characters."})
    now = now or utcnow()
    with db.atomic():
        if sale.customer_id is not None:
            visits.lock_customer(sale.customer_id)
        changed = (Sale.update(status=VOIDED, voided_at=now, voided_by=user.id if user else None, void_reason=reason)
                   .where((Sale.id == sale.id) & (Sale.status == COMPLETED)).execute())
        sale = Sale.get_by_id(sale.id)
        if changed:
            visits.sync_sale(sale)
            audit.record("sale.voided", salon=sale.salon_id, user=user.id if user else None, object_type="sale",
                         object_id=sale.id, detail={"reason": reason, "total": sale.total})
    return sale


def sale_page(salon, *, day_from=None, day_to=None, customer=None, page=1, per_page=PER_PAGE, bounds=None):
    """Return (sales with customer and items, total count) for one page of the salon's sales, newest first.

    `bounds` is the naive-UTC [start, end) of the chosen local dates.
    """
    query = (Sale.select(Sale, SalonCustomer)
             .join(SalonCustomer, join_type=JOIN.LEFT_OUTER, on=(Sale.customer == SalonCustomer.id))
             .where(Sale.salon == salon))
    if customer is not None:
        query = query.where(Sale.customer == customer)
    if bounds:
        start, end = bounds
        if start:
            query = query.where(Sale.sold_at >= start)
        if end:
            query = query.where(Sale.sold_at < end)
    total = query.count()
    rows = query.order_by(Sale.sold_at.desc(), Sale.id.desc()).paginate(page, per_page)
    items = SaleItem.select().order_by(SaleItem.id)
    return prefetch(rows, items), total


def customer_options(salon, q, limit=8):
    """Return up to `limit` customers matching a name or phone fragment, most recent visitors first."""
    query = SalonCustomer.select().where(SalonCustomer.salon == salon)
    q = (q or "").strip()
    digits = "".join(ch for ch in q if ch.isdigit())
    if q:
        condition = SalonCustomer.name_search.contains(fold(q))
        if len(digits) >= 3:
            condition |= SalonCustomer.phone_e164.contains(digits)
        query = query.where(condition)
    never = Case(None, [(SalonCustomer.last_visit_at.is_null(), 1)], 0)
    return list(query.order_by(never, SalonCustomer.last_visit_at.desc(), SalonCustomer.id.desc()).limit(limit))
