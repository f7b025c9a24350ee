"""A chosen period of local days against the one before it: visits, revenue, visitors, retention, rebooking."""
import collections
import dataclasses
import datetime

from salon_web import sql_dialect
from salon_web.services.analytics import settled
from salon_web.services.analytics.reports import day_start, fetchall, fetchone, ratio, report
from salon_web.services.field_errors import FieldErrors
from salon_web.texts import _l

PERIOD_CHOICES = (30, 90, 365)
MAX_PERIOD_DAYS = 3 * 366
LIVE_APPOINTMENT_STATUSES = ("scheduled", "confirmed", "completed")


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


@dataclasses.dataclass(frozen=True)
class PeriodChoice:
    """What was asked for: the last `days` days, or the dates first..last, or nothing (the default)."""

    days: int | None = None
    first: datetime.date | None = None
    last: datetime.date | None = None


def last_days(today, days):
    """The period of the last `days` local days, today included."""
    return Period(today - datetime.timedelta(days=days - 1), today)


def default_period(today):
    """The period shown when none (or none usable) was chosen: the last 30 days."""
    return last_days(today, PERIOD_CHOICES[0])


def choose_period(today, choice):
    """Return the Period of a PeriodChoice; raise FieldErrors (days, first, last) for one the page does not offer."""
    if choice.first is not None and choice.last is not None:
        if choice.last < choice.first:
            raise FieldErrors({"last": _l("The end date must be on or after the start date.")})
        if choice.last > today:
            raise FieldErrors({"last": _l("The end date cannot be in the future.")})
        if (choice.last - choice.first).days + 1 > MAX_PERIOD_DAYS:
            raise FieldErrors({"first": _l("Choose at most %(count)s days.", count=MAX_PERIOD_DAYS)})
        return Period(choice.first, choice.last)
    if choice.days is not None:
        if choice.days not in PERIOD_CHOICES:
            raise FieldErrors({"days": _l("Choose 30, 90 or 365 days, or enter dates.")})
        return last_days(today, choice.days)
    return default_period(today)


@report
def period_summary(salon, period):
    """Return visits, revenue, visitors, new customers, retention and rebooking for a period and the one before."""
    tz = salon.timezone
    previous = period.previous()
    today = period.last  # the stored parts are those of periods that end on their day
    counts = settled.with_stored(salon, today, f"period-{period.days}",
                                 lambda stored, cut: _counts_with(salon, period, stored, cut),
                                 lambda: _counts(salon, period))
    cur_visits, cur_amount, prev_visits, prev_amount, cur_visitors, prev_visitors, retained = counts
    prev_start = sql_dialect.timestamp(previous.bounds(tz)[0])
    cur_start, cur_end = (sql_dialect.timestamp(bound) for bound in period.bounds(tz))
    new_row = fetchone(
        """
        SELECT COALESCE(SUM(CASE WHEN first_visit_at >= ? THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN first_visit_at < ? THEN 1 ELSE 0 END), 0)
        FROM salon_customer
        WHERE salon_id = ? AND first_visit_at >= ? AND first_visit_at < ?
        """,
        [cur_start, cur_start, salon.id, prev_start, cur_end],
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
        "retention": {"base": prev_visitors, "retained": retained, "rate": ratio(retained, prev_visitors)},
    }


def _counts(salon, period, until=None):
    """[visits, amount (period), visits, amount (the one before), visitors of each, visitors of both].

    With `until`, only visits before it (the job's settled part of a period that ends today).
    """
    tz = salon.timezone
    prev_start = sql_dialect.timestamp(period.previous().bounds(tz)[0])
    cur_start, cur_end = (sql_dialect.timestamp(bound) for bound in period.bounds(tz))
    row = fetchone(
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
        [cur_start] * 4 + [salon.id, prev_start, sql_dialect.timestamp(until) if until else cur_end],
    )
    return [int(value) for value in row]


def settled_period(salon, today, days, cut):
    """The job's part of the last `days` days ending `today`: _counts() of the visits before `cut`."""
    return _counts(salon, last_days(today, days), until=cut)


def _counts_with(salon, period, stored, cut):
    """_counts() from the settled part and the live figures; None when a visit lies after the period.

    Visits since the cut are summed from the ledger. There are no visits after today, so whoever came in
    the period has their last visit in it, and whoever came in the previous period but not in this one
    has it there: the customers' last visits give both visitor counts without reading the visits.
    """
    tz = salon.timezone
    prev_start, cur_start = period.previous().bounds(tz)[0], period.bounds(tz)[0]
    cur_end = period.bounds(tz)[1]
    visits, amount, later, cur_visitors, gone = fetchone(
        """
        SELECT (SELECT COUNT(*) FROM visit v WHERE v.salon_id = ? AND v.occurred_at >= ? AND v.occurred_at < ?),
               (SELECT COALESCE(SUM(v.amount), 0) FROM visit v
                WHERE v.salon_id = ? AND v.occurred_at >= ? AND v.occurred_at < ?),
               (SELECT COUNT(*) FROM salon_customer sc WHERE sc.salon_id = ? AND sc.last_visit_at >= ?),
               (SELECT COUNT(*) FROM salon_customer sc
                WHERE sc.salon_id = ? AND sc.last_visit_at >= ? AND sc.last_visit_at < ?),
               (SELECT COUNT(*) FROM salon_customer sc
                WHERE sc.salon_id = ? AND sc.last_visit_at >= ? AND sc.last_visit_at < ?)
        """,
        [salon.id, *map(sql_dialect.timestamp, (cut, cur_end))] * 2
        + [salon.id, sql_dialect.timestamp(cur_end)]
        + [salon.id, *map(sql_dialect.timestamp, (cur_start, cur_end))]
        + [salon.id, *map(sql_dialect.timestamp, (prev_start, cur_start))],
    )
    if later:
        return None  # a visit after the period: last visits no longer tell who came in it
    cur_visits, cur_amount, prev_visits, prev_amount, _, prev_visitors, _ = stored
    return [cur_visits + int(visits), cur_amount + int(amount), prev_visits, prev_amount,
            int(cur_visitors), prev_visitors, prev_visitors - int(gone)]


@report
def rebooking(salon, *periods):
    """Return, per period (consecutive, in order), {base, rebooked, rate}.

    base: customers whose last visit fell in the period; rebooked: those of them who left booked, that is
    with an appointment after that visit, not cancelled or missed, created no later than the end of the
    visit's day (one day after the visit at most). Counted apart, so the rebooked are a semi-join that
    PostgreSQL can drive from the salon's appointments, not one look-up per customer.
    """
    bounds = [periods[0].bounds(salon.timezone)[0]] + [period.bounds(salon.timezone)[1] for period in periods]
    which, which_params = sql_dialect.bucket_index("sc.last_visit_at", bounds)
    statuses = ", ".join("?" for _ in LIVE_APPOINTMENT_STATUSES)
    in_range = "sc.salon_id = ? AND sc.last_visit_at >= ? AND sc.last_visit_at < ?"
    range_params = [salon.id, sql_dialect.timestamp(bounds[0]), sql_dialect.timestamp(bounds[-1])]
    rows = fetchall(
        f"""
        SELECT {which}, COUNT(*), 0 FROM salon_customer sc WHERE {in_range} GROUP BY 1
        UNION ALL
        SELECT {which}, 0, COUNT(*) FROM salon_customer sc
        WHERE {in_range} AND EXISTS (
            SELECT 1 FROM appointment a
            WHERE a.customer_id = sc.id AND a.salon_id = sc.salon_id
              AND a.scheduled_at > sc.last_visit_at
              AND a.created_at <= {sql_dialect.plus_days('sc.last_visit_at', 1)}
              AND a.status IN ({statuses}))
        GROUP BY 1
        """,
        which_params + range_params + which_params + range_params + [*LIVE_APPOINTMENT_STATUSES],
    )
    counts = collections.Counter()
    for index, base, rebooked in rows:
        counts[int(index), "base"] += int(base)
        counts[int(index), "rebooked"] += int(rebooked)
    found = []
    for index in range(len(periods)):
        base, rebooked = counts[index, "base"], counts[index, "rebooked"]
        found.append({"base": base, "rebooked": rebooked, "rate": ratio(rebooked, base)})
    return found
