"""The headline figures of a salon's customers, its top customers, and first-to-second-visit conversion."""
import datetime

from peewee import SQL, Case, fn

from salon_web import sql_dialect
from salon_web.models import SalonCustomer
from salon_web.services.analytics import segments as rfm
from salon_web.services.analytics.reports import days_ago, fetchone, ratio, report
from salon_web.services.clock import local_today

ACTIVE_DAYS = 30
NEW_DAYS = 30
CHURN_DAYS = 90
TOP_CUSTOMERS = 10
CONVERSION_WINDOWS = (60, 90)
CONVERSION_COHORT_DAYS = 180  # newcomers of the 180 days that ended 90 days ago


def _count_where(condition):
    return fn.SUM(Case(None, [(condition, 1)], 0))


def _headline_columns(today, timezone):
    """The select list of the headline figures, in the order headline() reads them."""
    customer = SalonCustomer
    came_twice = customer.visit_count > 1
    return [
        fn.COUNT(SQL("*")),
        _count_where(customer.last_visit_at >= days_ago(today, ACTIVE_DAYS, timezone)),
        _count_where(customer.first_visit_at >= days_ago(today, NEW_DAYS, timezone)),
        _count_where(customer.last_visit_at < days_ago(today, CHURN_DAYS, timezone)),
        _count_where(customer.visit_count > 0),
        fn.SUM(Case(None, [(customer.visit_count > 0, customer.total_spent)], 0)),
        fn.SUM(customer.visit_count),
        fn.SUM(Case(None, [(came_twice, SQL(sql_dialect.days_between("first_visit_at", "last_visit_at")))], 0)),
        fn.SUM(Case(None, [(came_twice, customer.visit_count - 1)], 0)),
    ]


@report
def headline(salon, today=None, *, with_segments=False):
    """Return the headline figures of the salon's customers (one scan of salon_customer).

    With `with_segments`, the same scan also counts the RFM segments (under "segments").
    """
    tz = salon.timezone
    today = today or local_today(tz)
    segment_columns = rfm.counters(rfm.CutOffs.on(today, tz)) if with_segments else []
    row = SalonCustomer.in_salon(salon, *segment_columns, *_headline_columns(today, tz)).tuples().get()
    segment_counts, row = row[:len(segment_columns)], row[len(segment_columns):]
    total, active, new, churned, visitors, spent, visits, gap_days, gaps = [v or 0 for v in row]
    figures = {
        "total": int(total),
        "active": int(active),
        "new": int(new),
        "churned": int(churned),
        "visitors": int(visitors),
        "never_came": int(total) - int(visitors),
        "average_lifetime_value": round(int(spent) / visitors) if visitors else None,
        "average_visits": ratio(int(visits), int(visitors)),
        "average_days_between_visits": ratio(float(gap_days), int(gaps)),
    }
    if with_segments:
        figures["segments"] = rfm.with_counts(segment_counts)
    return figures


def top_customers(salon, limit=TOP_CUSTOMERS):
    """Return the salon's `limit` customers with the highest total spent (index on salon, total_spent)."""
    query = (
        SalonCustomer.in_salon(
            salon, SalonCustomer.id, SalonCustomer.full_name, SalonCustomer.visit_count,
            SalonCustomer.total_spent, SalonCustomer.last_visit_at,
        )
        .where((SalonCustomer.total_spent > 0) & SalonCustomer.forgotten_at.is_null())  # a forgotten client is listed nowhere
        .order_by(SalonCustomer.total_spent.desc(), SalonCustomer.id.desc())
        .limit(limit)
    )
    return list(query.dicts())


@report
def second_visit_conversion(salon, today=None):
    """Return, per window (60, 90 days), how many newcomers came a second time within it.

    The cohort: customers whose first visit was 90 to 269 local days ago, so each had 90 days to return.
    MATERIALIZED finds each newcomer's second visit once; inlined, PostgreSQL looked it up once per window.
    """
    tz = salon.timezone
    today = today or local_today(tz)
    longest = max(CONVERSION_WINDOWS)
    cohort_end = days_ago(today, longest - 1, tz)
    cohort_start = days_ago(today, longest + CONVERSION_COHORT_DAYS - 1, tz)
    windows = ", ".join(
        f"COALESCE(SUM(CASE WHEN second_at <= {sql_dialect.plus_days('first_visit_at', days)} THEN 1 ELSE 0 END), 0)"
        for days in CONVERSION_WINDOWS
    )
    row = fetchone(
        f"""
        WITH newcomers AS MATERIALIZED (
            SELECT sc.first_visit_at,
                   CASE WHEN sc.visit_count > 1 THEN (  -- one-time visitors need no look-up
                       SELECT MIN(v.occurred_at) FROM visit v
                       WHERE v.customer_id = sc.id AND v.salon_id = sc.salon_id
                         AND v.occurred_at > sc.first_visit_at) END AS second_at
            FROM salon_customer sc
            WHERE sc.salon_id = ? AND sc.first_visit_at >= ? AND sc.first_visit_at < ?
        )
        SELECT COUNT(*), {windows} FROM newcomers
        """,
        [salon.id, sql_dialect.timestamp(cohort_start), sql_dialect.timestamp(cohort_end)],
    )
    base = int(row[0])
    return {
        "cohort_first": today - datetime.timedelta(days=longest + CONVERSION_COHORT_DAYS - 1),
        "cohort_last": today - datetime.timedelta(days=longest),
        "base": base,
        "windows": [
            {"days": days, "converted": int(count), "rate": ratio(int(count), base)}
            for days, count in zip(CONVERSION_WINDOWS, row[1:])
        ],
    }
