"""Every figure of the analytics page, each read once; what the background job stores for it."""
from salon_web.models import Salon
from salon_web.services import analytics_cache, front_desk
from salon_web.services.analytics import figures as headline_figures
from salon_web.services.analytics import months, periods, settled
from salon_web.services.analytics.reports import report
from salon_web.services.clock import local_today


@report
def analytics_page(salon, period, today=None, *, period_only=False):
    """Return every figure of the analytics page (only the period's when `period_only`)."""
    today = today or local_today(salon.timezone)
    if period_only:
        return {"today": today, "summary": periods.period_summary(salon, period)}
    figures = headline_figures.headline(salon, today, with_segments=True)  # one read of the customers for both
    grid = months.month_grid(salon, today)  # one pass over the year's visits for charts and cohorts
    return {
        "today": today,
        "headline": figures,
        "top_customers": headline_figures.top_customers(salon),
        "summary": periods.period_summary(salon, period),
        "conversion": headline_figures.second_visit_conversion(salon, today),
        "segments": figures["segments"],
        "monthly": months.monthly(salon, grid=grid),
        "cohorts": months.cohorts(salon, grid=grid),
    }


def day_parts(salon, today):
    """The settled parts of the day's moving figures (services/analytics/settled.py), JSON-able."""
    cut = settled.cut(today, salon.timezone)
    parts = {
        "headline": headline_figures.settled_headline(salon, headline_figures.Buckets.on(today, salon.timezone), cut),
        "conversion": headline_figures.settled_conversion(salon, today, cut),
        "grid": months.settled_day_part(salon, today, cut),
    }
    for days in periods.PERIOD_CHOICES:
        parts[f"period-{days}"] = periods.settled_period(salon, today, days, cut)
        start = periods.last_days(today, days).bounds(salon.timezone)[0]
        parts[f"sales-{days}"] = front_desk.settled_sales(salon, start, cut)
    return parts


@report
def store_day_parts(salon, epoch, today=None):
    """Compute the salon's settled day parts and store them under `epoch` (read before the visits)."""
    today = today or local_today(salon.timezone)
    analytics_cache.store(salon.id, settled.key(today, salon.timezone), epoch, day_parts(salon, today))


def refresh_settled():
    """Store the settled months and day parts of every salon whose stored ones are missing or stale; return how many."""
    refreshed = months.refresh_settled()
    states = analytics_cache.stored_states(settled.NAME)
    for salon in Salon.select().where(Salon.id.in_(list(states))):
        epoch, stored_key, stored_epoch = states[salon.id]
        if stored_key != settled.key(local_today(salon.timezone), salon.timezone) or stored_epoch != epoch:
            store_day_parts(salon, analytics_cache.current_epoch(salon.id))  # the epoch now, before the visits
            refreshed.add(salon.id)
    return len(refreshed)
