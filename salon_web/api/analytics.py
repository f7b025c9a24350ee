"""The salon's customer analytics: the analytics page's headline figures under the original system's keys."""
from pydantic import Field

from salon_web.api import bp
from salon_web.api.framework import Schema, UtcDateTime, operation
from salon_web.services.analytics import figures
from salon_web.tenancy import MANAGERS


class TopCustomer(Schema):
    id: int
    full_name: str
    visit_count: int
    total_spent: int
    last_visit_at: UtcDateTime | None


class CustomerAnalytics(Schema):
    total_customers: int
    active_customers: int
    new_customers: int
    churned_customers: int
    average_clv: int | None = Field(alias="averageCLV", description="Average spend per customer who came, minor units")
    average_visit_frequency: float | None = Field(description="Average visits per customer who came")
    average_days_between_visits: float | None
    customers_never_came: int
    currency: str
    top_customers: list[TopCustomer]


@operation(bp, "GET", "/salons/<int:salon_id>/customers/analytics", summary="Customer analytics",
           response=CustomerAnalytics, roles=MANAGERS, tag="analytics")
def customer_analytics(user, salon):
    """The headline figures of the analytics page under the original system's keys (owners and admins)."""
    headline = figures.headline(salon)
    return {
        "total_customers": headline["total"], "active_customers": headline["active"],
        "new_customers": headline["new"], "churned_customers": headline["churned"],
        "average_clv": headline["average_lifetime_value"],
        "average_visit_frequency": _two_decimals(headline["average_visits"]),
        "average_days_between_visits": _two_decimals(headline["average_days_between_visits"]),
        "customers_never_came": headline["never_came"], "currency": salon.currency,
        "top_customers": figures.top_customers(salon),
    }


def _two_decimals(value):
    """A ratio as the original API rounded it (None stays None)."""
    return None if value is None else round(float(value), 2)
