"""The analytics page: headline figures, the chosen period against the one before, segments, cohorts, charts."""
from flask import Blueprint, request

from salon_web import htmx
from salon_web.i18n import current_language
from salon_web.services import charts, front_desk
from salon_web.services.analytics import page, periods
from salon_web.services.clock import local_today
from salon_web.tenancy import MANAGERS, salon_view
from salon_web.web_forms.analytics import PeriodForm, chosen_period

bp = Blueprint("analytics", __name__)


@bp.route("/salons/<int:salon_id>/customers/analytics", endpoint="analytics")
@salon_view(*MANAGERS)
def analytics_page(salon):
    """The salon's customer analytics for the chosen period (30/90/365 days or custom dates)."""
    today = local_today(salon.timezone)
    form = PeriodForm(request.args)
    period, errors = chosen_period(form, today)
    # Changing the period in place swaps only its block: compute only its figures.
    period_only = htmx.wants_fragment("period")
    figures = page.analytics_page(salon, period, today, period_only=period_only)
    return htmx.render(
        "analytics/analytics.html", "period", target="period",
        salon=salon, figures=figures, period=period, chosen=form.entered(), errors=errors,
        choices=periods.PERIOD_CHOICES,
        charts=None if period_only else charts.monthly_charts(salon, figures["monthly"], current_language()),
        status=422 if errors else 200, front_desk=front_desk.period_figures(salon, period),
    )
