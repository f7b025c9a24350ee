"""The headline figures of a salon's customers, its top customers, and first-to-second-visit conversion."""
import collections
import dataclasses
import datetime

from salon_web import sql_dialect
from salon_web.models import SalonCustomer
from salon_web.services.analytics import segments as rfm
from salon_web.services.analytics import settled
from salon_web.services.analytics.reports import days_ago, fetchall, fetchone, ratio, report
from salon_web.services.clock import local_today

ACTIVE_DAYS = 30
NEW_DAYS = 30
CHURN_DAYS = 90
TOP_CUSTOMERS = 10
CONVERSION_WINDOWS = (60, 90)
CONVERSION_COHORT_DAYS = 180  # newcomers of the 180 days that ended 90 days ago


VISIT_THRESHOLDS = (1, 2, 3, 5)  # the visit counts the headline and the segment rules compare with


@dataclasses.dataclass(frozen=True)
class Buckets:
    """The few classes that decide every headline figure and segment of a customer on a local day.

    A customer's class is (how many VISIT_THRESHOLDS their visit count reaches, how many `recency` cut-offs
    their last visit reaches, whether their first visit is new): grouping by it leaves a few dozen rows
    of counts and sums, folded here in Python, for the whole salon or for any set of customers.
    """

    active_since: datetime.datetime
    churn_since: datetime.datetime
    new_since: datetime.datetime
    cutoffs: rfm.CutOffs

    @classmethod
    def on(cls, today, timezone):
        """The classes seen on local day `today`."""
        return cls(days_ago(today, ACTIVE_DAYS, timezone), days_ago(today, CHURN_DAYS, timezone),
                   days_ago(today, NEW_DAYS, timezone), rfm.CutOffs.on(today, timezone))

    @property
    def recency(self):
        """The ascending naive-UTC instants that last visits are compared with."""
        cutoffs = self.cutoffs
        return tuple(sorted({self.active_since, self.churn_since, cutoffs.recent_since, cutoffs.churn_since,
                             cutoffs.lost_since}))

    def select(self, visits, spent, first, last):
        """SQL select list (class columns, count, sums) over these columns, and its params; GROUP BY 1, 2, 3."""
        reached = " + ".join(f"CASE WHEN {visits} >= {int(n)} THEN 1 ELSE 0 END" for n in VISIT_THRESHOLDS)
        recent = " + ".join(f"CASE WHEN {last} >= ? THEN 1 ELSE 0 END" for _ in self.recency)
        sql = (f"{reached}, {recent}, CASE WHEN {first} >= ? THEN 1 ELSE 0 END, COUNT(*), "
               f"COALESCE(SUM({spent}), 0), COALESCE(SUM({visits}), 0), "
               f"COALESCE(SUM({sql_dialect.seconds_between(first, last)}), 0)")
        return sql, [sql_dialect.timestamp(bound) for bound in (*self.recency, self.new_since)]

    def rows(self, text, params):
        """Run grouped SQL whose select list starts with select(); return its rows as plain numbers."""
        return [[int(c), int(r), int(f), int(n), int(spent), int(visits), int(seconds)]
                for c, r, f, n, spent, visits, seconds in fetchall(text, params)]

    def fold(self, rows, total=None):
        """The headline figures and segment counts of grouped rows (`total`: every customer, if rows miss some)."""
        sums = collections.Counter()
        segments = collections.Counter()
        for reached, recent, fresh, count, spent, visits, seconds in rows:
            sums["total"] += count
            if reached == 0:
                segments["never_came"] += count
                continue
            # A representative customer of the class: the least visit count and last visit it allows.
            least = ([0] + list(VISIT_THRESHOLDS))[reached]
            last = self.recency[recent - 1] if recent else datetime.datetime.min
            segments[rfm.segment_of(least, last, self.cutoffs)] += count
            sums["active"] += count if last >= self.active_since else 0
            sums["churned"] += count if last < self.churn_since else 0
            sums["new"] += count * fresh
            sums["visitors"] += count
            sums["spent"] += spent
            sums["visits"] += visits
            if reached >= 2:  # came twice or more
                sums["gap_seconds"] += seconds
                sums["gaps"] += visits - count
        total = sums["total"] if total is None else total
        visitors = sums["visitors"]
        figures = {
            "total": total,
            "active": sums["active"],
            "new": sums["new"],
            "churned": sums["churned"],
            "visitors": visitors,
            "never_came": total - visitors,
            "average_lifetime_value": round(sums["spent"] / visitors) if visitors else None,
            "average_visits": ratio(sums["visits"], visitors),
            "average_days_between_visits": ratio(sums["gap_seconds"] / 86_400, sums["gaps"]),
        }
        segments["never_came"] = total - visitors
        return figures, rfm.with_counts([segments[segment["key"]] for segment in rfm.SEGMENTS])


@report
def headline(salon, today=None, *, with_segments=False):
    """Return the headline figures of the salon's customers: the day's stored part and a live delta, or one scan.

    With `with_segments`, the same rows also give the RFM segments (under "segments").
    """
    today = today or local_today(salon.timezone)
    figures, segments = headline_and_segments(salon, today)
    return figures | {"segments": segments} if with_segments else figures


def headline_and_segments(salon, today):
    """Return (headline figures, RFM segments with counts) on local day `today`."""
    buckets = Buckets.on(today, salon.timezone)

    def combine(stored, cut):
        rows, total = _delta_rows(salon, buckets, cut)
        return buckets.fold(stored + rows, total=total)

    return settled.with_stored(salon, today, "headline", combine, lambda: buckets.fold(_all_rows(salon, buckets)))


def _all_rows(salon, buckets):
    """The class rows of every customer of the salon (one scan of salon_customer)."""
    select, params = buckets.select("visit_count", "total_spent", "first_visit_at", "last_visit_at")
    return buckets.rows(f"SELECT {select} FROM salon_customer WHERE salon_id = ? GROUP BY 1, 2, 3",
                        params + [salon.id])


def settled_headline(salon, buckets, cut):
    """The class rows of every customer by their visits before `cut` (customers who came before it).

    One statement, so each customer is read once: before the cut, the stored figures are those visits;
    a customer who came since has them summed from the ledger.
    """
    select, params = buckets.select("visits", "spent", "first_at", "last_at")
    at = sql_dialect.timestamp(cut)
    return buckets.rows(
        f"""
        SELECT {select} FROM (
            SELECT sc.visit_count AS visits, sc.total_spent AS spent, sc.first_visit_at AS first_at,
                   sc.last_visit_at AS last_at
            FROM salon_customer sc WHERE sc.salon_id = ? AND sc.last_visit_at < ?
            UNION ALL
            SELECT COUNT(*), SUM(v.amount), MIN(v.occurred_at), MAX(v.occurred_at)
            FROM salon_customer sc JOIN visit v ON v.customer_id = sc.id AND v.salon_id = sc.salon_id
            WHERE sc.salon_id = ? AND sc.last_visit_at >= ? AND v.occurred_at < ?
            GROUP BY sc.id
        ) AS settled GROUP BY 1, 2, 3
        """,
        params + [salon.id, at, salon.id, at, at],
    )


def _delta_rows(salon, buckets, cut):
    """Return (class rows that turn the settled rows into today's, the number of customers).

    Only customers who came since the cut differ from their settled selves: their figures now count (+),
    their figures before the cut come off (-): now less the visits since the cut (an index-only range of a
    few days), the last visit before it one index descent per customer.
    """
    at = sql_dialect.timestamp(cut)
    now_select, now_params = buckets.select("visit_count", "total_spent", "first_visit_at", "last_visit_at")
    before_select, before_params = buckets.select("visits", "spent", "first_visit_at", "last_at")
    rows = fetchall(
        f"""
        WITH recent AS (
            SELECT sc.visit_count, sc.total_spent, sc.first_visit_at, sc.last_visit_at,
                   sc.visit_count - r.visits AS visits, sc.total_spent - r.spent AS spent,
                   CASE WHEN sc.visit_count > r.visits THEN (
                       SELECT MAX(v.occurred_at) FROM visit v
                       WHERE v.salon_id = sc.salon_id AND v.customer_id = sc.id AND v.occurred_at < ?) END AS last_at
            FROM (SELECT v.customer_id, COUNT(*) AS visits, SUM(v.amount) AS spent FROM visit v
                  WHERE v.salon_id = ? AND v.occurred_at >= ? GROUP BY v.customer_id) AS r
            JOIN salon_customer sc ON sc.id = r.customer_id AND sc.salon_id = ?
            WHERE sc.last_visit_at >= ?  -- true of each of them: lets the index on last visits find them
        )
        SELECT 1, {now_select} FROM recent GROUP BY 2, 3, 4
        UNION ALL
        SELECT -1, {before_select} FROM recent WHERE visits > 0 GROUP BY 2, 3, 4
        UNION ALL
        SELECT 0, 0, 0, 0, COUNT(*), 0, 0, 0 FROM salon_customer sc WHERE sc.salon_id = ?
        """,
        [at, salon.id, at, salon.id, at] + now_params + before_params + [salon.id],
    )
    total = next(int(row[4]) for row in rows if row[0] == 0)
    delta = [[int(c), int(r), int(f), sign * int(n), sign * int(spent), sign * int(visits), sign * int(seconds)]
             for sign, c, r, f, n, spent, visits, seconds in rows if sign != 0]
    return delta, total


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
    Its members and their second visits before the cut are settled (stored by the job); only members who
    came since the cut can still convert, with a second visit after it.
    """
    tz = salon.timezone
    today = today or local_today(tz)
    longest = max(CONVERSION_WINDOWS)
    cohort = (days_ago(today, longest + CONVERSION_COHORT_DAYS - 1, tz), days_ago(today, longest - 1, tz))

    def combine(stored, cut):
        live = _conversion_counts(salon, *cohort, since=cut)
        return [stored[0]] + [before + now for before, now in zip(stored[1:], live[1:])]

    counts = settled.with_stored(salon, today, "conversion", combine, lambda: _conversion_counts(salon, *cohort))
    base = counts[0]
    return {
        "cohort_first": today - datetime.timedelta(days=longest + CONVERSION_COHORT_DAYS - 1),
        "cohort_last": today - datetime.timedelta(days=longest),
        "base": base,
        "windows": [
            {"days": days, "converted": count, "rate": ratio(count, base)}
            for days, count in zip(CONVERSION_WINDOWS, counts[1:])
        ],
    }


def settled_conversion(salon, today, cut):
    """[cohort size, converted per window] counting only second visits before `cut` (the job's part)."""
    longest = max(CONVERSION_WINDOWS)
    return _conversion_counts(salon, days_ago(today, longest + CONVERSION_COHORT_DAYS - 1, salon.timezone),
                              days_ago(today, longest - 1, salon.timezone), before=cut)


def _conversion_counts(salon, cohort_start, cohort_end, *, before=None, since=None):
    """[newcomers of the cohort, converted per window]; second visits before `before`, or members who came
    since `since` whose second visit is at or after it.

    MATERIALIZED finds each newcomer's second visit once; inlined, PostgreSQL looked it up once per window.
    """
    windows = ", ".join(
        f"COALESCE(SUM(CASE WHEN second_at <= {sql_dialect.plus_days('first_visit_at', days)} THEN 1 ELSE 0 END), 0)"
        for days in CONVERSION_WINDOWS
    )
    bound = sql_dialect.timestamp(before or since) if (before or since) else None
    second_before = " AND v.occurred_at < ?" if before else ""
    members_since = " AND sc.last_visit_at >= ?" if since else ""
    second_since = " WHERE second_at >= ?" if since else ""
    row = fetchone(
        f"""
        WITH newcomers AS MATERIALIZED (
            SELECT sc.first_visit_at,
                   CASE WHEN sc.visit_count > 1 THEN (  -- one-time visitors need no look-up
                       SELECT MIN(v.occurred_at) FROM visit v
                       WHERE v.customer_id = sc.id AND v.salon_id = sc.salon_id
                         AND v.occurred_at > sc.first_visit_at{second_before}) END AS second_at
            FROM salon_customer sc
            WHERE sc.salon_id = ? AND sc.first_visit_at >= ? AND sc.first_visit_at < ?{members_since}
        )
        SELECT COUNT(*), {windows} FROM newcomers{second_since}
        """,
        ([bound] if before else []) + [salon.id, sql_dialect.timestamp(cohort_start), sql_dialect.timestamp(cohort_end)]
        + ([bound, bound] if since else []),
    )
    return [int(value) for value in row]
