"""Month by month: one grid of visits by cohort and month feeds the charts and the cohort table.

Months that ended a while ago come from services/analytics_cache.py; only the rest are read from the ledger.
"""
import datetime

from salon_web import sql_dialect
from salon_web.models import Salon
from salon_web.services import analytics_cache
from salon_web.services.analytics import settled
from salon_web.services.analytics.reports import day_start, fetchall, ratio, report
from salon_web.services.clock import local_today

GRID = "month-grid"  # the name of the grid's settled cells in analytics_cache
CHART_MONTHS = 12
COHORT_MONTHS = 12


def month_starts(today, months):
    """The first local days of the last `months` months (the current one last), then of the next month."""
    index = today.year * 12 + today.month - 1  # months since year 0, so arithmetic is plain integers
    return [datetime.date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 2)]


@report
def month_grid(salon, today=None, months=CHART_MONTHS):
    """Return (first days of the months, {(cohort, month): (visits, amount, customers)}).

    `month` indexes the last `months` local months; `cohort` is the month of the customer's first visit
    (-1: before them). Each customer has one cohort, so summing over cohorts gives each month's figures,
    and the diagonal (cohort == month) gives each month's newcomers.
    Settled months come from analytics_cache; the rest, up to the day's cut, from the job's day part
    (services/analytics/settled.py) plus the visits since the cut, or else from the ledger.
    """
    today = today or local_today(salon.timezone)
    firsts, bounds, settled_bound, key = _settled_part(salon, today, months)
    if settled_bound is None:
        rows = _grid_rows(salon, bounds, bounds[-1])
    else:
        rows = analytics_cache.cached_cells(salon, key, lambda: _grid_rows(salon, bounds, settled_bound))

        def combine(stored, cut):
            if months != CHART_MONTHS or stored is None or stored["since"] != f"{settled_bound:%Y-%m-%dT%H:%M}":
                return None
            return stored["cells"] + _grid_rows_since_cut(salon, bounds, cut)

        rows = rows + settled.with_stored(salon, today, "grid", combine,
                                          lambda: _grid_rows(salon, bounds, bounds[-1], since=settled_bound))
    grid = {}
    for c, m, n, amount, people in rows:  # a month may come in two parts: before and since the cut
        before = grid.get((c, m), (0, 0, 0))
        grid[c, m] = (before[0] + n, before[1] + amount, before[2] + people)
    return firsts[:-1], grid


def settled_day_part(salon, today, cut):
    """The job's part of the months after the settled ones: their visits before `cut` (None if there are none)."""
    _, bounds, settled_bound, _ = _settled_part(salon, today, CHART_MONTHS)
    if settled_bound is None or cut <= settled_bound:
        return None
    return {"since": f"{settled_bound:%Y-%m-%dT%H:%M}", "cells": _grid_rows(salon, bounds, cut, since=settled_bound)}


def _grid_rows_since_cut(salon, bounds, cut):
    """_grid_rows() of the visits since `cut`, counting a customer in the cut's month only if they did not come
    in that month before the cut (the day part counted them)."""
    cohort, cohort_params = sql_dialect.bucket_index("sc.first_visit_at", bounds)
    month, month_params = sql_dialect.bucket_index("v.occurred_at", bounds)
    month_start = max(bound for bound in bounds if bound <= cut)
    month_end = min((bound for bound in bounds if bound > cut), default=bounds[-1])
    at = sql_dialect.timestamp(cut)
    rows = fetchall(
        f"""
        SELECT {cohort} AS cohort, {month} AS month, COUNT(*), SUM(v.amount),
               COUNT(DISTINCT CASE WHEN v.occurred_at >= ? OR NOT EXISTS (
                   SELECT 1 FROM visit w WHERE w.salon_id = v.salon_id AND w.customer_id = v.customer_id
                     AND w.occurred_at >= ? AND w.occurred_at < ?) THEN v.customer_id END)
        FROM visit v JOIN salon_customer sc ON sc.id = v.customer_id AND sc.salon_id = ? AND sc.last_visit_at >= ?
        WHERE v.salon_id = ? AND v.occurred_at >= ? AND v.occurred_at < ?
        GROUP BY 1, 2
        """,
        cohort_params + month_params + [sql_dialect.timestamp(month_end), sql_dialect.timestamp(month_start), at,
                                        salon.id, at, salon.id, at, sql_dialect.timestamp(bounds[-1])],
    )
    return [[int(c), int(m), int(n), int(amount or 0), int(people)] for c, m, n, amount, people in rows]


def _settled_part(salon, today, months):
    """Return (month firsts, their naive-UTC bounds, the settled bound or None, the settled cells' key)."""
    tz = salon.timezone
    firsts = month_starts(today, months)
    bounds = [day_start(day, tz) for day in firsts]
    bound = analytics_cache.settled_bound(bounds)
    key = bound and f"{GRID}:{tz}:{firsts[0]}:{months}:{bound:%Y-%m-%dT%H:%M}"
    return firsts, bounds, bound, key


@report
def store_settled(salon, epoch):
    """Compute the salon's settled months of the analytics grid and store them under `epoch` (read before)."""
    _, bounds, settled_bound, key = _settled_part(salon, local_today(salon.timezone), CHART_MONTHS)
    if settled_bound is not None:
        analytics_cache.store(salon.id, key, epoch, _grid_rows(salon, bounds, settled_bound))


def refresh_settled():
    """Store the settled months of every salon whose stored ones are missing or stale; return those salons' ids."""
    states = analytics_cache.stored_states(GRID)
    refreshed = set()
    for salon in Salon.select().where(Salon.id.in_(list(states))):
        epoch, stored_key, stored_epoch = states[salon.id]
        key = _settled_part(salon, local_today(salon.timezone), CHART_MONTHS)[3]
        if key is not None and (stored_key != key or stored_epoch != epoch):
            store_settled(salon, analytics_cache.current_epoch(salon.id))  # the epoch now, before the visits
            refreshed.add(salon.id)
    return refreshed


def _grid_rows(salon, bounds, until, since=None):
    """Return [cohort, month, visits, amount, customers] rows of the visits in [since or bounds[0], until)."""
    cohort, cohort_params = sql_dialect.bucket_index("sc.first_visit_at", bounds)
    month, month_params = sql_dialect.bucket_index("v.occurred_at", bounds)
    since = sql_dialect.timestamp(since or bounds[0])
    # Whoever came since `since` has last_visit_at >= since: that index narrows the customers to join.
    rows = fetchall(
        f"""
        SELECT {cohort} AS cohort, {month} AS month, COUNT(*), SUM(v.amount), COUNT(DISTINCT v.customer_id)
        FROM visit v JOIN salon_customer sc ON sc.id = v.customer_id AND sc.salon_id = ? AND sc.last_visit_at >= ?
        WHERE v.salon_id = ? AND v.occurred_at >= ? AND v.occurred_at < ?
        GROUP BY 1, 2
        """,
        cohort_params + month_params + [salon.id, since, salon.id, since, sql_dialect.timestamp(until)],
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
            retention.append({"count": count, "rate": ratio(count, size)})
        table.append({"month": first, "size": size, "retention": retention})
    return table
