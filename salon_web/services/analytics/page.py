"""Every figure of the analytics page, each read once."""
from salon_web.services.analytics import figures as headline_figures
from salon_web.services.analytics import months, periods
from salon_web.services.analytics.reports import report
from salon_web.services.clock import local_today


@report
def analytics_page(salon, period, today=None, *, period_only=False):
    """Return every figure of the analytics page (only the period's when `period_only`)."""
    today = today or local_today(salon.timezone)
    if period_only:
        return {"today": today, "summary": periods.period_summary(salon, period)}
    figures = headline_figures.headline(salon, today, with_segments=True)  # one scan of salon_customer for both
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
