"""The front desk's rules (issue 15): payment methods, the salon's settings, no-shows and late cancellations.

No-shows and late cancellations are COMPUTED from `appointment` rows (status no_show; status cancelled less than
LATE_CANCEL_HOURS before the start), never kept as counters: an appointment's status is its one source, so there is
nothing to drift and no hook to keep. The (salon_id, status, customer_id) index serves the per-client counts.
"""
import dataclasses

from peewee import Case, fn

from salon_web import one_trip, sql_dialect
from salon_web.ids import in_range
from salon_web.models import Appointment, Sale, Salon, SalonCustomer, Service
from salon_web.models.appointments import CANCELLED, NO_SHOW
from salon_web.models.base import NotInSalon, column_list, row_model
from salon_web.models.sales import COMPLETED
from salon_web.services.analytics import settled
from salon_web.services.analytics.reports import report
from salon_web.services.field_errors import FieldErrors
from salon_web.services.service_menu import by_revenue, revenue_by_service
from salon_web.sql_dialect import hours_before
from salon_web.texts import _l

# Labels by the stored value (the value never changes; the label follows the reader's language).
PAYMENT_METHODS = {"cash": _l("Cash"), "mobile_money": _l("Mobile money"), "card": _l("Card"),
                   "bank_transfer": _l("Bank transfer"), "other": _l("Other")}
NOT_RECORDED = _l("Not recorded")  # sales posted before payment methods existed
LATE_CANCEL_HOURS = 24
MAX_WARNING = 100


def payment_methods(salon):
    """Return the codes the salon's till offers, in the standard order (all of them until the owner chooses)."""
    chosen = set((salon.payment_methods or "").split(",")) - {""}
    return [code for code in PAYMENT_METHODS if not chosen or code in chosen]


def payment_choices(salon):
    """Return [(code, label)] of the salon's payment methods, for a form's choice."""
    return [(code, PAYMENT_METHODS[code]) for code in payment_methods(salon)]


def check_payment_method(salon, code):
    """Return the payment method a sale records: `code` if the salon offers it; its first method when None."""
    offered = payment_methods(salon)
    if code is None or code == "":
        return offered[0]
    if code not in offered:
        raise FieldErrors({"payment_method": _l("Choose one of this salon's payment methods.")})
    return code


def update_settings(salon, *, methods, no_show_warning):
    """Save the salon's payment methods and no-show warning threshold; return the salon. FieldErrors if refused."""
    errors = {}
    methods = [code for code in PAYMENT_METHODS if code in set(methods)]
    if not methods:
        errors["payment_methods"] = _l("Keep at least one payment method.")
    if not isinstance(no_show_warning, int) or not 1 <= no_show_warning <= MAX_WARNING:
        errors["no_show_warning"] = _l("Enter a whole number from 1 to %(most)s.", most=MAX_WARNING)
    if errors:
        raise FieldErrors(errors)
    stored = None if len(methods) == len(PAYMENT_METHODS) else ",".join(methods)
    Salon.update(payment_methods=stored, no_show_warning=no_show_warning).where(Salon.id == salon.id).execute()
    salon.payment_methods, salon.no_show_warning = stored, no_show_warning
    return salon


def payment_split(salon, start=None, end=None, customer=None):
    """Return [(label, sales, amount)] of the salon's completed sales sold in [start, end), by payment method.

    One query; `customer` narrows it to one client's sales. Sales from before payment methods are "Not recorded".
    """
    query = (Sale.select(Sale.payment_method, fn.COUNT(Sale.id), fn.COALESCE(fn.SUM(Sale.total), 0))
             .where((Sale.salon == salon) & (Sale.status == COMPLETED)))
    if customer is not None:
        query = query.where(Sale.customer == customer)
    if start is not None:
        query = query.where(Sale.sold_at >= start)
    if end is not None:
        query = query.where(Sale.sold_at < end)
    rows = query.group_by(Sale.payment_method).tuples()
    return _labelled({code: (count, int(amount)) for code, count, amount in rows})


def _late_cancellation():
    return (Appointment.status == CANCELLED) & (
        Appointment.status_updated_at > hours_before(Appointment.scheduled_at, LATE_CANCEL_HOURS))


@dataclasses.dataclass(frozen=True)
class Reliability:
    """A client's missed appointments: no-shows, late cancellations, and whether that reaches the salon's warning."""

    no_shows: int
    late_cancellations: int
    threshold: int

    @property
    def missed(self):
        return self.no_shows + self.late_cancellations

    @property
    def warn(self):
        return self.missed >= self.threshold


def _missed_sql():
    """A client's no-shows and late cancellations, fixed SQL (the rule of `_late_cancellation` spelt out): the card
    counts them on every view, and composing the query with peewee cost more than running it."""
    late = sql_dialect.minus_hours('"scheduled_at"', LATE_CANCEL_HOURS)
    return ('SELECT COALESCE(SUM(CASE WHEN "status" = ? THEN 1 ELSE 0 END), 0) AS no_shows, '
            f'COALESCE(SUM(CASE WHEN "status" = ? AND "status_updated_at" > {late} THEN 1 ELSE 0 END), 0) AS late '
            'FROM "appointment" WHERE "salon_id" = ? AND "customer_id" = ? AND "status" IN (?, ?)')


def _missed_params(salon, customer_id):
    return [NO_SHOW, CANCELLED, salon.id, customer_id, NO_SHOW, CANCELLED]


def reliability(salon, customer):
    """Return the customer's Reliability, counted from their appointments in one query."""
    no_shows, late = sql_dialect.execute(_missed_sql(), _missed_params(salon, customer.id)).fetchone()
    return Reliability(int(no_shows), int(late), salon.no_show_warning)


_CUSTOMER_FIELDS = SalonCustomer._meta.sorted_fields


def card_customer(salon, customer_id):
    """Return (this salon's customer with this id, their Reliability) in one statement; raise NotInSalon.

    The card shows both on every view: one round trip instead of two.
    """
    found = one_trip.fetch_one(card_customer_query(salon, customer_id))
    if found is None:
        raise NotInSalon(SalonCustomer, customer_id)
    return found


def card_customer_query(salon, customer_id):
    """The Query of `card_customer`, to run in one trip with the card's other look-ups: its result is None when
    the salon has no such customer. Raise NotInSalon for an id no row can have."""
    if not in_range(customer_id):  # the URL gives an int; one beyond the column's range names no row
        raise NotInSalon(SalonCustomer, customer_id)
    sql = (f'SELECT {column_list(_CUSTOMER_FIELDS, "c")}, missed.no_shows, missed.late FROM "salon_customer" AS c '
           f'CROSS JOIN ({_missed_sql()}) AS missed WHERE c."salon_id" = ? AND c."id" = ?')
    params = [*_missed_params(salon, customer_id), salon.id, customer_id]

    def finish(rows):
        if not rows:
            return None
        *columns, no_shows, late = rows[0]
        customer = row_model(SalonCustomer, _CUSTOMER_FIELDS, columns)
        return customer, Reliability(int(no_shows), int(late), salon.no_show_warning)

    return one_trip.Query(sql, params, (*one_trip.sql_types(_CUSTOMER_FIELDS), "BIGINT", "BIGINT"), finish, fixed=True)


def missed_at_least(salon, minimum):
    """A subquery of the ids of the salon's clients with at least `minimum` no-shows plus late cancellations."""
    missed = (Appointment.status == NO_SHOW) | _late_cancellation()
    return (Appointment.select(Appointment.customer)
            .where((Appointment.salon == salon) & Appointment.status.in_((NO_SHOW, CANCELLED)) & missed)
            .group_by(Appointment.customer).having(fn.COUNT(Appointment.id) >= minimum))


def missed_in_period(salon, start, end):
    """Return (no-shows, late cancellations, appointments) scheduled in [start, end) at the salon."""
    row = (Appointment.select(
        fn.COALESCE(fn.SUM(Case(None, [(Appointment.status == NO_SHOW, 1)], 0)), 0),
        fn.COALESCE(fn.SUM(Case(None, [(_late_cancellation(), 1)], 0)), 0),
        fn.COUNT(Appointment.id))
        .where((Appointment.salon == salon) & (Appointment.scheduled_at >= start) & (Appointment.scheduled_at < end))
        .tuples().get())
    return tuple(int(value) for value in row)



@report
def period_figures(salon, period):
    """Return the analytics period's payment split, revenue per service and missed appointments (a Period)."""
    start, end = period.bounds(salon.timezone)
    no_shows, late, booked = missed_in_period(salon, start, end)
    payments, services = settled.with_stored(
        salon, period.last, f"sales-{period.days}",
        lambda stored, cut: _sales_with(salon, stored, start, cut, end),
        lambda: (payment_split(salon, start, end), revenue_by_service(salon, start, end)))
    return {"payments": payments, "services": services,
            "no_shows": no_shows, "late_cancellations": late,
            "appointments": booked, "missed_rate": (no_shows + late) / booked if booked else None,
            "late_hours": LATE_CANCEL_HOURS}


def settled_sales(salon, start, cut):
    """The job's part of a period's sales figures: those of the sales sold in [start, cut), JSON-able.

    Sales before the cut are settled like visits: posting, back-dating or voiding one more than a day old
    bumps the salon's ledger epoch (services/sales.py).
    """
    return {"payments": _payment_rows(salon, start, cut), "services": _service_rows(salon, start, cut)}


def _sales_with(salon, stored, start, cut, end):
    """(payment split, revenue by service) of [start, end) from the stored part before `cut` and the sales since.

    A client counts once per service: one who bought it since the cut counts only if they had not before it.
    """
    payments = {code: (count, amount) for code, count, amount in stored["payments"]}
    for code, count, amount in _payment_rows(salon, cut, end):
        before = payments.get(code, (0, 0))
        payments[code] = (before[0] + count, before[1] + amount)
    services = {service: (revenue, clients) for service, revenue, clients in stored["services"]}
    for service, revenue, clients in _service_rows(salon, cut, end, new_clients_since=start):
        before = services.get(service, (0, 0))
        services[service] = (before[0] + revenue, before[1] + clients)
    names = dict(Service.select(Service.id, Service.name).where(Service.salon == salon).tuples())
    rows = [(names.get(service), revenue, clients) for service, (revenue, clients) in services.items()]
    return _labelled(payments), by_revenue(rows)


def _payment_rows(salon, start, end):
    """[[payment method, sales, amount]] of the completed sales sold in [start, end)."""
    rows = sql_dialect.execute(
        "SELECT s.payment_method, COUNT(*), COALESCE(SUM(s.total), 0) FROM sale s "
        "WHERE s.salon_id = ? AND s.status = ? AND s.sold_at >= ? AND s.sold_at < ? GROUP BY s.payment_method",
        [salon.id, COMPLETED, sql_dialect.timestamp(start), sql_dialect.timestamp(end)]).fetchall()
    return [[code, int(count), int(amount)] for code, count, amount in rows]


def _service_rows(salon, start, end, *, new_clients_since=None):
    """[[service id or None, revenue, clients]] of completed sale lines sold in [start, end).

    With `new_clients_since`, a client counts only without such a line of that service in [new_clients_since, start):
    looked up once per client and service.
    """
    new_client = "1 = 1"
    params = []
    if new_clients_since is not None:
        new_client = """NOT EXISTS (
            SELECT 1 FROM sale s2 JOIN sale_item i2 ON i2.sale_id = s2.id AND i2.salon_id = s2.salon_id
            WHERE s2.salon_id = c.salon_id AND s2.customer_id = c.customer_id AND s2.status = ?
              AND s2.sold_at >= ? AND s2.sold_at < ? AND COALESCE(i2.service_id, 0) = COALESCE(c.service_id, 0))"""
        params = [COMPLETED, sql_dialect.timestamp(new_clients_since), sql_dialect.timestamp(start)]
    bounds = [sql_dialect.timestamp(start), sql_dialect.timestamp(end)]
    few = ""
    if new_clients_since is not None:  # the few days since the cut: reach their lines through the index on sale_id
        few = " AND " + sql_dialect.among_few(
            "i.sale_id", "SELECT f.id FROM sale f WHERE f.salon_id = ? AND f.sold_at >= ? AND f.sold_at < ?")
    rows = sql_dialect.execute(
        f"""
        SELECT c.service_id, SUM(c.revenue),
               COALESCE(SUM(CASE WHEN c.customer_id IS NOT NULL AND {new_client} THEN 1 ELSE 0 END), 0)
        FROM (
            SELECT s.salon_id, sv.id AS service_id, s.customer_id, SUM(i.quantity * i.unit_price) AS revenue
            FROM sale s JOIN sale_item i ON i.sale_id = s.id AND i.salon_id = s.salon_id
            LEFT JOIN service sv ON sv.id = i.service_id AND sv.salon_id = i.salon_id
            WHERE s.salon_id = ? AND s.status = ? AND s.sold_at >= ? AND s.sold_at < ?{few}
            GROUP BY s.salon_id, sv.id, s.customer_id
        ) AS c
        GROUP BY c.service_id
        """,
        params + [salon.id, COMPLETED, *bounds] + ([salon.id, *bounds] if few else [])).fetchall()
    return [[service, int(revenue or 0), int(clients)] for service, revenue, clients in rows]


def _labelled(payments):
    """[(label, sales, amount)] in the standard order from {code: (sales, amount)}."""
    order = list(PAYMENT_METHODS) + [None]
    return [(PAYMENT_METHODS.get(code, NOT_RECORDED), *payments[code]) for code in order if code in payments]
