"""The visit hook: the only writer of visit figures (visit_count, total_spent, first/last visit).

A visit is one `visit` row, a pure function of its source:
- a completed sale without appointment, with a customer: its own visit, amount = sale total;
- a completed appointment: one visit, amount = sum of its live sales, or its price while it has none.
Sales linked to an appointment never make a visit of their own.

Callers (services/sales.py, services/appointments.py) call `record_new_sale` or `sync_sources`
inside their own db.atomic(), after writing the sale or appointment row.

Concurrency. Figures change only through atomic SQL (`x = x + ?`, CASE for first/last, MIN/MAX
subqueries when a visit disappears), so concurrent writers never lose an update. Every path except
"new sale without appointment" first locks the customer's salon_customer row (`lock_customer`), so all
writers that read a visit row (to compute a delta) are serialised per customer; under PostgreSQL's
READ COMMITTED each later statement then sees everything committed before the lock was granted.
The new-sale path touches only its own brand-new visit row and one atomic UPDATE, which PostgreSQL
re-evaluates against the latest row version, so it needs no lock. On SQLite writers are serialised.

Every change to a visit row also calls analytics_cache.ledger_changed, which marks the salon's cached
analytics stale when the visit is old enough to lie in a settled month.
"""
import datetime

from peewee import JOIN, Case, fn

from salon_web.db import db, is_postgres
from salon_web.models import Appointment, Sale, Salon, SalonCustomer, Visit, utcnow
from salon_web.models.appointments import COMPLETED as APPOINTMENT_COMPLETED
from salon_web.models.sales import COMPLETED as SALE_COMPLETED
from salon_web.models.visits import SOURCE_APPOINTMENT, SOURCE_SALE
from salon_web.services.analytics_cache import forget as forget_cached_analytics
from salon_web.services.analytics_cache import ledger_changed

FIGURES = ("visit_count", "total_spent", "first_visit_at", "last_visit_at")


def lock_customer(salon_id, customer_id):
    """Lock the salon_customer row for the rest of the transaction (serialises visit writers per customer)."""
    if is_postgres():
        # NO KEY UPDATE: the lock an UPDATE takes; it does not block inserts that reference the row.
        db.execute_sql("SELECT id FROM salon_customer WHERE salon_id = %s AND id = %s FOR NO KEY UPDATE",
                       (salon_id, customer_id))
    else:
        # SQLite: take the write lock now, so the transaction never upgrades from a stale read snapshot.
        db.execute_sql("UPDATE salon_customer SET visit_count = visit_count WHERE salon_id = ? AND id = ?",
                       (salon_id, customer_id))


def _sql(template):
    """Fixed SQL text with the database's parameter marker (hot paths skip query building)."""
    return template.format(p="%s" if is_postgres() else "?")


def _not_future(moment, now=None):
    """Return the moment, or now if it lies in the future: a visit never happens later than today."""
    now = now or utcnow()
    return min(moment, now) if moment else now


def desired_sale_visit(sale):
    """Return (customer_id, occurred_at, amount) of the visit a sale makes on its own, or None."""
    if sale.status != SALE_COMPLETED or sale.customer_id is None or sale.appointment_id is not None:
        return None
    return sale.customer_id, _not_future(sale.sold_at, sale.created_at), sale.total


def desired_appointment_visit(appointment):
    """Return (customer_id, occurred_at, amount) of an appointment's visit, or None if it is not one."""
    if appointment.status != APPOINTMENT_COMPLETED:
        return None
    live = db.execute_sql(_sql("SELECT COUNT(id), COALESCE(SUM(total), 0) FROM sale "
                               "WHERE salon_id = {p} AND appointment_id = {p} AND status = {p}"),
                          (appointment.salon_id, appointment.id, SALE_COMPLETED)).fetchone()
    amount = int(live[1]) if live[0] else appointment.price
    occurred_at = _not_future(appointment.scheduled_at, appointment.completed_at)
    return appointment.customer_id, occurred_at, amount


def record_new_sale(sale):
    """Add the visit of a just-inserted sale; a sale linked to an appointment syncs that appointment's visit."""
    if sale.customer_id is None:
        return
    if sale.appointment_id is not None:
        lock_customer(sale.salon_id, sale.customer_id)
        sync_appointment(Appointment.get_in_salon(sale.salon_id, sale.appointment_id))
        return
    desired = desired_sale_visit(sale)
    if desired is None:
        return
    customer_id, occurred_at, amount = desired
    ledger_changed(sale.salon_id, occurred_at)
    # A brand-new sale: its visit cannot exist yet (the unique key would refuse a second one).
    # Hot path (every till sale): fixed SQL text, no query building; one statement on PostgreSQL.
    at = Visit.occurred_at.db_value(occurred_at)
    if is_postgres():
        db.execute_sql(_NEW_SALE_VISIT_PG, (sale.salon_id, customer_id, at, amount, sale.id, amount, at, at, at, at,
                                            sale.salon_id))
    else:
        db.execute_sql(_INSERT_VISIT_SQLITE, (sale.salon_id, customer_id, at, amount, sale.id))
        _add_visit_figures(sale.salon_id, customer_id, occurred_at, amount)


# Portable LEAST/GREATEST (PITFALLS.md): a back-dated visit moves first_visit_at, never last_visit_at.
_ADD_FIGURES = """UPDATE salon_customer SET visit_count = visit_count + 1, total_spent = total_spent + {p},
  first_visit_at = CASE WHEN first_visit_at IS NULL OR first_visit_at > {p} THEN {p} ELSE first_visit_at END,
  last_visit_at = CASE WHEN last_visit_at IS NULL OR last_visit_at < {p} THEN {p} ELSE last_visit_at END"""
_INSERT_VISIT = """INSERT INTO visit (salon_id, customer_id, occurred_at, amount, source_type, source_id)
  VALUES ({p}, {p}, {p}, {p}, 'sale', {p})"""
_NEW_SALE_VISIT_PG = ("WITH new_visit AS (" + _INSERT_VISIT.format(p="%s") + " RETURNING customer_id) "
                      + _ADD_FIGURES.format(p="%s") + " WHERE id = (SELECT customer_id FROM new_visit) AND salon_id = %s")
_INSERT_VISIT_SQLITE = _INSERT_VISIT.format(p="?")
_ADD_FIGURES_SQLITE = _ADD_FIGURES.format(p="?") + " WHERE salon_id = ? AND id = ?"
_ADD_FIGURES_PG = _ADD_FIGURES.format(p="%s") + " WHERE salon_id = %s AND id = %s"


def insert_sale_with_visit(fields, items, line_keys=None):
    """PostgreSQL, sale without appointment: insert the sale, its SaleLines, its visit and the figures in ONE statement.

    Returns the new sale's id, or None when its idempotency key was used already (then nothing is written).
    The visit part is the same as record_new_sale's; one round trip instead of four keeps the hook's
    cost close to a bare INSERT (bench/bench_visits.py).
    """
    if fields["customer"] is not None:
        ledger_changed(fields["salon"], fields["sold_at"])
    values = ", ".join(["(%s, %s::integer, %s::bigint, %s::text)"] * len(items))
    line_keys = line_keys or [None] * len(items)  # each line's folded text: links it to the menu's service (issue 15)
    sql = _SALE_WITH_VISIT_PG.format(items=values)
    params = [fields["salon"], fields["customer"], fields["total"], fields["sold_at"], fields["idempotency_key"],
              fields["created_by"], fields["created_at"], fields.get("payment_method")]
    for line, key in zip(items, line_keys):
        params += [line.description, line.quantity, line.unit_price, key]
    row = db.execute_sql(sql, params).fetchone()
    return row[0] if row else None


# Data-modifying CTEs run once and to completion; the salon_customer UPDATE is re-evaluated against
# the latest row version under concurrency, like the two-statement path.
_SALE_WITH_VISIT_PG = """WITH new_sale AS (
  INSERT INTO sale (salon_id, customer_id, appointment_id, total, status, sold_at, idempotency_key, created_by_id, created_at,
                    payment_method)
  VALUES (%s, %s, NULL, %s, 'completed', %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING
  RETURNING id, salon_id, customer_id, total, sold_at),
new_items AS (
  INSERT INTO sale_item (salon_id, sale_id, description, quantity, unit_price, service_id)
  SELECT new_sale.salon_id, new_sale.id, item.description, item.quantity, item.unit_price,
         (SELECT service.id FROM service WHERE service.salon_id = new_sale.salon_id AND service.name_key = item.name_key
            AND service.active)
  FROM new_sale, (VALUES {items}) AS item (description, quantity, unit_price, name_key)),
new_visit AS (
  INSERT INTO visit (salon_id, customer_id, occurred_at, amount, source_type, source_id)
  SELECT salon_id, customer_id, sold_at, total, 'sale', id FROM new_sale WHERE customer_id IS NOT NULL
  RETURNING salon_id, customer_id, occurred_at, amount),
figures AS (
  UPDATE salon_customer SET visit_count = visit_count + 1, total_spent = total_spent + new_visit.amount,
    first_visit_at = CASE WHEN first_visit_at IS NULL OR first_visit_at > new_visit.occurred_at
                          THEN new_visit.occurred_at ELSE first_visit_at END,
    last_visit_at = CASE WHEN last_visit_at IS NULL OR last_visit_at < new_visit.occurred_at
                         THEN new_visit.occurred_at ELSE last_visit_at END
  FROM new_visit WHERE salon_customer.salon_id = new_visit.salon_id AND salon_customer.id = new_visit.customer_id)
SELECT id FROM new_sale"""


def sync_sale(sale):
    """Make the ledger agree with one sale (caller holds the customer lock)."""
    if sale.appointment_id is not None:
        sync_appointment(Appointment.get_in_salon(sale.salon_id, sale.appointment_id))
    else:
        _sync(SOURCE_SALE, sale.id, sale.salon_id, desired_sale_visit(sale))


def sync_appointment(appointment):
    """Make the ledger agree with one appointment (caller holds the customer lock)."""
    _sync(SOURCE_APPOINTMENT, appointment.id, appointment.salon_id, desired_appointment_visit(appointment))


def _sync(source_type, source_id, salon_id, desired):
    """Insert, delete or re-amount one visit row and apply the same change to the figures as deltas."""
    row = db.execute_sql(_sql("SELECT id, customer_id, occurred_at, amount FROM visit "
                              "WHERE salon_id = {p} AND source_type = {p} AND source_id = {p}"),
                         (salon_id, source_type, source_id)).fetchone()
    current = None
    if row is not None:
        current = Visit(id=row[0], customer=row[1], occurred_at=Visit.occurred_at.python_value(row[2]), amount=row[3])
    if desired is None:
        if current is not None:
            ledger_changed(salon_id, current.occurred_at)
            Visit.delete().where((Visit.salon == salon_id) & (Visit.id == current.id)).execute()
            _remove_visit_figures(salon_id, current.customer_id, current.amount)
        return
    customer_id, occurred_at, amount = desired
    if current is None:
        ledger_changed(salon_id, occurred_at)
        db.execute_sql(_sql("INSERT INTO visit (salon_id, customer_id, occurred_at, amount, source_type, source_id) "
                            "VALUES ({p}, {p}, {p}, {p}, {p}, {p})"),
                       (salon_id, customer_id, Visit.occurred_at.db_value(occurred_at), amount, source_type, source_id))
        _add_visit_figures(salon_id, customer_id, occurred_at, amount)
        return
    if (current.customer_id, current.occurred_at, current.amount) == (customer_id, occurred_at, amount):
        return  # retry, double submit, second completion: nothing changes
    ledger_changed(salon_id, current.occurred_at, occurred_at)
    Visit.update(customer=customer_id, occurred_at=occurred_at, amount=amount).where(
        (Visit.salon == salon_id) & (Visit.id == current.id)).execute()
    if current.customer_id != customer_id or current.occurred_at != occurred_at:
        _remove_visit_figures(salon_id, current.customer_id, current.amount)
        _add_visit_figures(salon_id, customer_id, occurred_at, amount, refresh_dates=True)
    else:
        SalonCustomer.update(total_spent=SalonCustomer.total_spent + (amount - current.amount)).where(
            (SalonCustomer.salon == salon_id) & (SalonCustomer.id == customer_id)).execute()


def _add_visit_figures(salon_id, customer_id, occurred_at, amount, refresh_dates=False):
    """Count one more visit; first/last move with CASE, or come back from the ledger when refresh_dates."""
    if not refresh_dates:
        at = Visit.occurred_at.db_value(occurred_at)
        sql = _ADD_FIGURES_PG if is_postgres() else _ADD_FIGURES_SQLITE
        db.execute_sql(sql, (amount, at, at, at, at, salon_id, customer_id))
        return
    SalonCustomer.update(
        visit_count=SalonCustomer.visit_count + 1,
        total_spent=SalonCustomer.total_spent + amount,
        first_visit_at=_ledger_min(salon_id, customer_id),
        last_visit_at=_ledger_max(salon_id, customer_id),
    ).where((SalonCustomer.salon == salon_id) & (SalonCustomer.id == customer_id)).execute()


def _remove_visit_figures(salon_id, customer_id, amount):
    """Count one visit less (its ledger row is already deleted)."""
    # The visit row is already deleted: first/last come back from the remaining ledger.
    SalonCustomer.update(
        visit_count=SalonCustomer.visit_count - 1,
        total_spent=SalonCustomer.total_spent - amount,
        first_visit_at=_ledger_min(salon_id, customer_id),
        last_visit_at=_ledger_max(salon_id, customer_id),
    ).where((SalonCustomer.salon == salon_id) & (SalonCustomer.id == customer_id)).execute()


def _customer_visits(salon_id, customer_id):
    """The condition selecting one customer's rows of the ledger."""
    return (Visit.salon == salon_id) & (Visit.customer == customer_id)


def _ledger_min(salon_id, customer_id):
    """Subquery: the customer's earliest visit in the ledger."""
    return Visit.select(fn.MIN(Visit.occurred_at)).where(_customer_visits(salon_id, customer_id))


def _ledger_max(salon_id, customer_id):
    """Subquery: the customer's latest visit in the ledger."""
    return Visit.select(fn.MAX(Visit.occurred_at)).where(_customer_visits(salon_id, customer_id))


# --- Repair and backfill -------------------------------------------------------------------------


def ledger_figures(salon):
    """Return {customer_id: (visit_count, total_spent, first_visit_at, last_visit_at)} computed from the salon's ledger."""
    query = (SalonCustomer.select(
        SalonCustomer.id,
        fn.COUNT(Visit.id), fn.COALESCE(fn.SUM(Visit.amount), 0), fn.MIN(Visit.occurred_at), fn.MAX(Visit.occurred_at))
        .join(Visit, join_type=JOIN.LEFT_OUTER,
              on=((Visit.salon == SalonCustomer.salon) & (Visit.customer == SalonCustomer.id)))
        .where(SalonCustomer.salon == salon)
        .group_by(SalonCustomer.id))
    return {row[0]: (row[1], int(row[2]), _as_datetime(row[3]), _as_datetime(row[4])) for row in query.tuples()}


def _as_datetime(value):
    """Return a datetime from what MIN/MAX gave back."""
    # SQLite's MIN/MAX over a datetime column come back as text.
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value)
    return value


def ledger_drift(salon):
    """Return (descriptions, sources to sync) of the salon's ledger rows that disagree with their sales and appointments."""
    problems, fixes = [], []
    sales = Sale.in_salon(salon).where(Sale.customer.is_null(False) & Sale.appointment.is_null())
    appointments = Appointment.in_salon(salon).where(Appointment.status == APPOINTMENT_COMPLETED)
    current = {(v.source_type, v.source_id): v for v in Visit.in_salon(salon)}
    expected = {}
    for sale in sales:
        expected[(SOURCE_SALE, sale.id)] = (sale, desired_sale_visit(sale))
    for appointment in appointments:
        expected[(SOURCE_APPOINTMENT, appointment.id)] = (appointment, desired_appointment_visit(appointment))
    for key, (source, desired) in expected.items():
        visit = current.get(key)
        have = None if visit is None else (visit.customer_id, visit.occurred_at, visit.amount)
        if have != desired:
            problems.append(f"ledger {key[0]} {key[1]}: has {_describe(have)}, sources say {_describe(desired)}")
            fixes.append(source)
    # A visit whose sale was voided or whose appointment is no longer completed.
    for key, visit in current.items():
        source = None if key in expected else _source(salon, key)
        if source is not None:
            problems.append(f"ledger {key[0]} {key[1]}: has {_describe((visit.customer_id, visit.occurred_at, visit.amount))}, "
                            f"sources say {_describe(None)}")
            fixes.append(source)
    return problems, fixes


def _source(salon, key):
    """Return the salon's sale or appointment behind a ledger key, or None when it no longer exists."""
    model = Sale if key[0] == SOURCE_SALE else Appointment
    return model.in_salon(salon).where(model.id == key[1]).first()


def _describe(visit):
    """Return a (customer, when, amount) visit as text for drift reports."""
    if visit is None:
        return "no visit"
    return f"visit of customer {visit[0]} at {visit[1]:%Y-%m-%d %H:%M} amount {visit[2]}"


def recompute_figures(salon=None, *, check=False):
    """Rebuild the ledger from sources and every figure from the ledger (one salon, or each); return the drift found.

    With check=True nothing changes; the returned list describes each drifting row.
    """
    with db.atomic():
        salons = [salon] if salon is not None else list(Salon.select().order_by(Salon.id))
        problems = [problem for each in salons for problem in _recompute_salon(each, check)]
        if problems and not check:
            forget_cached_analytics(salon.id if salon is not None else None)
    return problems


def _recompute_salon(salon, check):
    """Return one salon's drift, repaired unless check (the caller holds the transaction)."""
    problems, fixes = ledger_drift(salon)
    if not check:
        for source in fixes:  # backfill: sales and appointments recorded before the hook existed
            lock_customer(salon.id, source.customer_id)
            (sync_appointment if isinstance(source, Appointment) else sync_sale)(source)
    expected = ledger_figures(salon)
    for customer in SalonCustomer.in_salon(salon, SalonCustomer.id, *(getattr(SalonCustomer, f) for f in FIGURES)):
        have = tuple(getattr(customer, f) for f in FIGURES)
        want = expected.get(customer.id, (0, 0, None, None))
        if have != want:
            differences = ", ".join(f"{name} {h!r} != ledger {w!r}" for name, h, w in zip(FIGURES, have, want) if h != w)
            problems.append(f"salon_customer {customer.id}: {differences}")
            if not check:
                _rebuild_figures(salon.id, customer.id)
    return problems


def _rebuild_figures(salon_id, customer_id):
    """Set one customer's figures from the ledger, in one statement under the customer lock."""
    lock_customer(salon_id, customer_id)
    mine = _customer_visits(salon_id, customer_id)
    SalonCustomer.update(
        visit_count=Visit.select(fn.COUNT(Visit.id)).where(mine),
        total_spent=Visit.select(fn.COALESCE(fn.SUM(Visit.amount), 0)).where(mine),
        first_visit_at=_ledger_min(salon_id, customer_id),
        last_visit_at=_ledger_max(salon_id, customer_id),
    ).where((SalonCustomer.salon == salon_id) & (SalonCustomer.id == customer_id)).execute()
