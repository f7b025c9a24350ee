"""Customer analytics for one salon: every figure is an aggregate SQL query, never customers in Python.

Day and month boundaries are the salon's local calendar, turned into naive-UTC instants in Python
and passed as parameters, so the same SQL runs on SQLite and PostgreSQL, uses the (salon_id, ...)
indexes and is exact across daylight-saving changes. Money stays in integer minor units.

Definitions (printed on the page as well). "Days since" counts whole local calendar days:
- active: last visit within the last 30 days (on or after local day today-30);
- new: first visit within the last 30 days;
- churned: at least one visit, the last more than 90 days ago (before local day today-90);
- never came: customers with no visit (booked or created, never served): their own figure;
- average lifetime value / visit frequency: total spent / visits per customer who came at least once.
"""
import dataclasses
import datetime
import functools
from contextlib import contextmanager

from salon_web.db import db, is_postgres
from salon_web.models import SalonCustomer
from salon_web.services import analytics_cache
from salon_web.services.clock import EARLIEST_DATE, local_day_bounds, local_today, parse_date

ACTIVE_DAYS = 30
NEW_DAYS = 30
CHURN_DAYS = 90
LOST_DAYS = 180
PERIOD_CHOICES = (30, 90, 365)
MAX_PERIOD_DAYS = 3 * 366
CONVERSION_WINDOWS = (60, 90)
CONVERSION_COHORT_DAYS = 180  # newcomers of the 180 days that ended 90 days ago
CHART_MONTHS = 12
COHORT_MONTHS = 12
TOP_CUSTOMERS = 10
LIVE_APPOINTMENT_STATUSES = ("scheduled", "confirmed", "completed")


# --- SQL plumbing -------------------------------------------------------------------------


@contextmanager
def report_transaction():
    """Run report queries in one transaction tuned for them on PostgreSQL.

    JIT compilation costs 30-60 ms per query and never pays off here; a larger work_mem keeps
    the GROUP BY/DISTINCT of a few hundred thousand visits in memory instead of on disk.
    """
    with db.atomic():
        if is_postgres():
            db.execute_sql("SET LOCAL jit = off")
            db.execute_sql("SET LOCAL work_mem = '64MB'")
        yield


def _report(function):
    """Decorate a report query to run inside report_transaction()."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with report_transaction():
            return function(*args, **kwargs)

    return wrapper


def _sql(text):
    """Write SQL with `?` placeholders; PostgreSQL's driver wants `%s`."""
    return text.replace("?", "%s") if is_postgres() else text


def _at(moment):
    """A naive-UTC datetime as a parameter comparable with stored timestamps on both databases."""
    return moment if is_postgres() else moment.strftime("%Y-%m-%d %H:%M:%S")


def _fetchall(text, params):
    return db.execute_sql(_sql(text), params).fetchall()


def _fetchone(text, params):
    return db.execute_sql(_sql(text), params).fetchone()


def _days_between(earlier, later):
    """SQL for the (fractional) days from `earlier` to `later`."""
    if is_postgres():
        # date_part gives double precision; EXTRACT gives numeric, several times slower to sum.
        return f"(date_part('epoch', {later} - {earlier}) / 86400.0)"
    return f"(julianday({later}) - julianday({earlier}))"


def _plus_days(column, days):
    """SQL for a timestamp column moved by a whole number of days."""
    days = int(days)
    if is_postgres():
        return f"({column} + INTERVAL '{days} days')"
    return f"datetime({column}, '{days:+d} days')"


def _bucket(column, bounds):
    """SQL giving the index i of the half-open range bounds[i] <= column < bounds[i+1]; and its params.

    PostgreSQL's width_bucket does a binary search in C, about three times faster than the CASE
    that SQLite needs on a few hundred thousand visits.
    """
    if is_postgres():
        return f"(width_bucket({column}, ?::timestamp[]) - 1)", [list(bounds)]
    whens = " ".join(f"WHEN {column} < ? THEN {index}" for index in range(-1, len(bounds) - 1))
    return f"CASE {whens} ELSE {len(bounds) - 1} END", [_at(b) for b in bounds]


def day_start(day, timezone):
    """Naive UTC of the start of a local calendar day."""
    return local_day_bounds(day, timezone)[0]


def _ratio(part, whole):
    return None if not whole else part / whole


# --- Periods --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Period:
    """Local calendar days first..last, both included."""

    first: datetime.date
    last: datetime.date

    @property
    def days(self):
        return (self.last - self.first).days + 1

    def previous(self):
        """The period of the same length that ends the day before this one starts."""
        return Period(self.first - datetime.timedelta(days=self.days), self.first - datetime.timedelta(days=1))

    def bounds(self, timezone):
        """Naive-UTC [start, end) of the period."""
        return day_start(self.first, timezone), day_start(self.last + datetime.timedelta(days=1), timezone)


def choose_period(today, days=None, first=None, last=None):
    """Return (Period, errors) from the page's query values; errors is a dict keyed by field."""
    errors = {}
    if first or last:
        # parse_date keeps to years where the period before and its time-zone bounds stay computable.
        try:
            start = parse_date(first)
        except ValueError:
            start = None
        if start is None:
            errors["from"] = f"Enter a start date such as 2026-01-31 (from {EARLIEST_DATE.year})."
        try:
            end = parse_date(last)
        except ValueError:
            end = None
        if end is None:
            errors["to"] = "Enter an end date such as 2026-03-31."
        if not errors:
            if end < start:
                errors["to"] = "The end date must be on or after the start date."
            elif end > today:
                errors["to"] = "The end date cannot be in the future."
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                errors["from"] = f"Choose at most {MAX_PERIOD_DAYS} days."
        if not errors:
            return Period(start, end), errors
    elif days not in (None, ""):
        try:
            count = int(days)
        except ValueError:
            count = None
        if count not in PERIOD_CHOICES:
            errors["days"] = "Choose 30, 90 or 365 days, or enter dates."
        else:
            return Period(today - datetime.timedelta(days=count - 1), today), errors
    return Period(today - datetime.timedelta(days=PERIOD_CHOICES[0] - 1), today), errors


# --- Headline figures -----------------------------------------------------------------------


@_report
def headline(salon, today=None, *, with_segments=False):
    """Return the headline figures of the salon's customers (one scan of salon_customer).

    With `with_segments`, the same scan also counts the RFM segments (under "segments").
    """
    tz = salon.timezone
    today = today or local_today(tz)
    active_from = day_start(today - datetime.timedelta(days=ACTIVE_DAYS), tz)
    new_from = day_start(today - datetime.timedelta(days=NEW_DAYS), tz)
    churn_before = day_start(today - datetime.timedelta(days=CHURN_DAYS), tz)
    segment_sql, segment_params = _segment_sums(salon, today) if with_segments else ("", [])
    row = _fetchone(
        f"""
        SELECT {segment_sql} COUNT(*),
               SUM(CASE WHEN last_visit_at >= ? THEN 1 ELSE 0 END),
               SUM(CASE WHEN first_visit_at >= ? THEN 1 ELSE 0 END),
               SUM(CASE WHEN last_visit_at < ? THEN 1 ELSE 0 END),
               SUM(CASE WHEN visit_count > 0 THEN 1 ELSE 0 END),
               SUM(CASE WHEN visit_count > 0 THEN total_spent ELSE 0 END),
               SUM(visit_count),
               SUM(CASE WHEN visit_count > 1 THEN {_days_between('first_visit_at', 'last_visit_at')} ELSE 0 END),
               SUM(CASE WHEN visit_count > 1 THEN visit_count - 1 ELSE 0 END)
        FROM salon_customer WHERE salon_id = ?
        """,
        segment_params + [_at(active_from), _at(new_from), _at(churn_before), salon.id],
    )
    segment_counts, row = row[: len(SEGMENTS) if with_segments else 0], row[len(SEGMENTS) if with_segments else 0:]
    total, active, new, churned, visitors, spent, visits, gap_days, gaps = [v or 0 for v in row]
    figures = {
        "total": int(total),
        "active": int(active),
        "new": int(new),
        "churned": int(churned),
        "visitors": int(visitors),
        "never_came": int(total) - int(visitors),
        "average_lifetime_value": round(int(spent) / visitors) if visitors else None,
        "average_visits": _ratio(int(visits), int(visitors)),
        "average_days_between_visits": _ratio(float(gap_days), int(gaps)),
    }
    if with_segments:
        figures["segments"] = _with_counts(segment_counts)
    return figures


def top_customers(salon, limit=TOP_CUSTOMERS):
    """Return the salon's `limit` customers with the highest total spent (index on salon, total_spent)."""
    query = (
        SalonCustomer.select(
            SalonCustomer.id, SalonCustomer.full_name, SalonCustomer.visit_count,
            SalonCustomer.total_spent, SalonCustomer.last_visit_at,
        )
        .where((SalonCustomer.salon == salon) & (SalonCustomer.total_spent > 0))
        .order_by(SalonCustomer.total_spent.desc(), SalonCustomer.id.desc())
        .limit(limit)
    )
    return list(query.dicts())


# --- The selected period against the previous one ------------------------------------------


@_report
def period_summary(salon, period):
    """Return visits, revenue, visitors, new customers, retention and rebooking for a period and the one before."""
    tz = salon.timezone
    previous = period.previous()
    prev_start, cur_start = previous.bounds(tz)[0], period.bounds(tz)[0]
    cur_end = period.bounds(tz)[1]
    row = _fetchone(
        """
        SELECT COALESCE(SUM(cur_visits), 0), COALESCE(SUM(cur_amount), 0),
               COALESCE(SUM(prev_visits), 0), COALESCE(SUM(prev_amount), 0),
               COALESCE(SUM(CASE WHEN cur_visits > 0 THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN prev_visits > 0 THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN cur_visits > 0 AND prev_visits > 0 THEN 1 ELSE 0 END), 0)
        FROM (
            SELECT customer_id,
                   SUM(CASE WHEN occurred_at >= ? THEN 1 ELSE 0 END) AS cur_visits,
                   SUM(CASE WHEN occurred_at >= ? THEN amount ELSE 0 END) AS cur_amount,
                   SUM(CASE WHEN occurred_at < ? THEN 1 ELSE 0 END) AS prev_visits,
                   SUM(CASE WHEN occurred_at < ? THEN amount ELSE 0 END) AS prev_amount
            FROM visit
            WHERE salon_id = ? AND occurred_at >= ? AND occurred_at < ?
            GROUP BY customer_id
        ) AS per_customer
        """,
        [_at(cur_start)] * 4 + [salon.id, _at(prev_start), _at(cur_end)],
    )
    cur_visits, cur_amount, prev_visits, prev_amount, cur_visitors, prev_visitors, retained = [int(v) for v in row]
    new_row = _fetchone(
        """
        SELECT COALESCE(SUM(CASE WHEN first_visit_at >= ? THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN first_visit_at < ? THEN 1 ELSE 0 END), 0)
        FROM salon_customer
        WHERE salon_id = ? AND first_visit_at >= ? AND first_visit_at < ?
        """,
        [_at(cur_start), _at(cur_start), salon.id, _at(prev_start), _at(cur_end)],
    )
    rebooked_before, rebooked_now = rebooking(salon, previous, period)
    return {
        "period": period,
        "previous": previous,
        "current": {
            "visits": cur_visits, "revenue": cur_amount, "visitors": cur_visitors, "new": int(new_row[0]),
            "rebooking": rebooked_now,
        },
        "before": {
            "visits": prev_visits, "revenue": prev_amount, "visitors": prev_visitors, "new": int(new_row[1]),
            "rebooking": rebooked_before,
        },
        # Of the customers who came in the previous period, the share who came again in this one.
        "retention": {"base": prev_visitors, "retained": retained, "rate": _ratio(retained, prev_visitors)},
    }


@_report
def rebooking(salon, *periods):
    """Return, per period (consecutive, in order), {base, rebooked, rate}.

    base: customers whose last visit fell in the period; rebooked: those of them who left booked, that is
    with an appointment after that visit, not cancelled or missed, created no later than the end of the
    visit's day (one day after the visit at most). One index range scan serves all periods.
    """
    bounds = [periods[0].bounds(salon.timezone)[0]] + [period.bounds(salon.timezone)[1] for period in periods]
    which, which_params = _bucket("sc.last_visit_at", bounds)
    statuses = ", ".join("?" for _ in LIVE_APPOINTMENT_STATUSES)
    rows = _fetchall(
        f"""
        SELECT {which}, COUNT(*),
               COALESCE(SUM(CASE WHEN EXISTS (
                   SELECT 1 FROM appointment a
                   WHERE a.customer_id = sc.id AND a.salon_id = sc.salon_id
                     AND a.scheduled_at > sc.last_visit_at
                     AND a.created_at <= {_plus_days('sc.last_visit_at', 1)}
                     AND a.status IN ({statuses})
               ) THEN 1 ELSE 0 END), 0)
        FROM salon_customer sc
        WHERE sc.salon_id = ? AND sc.last_visit_at >= ? AND sc.last_visit_at < ?
        GROUP BY 1
        """,
        which_params + [*LIVE_APPOINTMENT_STATUSES, salon.id, _at(bounds[0]), _at(bounds[-1])],
    )
    counts = {int(index): (int(base), int(rebooked)) for index, base, rebooked in rows}
    found = []
    for index in range(len(periods)):
        base, rebooked = counts.get(index, (0, 0))
        found.append({"base": base, "rebooked": rebooked, "rate": _ratio(rebooked, base)})
    return found


@_report
def second_visit_conversion(salon, today=None):
    """Return, per window (60, 90 days), how many newcomers came a second time within it.

    The cohort: customers whose first visit was 90 to 269 local days ago, so each had 90 days to return.
    MATERIALIZED finds each newcomer's second visit once; inlined, PostgreSQL looked it up once per window.
    """
    tz = salon.timezone
    today = today or local_today(tz)
    longest = max(CONVERSION_WINDOWS)
    cohort_end = day_start(today - datetime.timedelta(days=longest - 1), tz)
    cohort_start = day_start(today - datetime.timedelta(days=longest + CONVERSION_COHORT_DAYS - 1), tz)
    windows = ", ".join(
        f"COALESCE(SUM(CASE WHEN second_at <= {_plus_days('first_visit_at', days)} THEN 1 ELSE 0 END), 0)"
        for days in CONVERSION_WINDOWS
    )
    row = _fetchone(
        f"""
        WITH newcomers AS MATERIALIZED (
            SELECT sc.first_visit_at,
                   CASE WHEN sc.visit_count > 1 THEN (  -- one-time visitors need no look-up
                       SELECT MIN(v.occurred_at) FROM visit v
                       WHERE v.customer_id = sc.id AND v.occurred_at > sc.first_visit_at) END AS second_at
            FROM salon_customer sc
            WHERE sc.salon_id = ? AND sc.first_visit_at >= ? AND sc.first_visit_at < ?
        )
        SELECT COUNT(*), {windows} FROM newcomers
        """,
        [salon.id, _at(cohort_start), _at(cohort_end)],
    )
    base = int(row[0])
    return {
        "cohort_first": today - datetime.timedelta(days=longest + CONVERSION_COHORT_DAYS - 1),
        "cohort_last": today - datetime.timedelta(days=longest),
        "base": base,
        "windows": [
            {"days": days, "converted": int(count), "rate": _ratio(int(count), base)}
            for days, count in zip(CONVERSION_WINDOWS, row[1:])
        ],
    }


# --- RFM segments ---------------------------------------------------------------------------

# Disjoint segments, checked in this order. R = local days since the last visit, F = visits.
# `link` is the customer-list filter (DESIGN.md URL contract); `exact` says whether the list
# shows exactly the segment (the list has only minimum filters) or a wider set sorted so the
# segment comes first.
SEGMENTS = [
    {"key": "champions", "name": "Champions", "rule": "5 or more visits, the last within 30 days",
     "link": {"min_visits": 5, "sort": "last_visit", "order": "desc"}, "exact": False},
    {"key": "loyal", "name": "Loyal", "rule": "3 or more visits, the last within 90 days (not champions)",
     "link": {"min_visits": 3, "sort": "last_visit", "order": "desc"}, "exact": False},
    {"key": "new", "name": "New", "rule": "1 visit, within the last 30 days",
     "link": {"sort": "last_visit", "order": "desc"}, "exact": False},
    {"key": "promising", "name": "Promising", "rule": "1 or 2 visits, the last within 90 days (not new)",
     "link": {"min_visits": 1, "sort": "last_visit", "order": "desc"}, "exact": False},
    {"key": "at_risk", "name": "At risk", "rule": "3 or more visits, none for more than 90 days",
     "link": {"min_visits": 3, "days_since_last_visit": CHURN_DAYS + 1, "sort": "total_spent", "order": "desc"},
     "exact": True},
    {"key": "hibernating", "name": "Hibernating", "rule": "1 or 2 visits, the last 91 to 180 days ago",
     "link": {"min_visits": 1, "days_since_last_visit": CHURN_DAYS + 1, "sort": "visit_count", "order": "asc"},
     "exact": False},
    {"key": "lost", "name": "Lost", "rule": "1 or 2 visits, none for more than 180 days",
     "link": {"min_visits": 1, "days_since_last_visit": LOST_DAYS + 1, "sort": "visit_count", "order": "asc"},
     "exact": False},
    {"key": "never_came", "name": "Never came", "rule": "no visit yet",
     "link": {"sort": "visit_count", "order": "asc"}, "exact": False},
]


def _segment_sums(salon, today):
    """SQL select-list items counting each segment of SEGMENTS (in order, each ending with a comma), and params."""
    within = {days: _at(day_start(today - datetime.timedelta(days=days), salon.timezone)) for days in (30, 90, 180)}
    sql = """
          SUM(CASE WHEN visit_count >= 5 AND last_visit_at >= ? THEN 1 ELSE 0 END),
          SUM(CASE WHEN visit_count >= 3 AND last_visit_at >= ?
                    AND NOT (visit_count >= 5 AND last_visit_at >= ?) THEN 1 ELSE 0 END),
          SUM(CASE WHEN visit_count = 1 AND last_visit_at >= ? THEN 1 ELSE 0 END),
          SUM(CASE WHEN visit_count BETWEEN 1 AND 2 AND last_visit_at >= ?
                    AND NOT (visit_count = 1 AND last_visit_at >= ?) THEN 1 ELSE 0 END),
          SUM(CASE WHEN visit_count >= 3 AND last_visit_at < ? THEN 1 ELSE 0 END),
          SUM(CASE WHEN visit_count BETWEEN 1 AND 2 AND last_visit_at < ? AND last_visit_at >= ? THEN 1 ELSE 0 END),
          SUM(CASE WHEN visit_count BETWEEN 1 AND 2 AND last_visit_at < ? THEN 1 ELSE 0 END),
          SUM(CASE WHEN visit_count = 0 THEN 1 ELSE 0 END),
    """
    params = [within[30], within[90], within[30], within[30], within[90], within[30],
              within[90], within[90], within[180], within[180]]
    return sql, params


def _with_counts(counts):
    return [{**segment, "count": int(count or 0)} for segment, count in zip(SEGMENTS, counts)]


@_report
def segments(salon, today=None):
    """Return SEGMENTS with their customer counts (one scan of salon_customer)."""
    today = today or local_today(salon.timezone)
    sql, params = _segment_sums(salon, today)
    row = _fetchone(f"SELECT {sql.rstrip().rstrip(',')} FROM salon_customer WHERE salon_id = ?", params + [salon.id])
    return _with_counts(row)


# --- Months: charts and cohorts -------------------------------------------------------------


def month_starts(today, months):
    """The first local days of the last `months` months (the current one last), then of the next month."""
    index = today.year * 12 + today.month - 1  # months since year 0, so arithmetic is plain integers
    return [datetime.date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 2)]


@_report
def month_grid(salon, today=None, months=CHART_MONTHS):
    """Return (first days of the months, {(cohort, month): (visits, amount, customers)}).

    `month` indexes the last `months` local months; `cohort` is the month of the customer's first visit
    (-1: before them). Each customer has one cohort, so summing over cohorts gives each month's figures,
    and the diagonal (cohort == month) gives each month's newcomers. Months that ended a while ago come
    from services/analytics_cache.py; only the rest are read from the ledger.
    """
    tz = salon.timezone
    today = today or local_today(tz)
    firsts = month_starts(today, months)
    bounds = [day_start(day, tz) for day in firsts]
    settled = analytics_cache.settled_bound(bounds)
    if settled is None:
        rows = _grid_rows(salon, bounds, bounds[-1])
    else:
        key = f"month-grid:{tz}:{firsts[0]}:{months}:{settled:%Y-%m-%dT%H:%M}"
        rows = analytics_cache.cached_cells(salon, key, lambda: _grid_rows(salon, bounds, settled))
        rows = rows + _grid_rows(salon, bounds, bounds[-1], since=settled)
    grid = {(c, m): (n, amount, people) for c, m, n, amount, people in rows}  # _grid_rows gave ints
    return firsts[:-1], grid


def _grid_rows(salon, bounds, until, since=None):
    """Return [cohort, month, visits, amount, customers] rows of the visits in [since or bounds[0], until)."""
    cohort, cohort_params = _bucket("sc.first_visit_at", bounds)
    month, month_params = _bucket("v.occurred_at", bounds)
    since = _at(since or bounds[0])
    # Whoever came since `since` has last_visit_at >= since: that index narrows the customers to join.
    rows = _fetchall(
        f"""
        SELECT {cohort} AS cohort, {month} AS month, COUNT(*), SUM(v.amount), COUNT(DISTINCT v.customer_id)
        FROM visit v JOIN salon_customer sc ON sc.id = v.customer_id AND sc.salon_id = ? AND sc.last_visit_at >= ?
        WHERE v.salon_id = ? AND v.occurred_at >= ? AND v.occurred_at < ?
        GROUP BY 1, 2
        """,
        cohort_params + month_params + [salon.id, since, salon.id, since, _at(until)],
    )
    return [[int(c), int(m), int(n), int(amount or 0), int(people)] for c, m, n, amount, people in rows]


def monthly(salon, today=None, months=CHART_MONTHS, grid=None):
    """Return per local month: visits, revenue, customers who came, new and returning customers."""
    firsts, cells = grid or month_grid(salon, today, months)
    rows = []
    for index, first in enumerate(firsts):
        column = [value for (_, month), value in cells.items() if month == index]
        people = sum(value[2] for value in column)
        new = cells.get((index, index), (0, 0, 0))[2]
        rows.append({
            "month": first,
            "visits": sum(value[0] for value in column),
            "revenue": sum(value[1] for value in column),
            "customers": people,
            "new": new,
            "returning": people - new,
        })
    return rows


def cohorts(salon, today=None, months=COHORT_MONTHS, grid=None):
    """Return monthly cohorts (by local month of first visit) with the share who came in each later month."""
    firsts, cells = grid or month_grid(salon, today, months)
    table = []
    for index, first in enumerate(firsts):
        size = cells.get((index, index), (0, 0, 0))[2]
        retention = []
        for later in range(index, len(firsts)):
            count = cells.get((index, later), (0, 0, 0))[2]
            retention.append({"count": count, "rate": _ratio(count, size)})
        table.append({"month": first, "size": size, "retention": retention})
    return table


@_report
def analytics_page(salon, period, today=None, *, period_only=False):
    """Return every figure of the analytics page (only the period's when `period_only`)."""
    today = today or local_today(salon.timezone)
    if period_only:
        return {"today": today, "summary": period_summary(salon, period)}
    figures = headline(salon, today, with_segments=True)  # one scan of salon_customer for both
    grid = month_grid(salon, today)  # one pass over the year's visits for charts and cohorts
    return {
        "today": today,
        "headline": figures,
        "top_customers": top_customers(salon),
        "summary": period_summary(salon, period),
        "conversion": second_visit_conversion(salon, today),
        "segments": figures["segments"],
        "monthly": monthly(salon, grid=grid),
        "cohorts": cohorts(salon, grid=grid),
    }
