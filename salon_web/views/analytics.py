"""The analytics page: headline figures, the chosen period against the one before, segments, cohorts, charts."""
from flask import Blueprint, request

from salon_web import htmx
from salon_web.services import analytics, charts
from salon_web.services.clock import local_today
from salon_web.services.money import to_major
from salon_web.tenancy import MANAGERS, salon_view

bp = Blueprint("analytics", __name__)

@bp.route("/salons/<int:salon_id>/customers/analytics", endpoint="analytics")
@salon_view(*MANAGERS)
def analytics_page(salon):
    """The salon's customer analytics for the chosen period (30/90/365 days or custom dates)."""
    today = local_today(salon.timezone)
    chosen = {key: request.args.get(key, "").strip()[:10] for key in ("days", "from", "to")}
    period, errors = analytics.choose_period(today, chosen["days"], chosen["from"], chosen["to"])
    # Changing the period in place swaps only its block: compute only its figures.
    period_only = htmx.wants_fragment("period")
    figures = analytics.analytics_page(salon, period, today, period_only=period_only)
    return htmx.render(
        "analytics/analytics.html", "period", target="period",
        salon=salon, figures=figures, period=period, chosen=chosen, errors=errors,
        choices=analytics.PERIOD_CHOICES, charts=None if period_only else _charts(salon, figures["monthly"]),
        status=422 if errors else 200,
    )


def _charts(salon, months):
    """The three monthly charts as SVG."""
    labels = [row["month"].strftime("%b %y") for row in months]
    span = f"{labels[0]} to {labels[-1]}" if labels else ""
    return {
        "visits": charts.bar_chart(
            "Visits per month", f"Visits each month, {span}, in the salon's time zone.",
            labels, [row["visits"] for row in months], format_value=compact,
        ),
        "customers": charts.stacked_bar_chart(
            "New and returning customers per month",
            f"Customers who came each month, {span}: new (first visit that month) and returning.",
            labels,
            [("New", [row["new"] for row in months], "chart__bar--2"),
             ("Returning", [row["returning"] for row in months], "chart__bar--1")],
            format_value=compact,
        ),
        "revenue": charts.bar_chart(
            f"Revenue per month ({salon.currency})",
            f"Revenue of visits each month in {salon.currency}, {span}; voided sales excluded.",
            labels, [int(to_major(row["revenue"], salon.currency)) for row in months],
            format_value=compact, css="chart__bar--3",
        ),
    }


def compact(number):
    """A short label for a chart bar: 950, 12.5k, 3.4M."""
    number = int(number)
    for size, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if abs(number) >= size:
            return f"{number / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(number)
