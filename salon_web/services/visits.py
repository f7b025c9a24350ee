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
Lock order: a writer takes its customers' rows (several: in id order) before the salon's `ledger_epoch` row,
so `ledger_changed` comes after the ledger write. The repair locks every card of the salon, then bumps the
epoch; a writer that bumped it first and then waited for a card would deadlock with it.

Every change to a visit row also calls analytics_cache.ledger_changed, which marks the salon's cached
analytics stale when the visit is old enough to lie in a settled month.
"""
import datetime

from peewee import JOIN, fn

from salon_web.db import allow_long_statements, db, is_postgres
from salon_web.models import Appointment, Salon, SalonCustomer, Visit, utcnow
from salon_web.models.appointments import COMPLETED as APPOINTMENT_COMPLETED
from salon_web.models.sales import COMPLETED as SALE_COMPLETED
from salon_web.models.visits import SOURCE_APPOINTMENT, SOURCE_IMPORT, SOURCE_SALE
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
    # A brand-new sale: its visit cannot exist yet (the unique key would refuse a second one).
    # Hot path (every till sale): fixed SQL text, no query building; one statement on PostgreSQL.
    at = Visit.occurred_at.db_value(occurred_at)
    if is_postgres():
        db.execute_sql(_NEW_SALE_VISIT_PG, (sale.salon_id, customer_id, at, amount, sale.id, amount, at, at, at, at,
                                            sale.salon_id))
    else:
        db.execute_sql(_INSERT_VISIT_SQLITE, (sale.salon_id, customer_id, at, amount, sale.id))
        _add_visit_figures(sale.salon_id, customer_id, occurred_at, amount)
    ledger_changed(sale.salon_id, occurred_at)  # after the customer's row (lock order)


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
    values = ", ".join(["(%s, %s::integer, %s::bigint, %s::text)"] * len(items))
    line_keys = line_keys or [None] * len(items)  # each line's folded text: links it to the menu's service (issue 15)
    sql = _SALE_WITH_VISIT_PG.format(items=values)
    params = [fields["salon"], fields["customer"], fields["total"], fields["sold_at"], fields["idempotency_key"],
              fields["created_by"], fields["created_at"], fields.get("payment_method")]
    for line, key in zip(items, line_keys):
        params += [line.description, line.quantity, line.unit_price, key]
    row = db.execute_sql(sql, params).fetchone()
    if row and fields["customer"] is not None:
        ledger_changed(fields["salon"], fields["sold_at"])  # after the customer's row (lock order)
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


# --- Imported history ---------------------------------------------------------------------------


def record_imported_visits(salon_id, visits):
    """Add past visits from an imported client book: (customer_id, occurred_at, amount, import row id) each.

    One INSERT for the rows, then each touched customer's figures are set from the ledger in one UPDATE,
    after locking those customers (so a concurrent sale's visit is counted once, by whichever comes later).
    """
    if not visits:
        return
    marker = "%s" if is_postgres() else "?"
    values = ", ".join([f"({marker}, {marker}, {marker}, {marker}, '{SOURCE_IMPORT}', {marker})"] * len(visits))
    params = [p for customer_id, at, amount, row_id in visits
              for p in (salon_id, customer_id, Visit.occurred_at.db_value(at), amount, row_id)]
    db.execute_sql("INSERT INTO visit (salon_id, customer_id, occurred_at, amount, source_type, source_id) VALUES "
                   + values, params)
    _refresh_figures(salon_id, sorted({v[0] for v in visits}))
    ledger_changed(salon_id, *(occurred_at for _, occurred_at, _, _ in visits))  # after the customers' rows


def remove_imported_visits(salon_id, row_ids):
    """Remove the visits these import rows added (an import's undo) and refresh their customers' figures."""
    if not row_ids:
        return
    mine = (Visit.salon == salon_id) & (Visit.source_type == SOURCE_IMPORT) & Visit.source_id.in_(list(row_ids))
    rows = list(Visit.select(Visit.customer, Visit.occurred_at).where(mine).tuples())
    if not rows:
        return
    Visit.delete().where(mine).execute()
    _refresh_figures(salon_id, sorted({customer_id for customer_id, _ in rows}))
    ledger_changed(salon_id, *(occurred_at for _, occurred_at in rows))  # after the customers' rows


def _refresh_figures(salon_id, customer_ids):
    """Lock these customers, then set their figures from the ledger (one UPDATE per 500 customers)."""
    for start in range(0, len(customer_ids), 500):
        part = customer_ids[start:start + 500]
        if is_postgres():
            db.execute_sql("SELECT id FROM salon_customer WHERE salon_id = %s AND id = ANY(%s) ORDER BY id "
                           "FOR NO KEY UPDATE", (salon_id, part))
        mine = (Visit.salon == SalonCustomer.salon) & (Visit.customer == SalonCustomer.id)
        SalonCustomer.update(
            visit_count=Visit.select(fn.COUNT(Visit.id)).where(mine),
            total_spent=Visit.select(fn.COALESCE(fn.SUM(Visit.amount), 0)).where(mine),
            first_visit_at=Visit.select(fn.MIN(Visit.occurred_at)).where(mine),
            last_visit_at=Visit.select(fn.MAX(Visit.occurred_at)).where(mine),
        ).where((SalonCustomer.salon == salon_id) & SalonCustomer.id.in_(part)).execute()


# --- Repair and backfill -------------------------------------------------------------------------


# The ledger as its sources say it should be, one row per visit: (source_type, source_id, customer_id,
# occurred_at, amount). The SQL twin of desired_sale_visit and desired_appointment_visit (_not_future
# included: the later of the moment and its "now" is never used); {now} stands for the current time.
_DESIRED_VISITS = """
    SELECT {sale} AS source_type, s.id AS source_id, s.customer_id AS customer_id,
           CASE WHEN s.sold_at IS NULL OR s.sold_at > s.created_at THEN s.created_at ELSE s.sold_at END AS occurred_at,
           s.total AS amount
    FROM sale s
    WHERE s.salon_id = {p} AND s.status = {completed_sale} AND s.customer_id IS NOT NULL AND s.appointment_id IS NULL
    UNION ALL
    SELECT {appointment}, a.id, a.customer_id,
           CASE WHEN a.scheduled_at IS NULL OR a.scheduled_at > COALESCE(a.completed_at, {now})
                THEN COALESCE(a.completed_at, {now}) ELSE a.scheduled_at END,
           CASE WHEN live.sales > 0 THEN live.amount ELSE a.price END
    FROM appointment a
    LEFT JOIN (SELECT appointment_id, COUNT(id) AS sales, COALESCE(SUM(total), 0) AS amount FROM sale
               WHERE salon_id = {p} AND status = {completed_sale} AND appointment_id IS NOT NULL
               GROUP BY appointment_id) live ON live.appointment_id = a.id
    WHERE a.salon_id = {p} AND a.status = {completed_appointment}
"""

# `ledger_diff`: the keys whose ledger row differs from what the sources say, with the ledger's row
# (`has` is NULL when there is none) and the sources' (`wants` is NULL when they want none).
# FULL OUTER JOIN: one hash join finds missing, surplus and different rows alike. The check reads it;
# the repair's three ledger statements are each driven by it, so they change exactly the rows reported.
_LEDGER_DIFF = """
    WITH desired AS ({desired}),
         ledger AS (SELECT source_type, source_id, customer_id, occurred_at, amount FROM visit
                    WHERE salon_id = {p} AND source_type <> '{imported}'),
         ledger_diff AS (
           SELECT COALESCE(d.source_type, l.source_type) AS source_type, COALESCE(d.source_id, l.source_id) AS source_id,
                  l.source_id AS has, l.customer_id AS has_customer, l.occurred_at AS has_at, l.amount AS has_amount,
                  d.source_id AS wants, d.customer_id AS wants_customer, d.occurred_at AS wants_at,
                  d.amount AS wants_amount
           FROM desired d FULL OUTER JOIN ledger l ON l.source_type = d.source_type AND l.source_id = d.source_id
           WHERE l.source_id IS NULL OR d.source_id IS NULL OR l.customer_id <> d.customer_id
                 OR l.occurred_at <> d.occurred_at OR l.amount <> d.amount)
"""

_LEDGER_DRIFT = """
    SELECT source_type, source_id, has_customer, has_at, has_amount, wants_customer, wants_at, wants_amount
    FROM ledger_diff ORDER BY 1, 2
"""

# The repair, one statement each (imported rows are never in ledger_diff, and the DELETE names them out too).
_DELETE_SURPLUS = """
    DELETE FROM visit WHERE salon_id = {p} AND source_type <> '{imported}'
      AND (source_type, source_id) IN (SELECT source_type, source_id FROM ledger_diff WHERE wants IS NULL)
"""
_UPDATE_DIFFERENT = """
    UPDATE visit SET customer_id = ledger_diff.wants_customer, occurred_at = ledger_diff.wants_at,
                     amount = ledger_diff.wants_amount
    FROM ledger_diff
    WHERE visit.salon_id = {p} AND visit.source_type = ledger_diff.source_type
      AND visit.source_id = ledger_diff.source_id AND ledger_diff.has IS NOT NULL AND ledger_diff.wants IS NOT NULL
"""
# In card order, so three of the ledger's indexes (customer, when) grow at one end instead of everywhere.
_INSERT_MISSING = """
    INSERT INTO visit (salon_id, customer_id, occurred_at, amount, source_type, source_id)
    SELECT {p}, wants_customer, wants_at, wants_amount, source_type, source_id FROM ledger_diff WHERE has IS NULL
    ORDER BY wants_customer, wants_at
"""

# Customers whose figures differ from their ledger: (id, the four figures, the ledger's four).
_FIGURES_DIFF = """
    SELECT sc.id AS id, sc.visit_count, sc.total_spent, sc.first_visit_at, sc.last_visit_at,
           COALESCE(v.visits, 0) AS visits, COALESCE(v.amount, 0) AS amount, v.first_at AS first_at,
           v.last_at AS last_at
    FROM salon_customer sc
    LEFT JOIN (SELECT customer_id, COUNT(id) AS visits, SUM(amount) AS amount, MIN(occurred_at) AS first_at,
                      MAX(occurred_at) AS last_at
               FROM visit WHERE salon_id = {p} GROUP BY customer_id) v ON v.customer_id = sc.id
    WHERE sc.salon_id = {p} AND (sc.visit_count <> COALESCE(v.visits, 0) OR sc.total_spent <> COALESCE(v.amount, 0)
          OR {first_differs} OR {last_differs})
"""

# Every drifting customer's figures from the ledger, in one statement (the rows _FIGURES_DIFF reports).
_SET_FIGURES = """
    UPDATE salon_customer SET visit_count = ledger.visits, total_spent = ledger.amount,
                              first_visit_at = ledger.first_at, last_visit_at = ledger.last_at
    FROM ({figures_diff}) ledger
    WHERE salon_customer.salon_id = {p} AND salon_customer.id = ledger.id
"""


def _differs(left, right):
    """SQL: the two nullable values differ (NULL equals NULL)."""
    return (f"({left} IS DISTINCT FROM {right})" if is_postgres()
            else f"({left} IS NOT {right})")


def _visit(customer_id, occurred_at, amount):
    """A (customer, when, amount) visit from SQL values, or None when the row holds none."""
    if customer_id is None:
        return None
    return customer_id, _as_datetime(occurred_at), int(amount)


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


def _ledger_diff(salon, now):
    """Return (the `WITH … ledger_diff` SQL prefix, its parameters) for the salon at the moment `now`."""
    marker = "%s" if is_postgres() else "?"
    desired = _DESIRED_VISITS.format(p=marker, now=marker, sale=marker, appointment=marker,
                                     completed_sale=marker, completed_appointment=marker)
    at = Visit.occurred_at.db_value(now)
    params = [SOURCE_SALE, salon.id, SALE_COMPLETED, SOURCE_APPOINTMENT, at, at,
              salon.id, SALE_COMPLETED, salon.id, APPOINTMENT_COMPLETED, salon.id]
    # An imported visit is its own source (the client book's row as it was imported): never drift.
    return _LEDGER_DIFF.format(desired=desired, p=marker, imported=SOURCE_IMPORT), params


def ledger_drift(salon, now=None):
    """Return descriptions of the salon's ledger rows that disagree with their sales and appointments.

    One statement compares the whole ledger with its sources in the database; only drifting rows reach Python.
    """
    prefix, params = _ledger_diff(salon, now or utcnow())
    rows = db.execute_sql(prefix + _LEDGER_DRIFT, params).fetchall()
    return [f"ledger {source_type} {source_id}: has {_describe(_visit(*values[:3]))}, "
            f"sources say {_describe(_visit(*values[3:]))}" for source_type, source_id, *values in rows]


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
        allow_long_statements()  # comparing a large salon's whole ledger may outlast a page's statement timeout
        salons = [salon] if salon is not None else list(Salon.select().order_by(Salon.id))
        problems = []
        for each in salons:
            found = _recompute_salon(each, check)
            if found and not check:
                # Any repaired row may lie in a settled month, and a figure decides a customer's cohort.
                forget_cached_analytics(each.id)
            problems.extend(found)
    return problems


_ANALYZE_AFTER = 10_000  # ledger rows changed by a repair before the planner's statistics are refreshed


def _recompute_salon(salon, check):
    """Return one salon's drift, repaired unless check (the caller holds the transaction), a few statements in all."""
    now = utcnow()
    if not check:
        _lock_salon_customers(salon.id)
    prefix, params = _ledger_diff(salon, now)
    problems = ledger_drift(salon, now)
    if problems and not check:  # backfill: sales and appointments recorded before the hook existed, a restore
        marker = "%s" if is_postgres() else "?"
        changed = sum(db.execute_sql(prefix + statement.format(p=marker, imported=SOURCE_IMPORT),
                                     params + [salon.id]).rowcount
                      for statement in (_DELETE_SURPLUS, _UPDATE_DIFFERENT, _INSERT_MISSING))
        if changed > _ANALYZE_AFTER and is_postgres():
            # The planner's row counts for the ledger may be far off now (a salon restored without it had none):
            # the figures' aggregate below would be planned for a handful of rows. ANALYZE sees this
            # transaction's own rows; it holds off only VACUUM and ANALYZE of `visit` until the commit.
            db.execute_sql("ANALYZE visit")
    figures_diff, figures_params = _figures_diff(salon)
    drifting = db.execute_sql(figures_diff + " ORDER BY sc.id", figures_params).fetchall()
    for customer_id, *values in drifting:
        have = (values[0], int(values[1]), _as_datetime(values[2]), _as_datetime(values[3]))
        want = (values[4], int(values[5]), _as_datetime(values[6]), _as_datetime(values[7]))
        differences = ", ".join(f"{name} {h!r} != ledger {w!r}" for name, h, w in zip(FIGURES, have, want) if h != w)
        problems.append(f"salon_customer {customer_id}: {differences}")
    if drifting and not check:
        marker = "%s" if is_postgres() else "?"
        db.execute_sql(_SET_FIGURES.format(figures_diff=figures_diff, p=marker), figures_params + [salon.id])
    return problems


def _figures_diff(salon):
    """Return (SQL selecting the salon's customers whose figures differ from the ledger, its parameters)."""
    marker = "%s" if is_postgres() else "?"
    sql = _FIGURES_DIFF.format(p=marker, first_differs=_differs("sc.first_visit_at", "v.first_at"),
                               last_differs=_differs("sc.last_visit_at", "v.last_at"))
    return sql, [salon.id, salon.id]


def _lock_salon_customers(salon_id):
    """Hold every card of the salon against the visit hook until the repair commits.

    Why this is enough (see the module docstring): every writer of the ledger either locks its customer's
    row first (it then waits for the repair, and afterwards reads the repaired ledger and applies its change
    as a delta) or is the new-sale path, whose figures UPDATE waits for the repair in the same way while
    its sale and visit, not yet committed, are invisible to the repair, so neither counts the other's
    visit twice. Merges and imports lock cards in id order too, and every writer takes the salon's
    `ledger_epoch` row only after its cards, as the repair does: no deadlock. NO KEY UPDATE still lets the
    new-sale path insert the visit that references the row. So after this statement the committed ledger of
    these customers and its sources stand still until the repair commits, and each of the repair's statements
    may read them afresh. The salon's till waits meanwhile (a large salon's rebuild: its duration). On SQLite
    the write lock serialises everything.
    """
    if is_postgres():
        db.execute_sql("SELECT id FROM salon_customer WHERE salon_id = %s ORDER BY id FOR NO KEY UPDATE", (salon_id,))
    else:
        # Any UPDATE takes SQLite's write lock, even one that matches no row: take it before the first read.
        db.execute_sql("UPDATE salon_customer SET visit_count = visit_count WHERE salon_id = ? AND 1 = 0", (salon_id,))


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


# --- Merging cards ---------------------------------------------------------------------------------


def reassign_visits(salon_id, to_customer_id, *, from_customer_id=None, sources=None):
    """Give ledger rows to another customer and rebuild the figures of everyone involved; return the moved visit ids.

    The rows are all of `from_customer_id`'s, or those of `sources` ({"sale": ids, "appointment": ids}).
    A merge and its undo call this after moving the sales and appointments themselves, so every visit stays
    a function of its source; the caller holds the transaction. Whose visit it is changes newcomer and cohort
    months, so the salon's cached analytics are marked stale.
    """
    condition = Visit.salon == salon_id
    if from_customer_id is not None:
        condition &= Visit.customer == from_customer_id
    if sources is not None:
        by_source = None
        for source_type, ids in sources.items():
            for start in range(0, len(ids), 500):
                part = (Visit.source_type == source_type) & Visit.source_id.in_(list(ids[start:start + 500]))
                by_source = part if by_source is None else (by_source | part)
        condition &= by_source if by_source is not None else (Visit.id.is_null())  # no sources: no rows
    rows = list(Visit.select(Visit.id, Visit.customer).where(condition).tuples())
    owners = sorted({owner for _, owner in rows} | {to_customer_id})
    for owner in owners:  # in id order: two merges of the same cards cannot deadlock
        lock_customer(salon_id, owner)
    moved = [visit_id for visit_id, _ in rows]
    for start in range(0, len(moved), 500):
        Visit.update(customer=to_customer_id).where(
            (Visit.salon == salon_id) & Visit.id.in_(moved[start:start + 500])).execute()
    for owner in owners:
        _rebuild_figures(salon_id, owner)
    if moved:
        forget_cached_analytics(salon_id)
    return moved
