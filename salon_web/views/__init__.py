"""Blueprints, registered in this order by create_app."""
from salon_web.views import (
    analytics,
    appointments,
    auth,
    communications,
    customer_detail,
    customers,
    message_links,
    messages,
    profile,
    sales,
    salons,
    segments,
    today,
)

BLUEPRINTS = [
    auth.bp,
    salons.bp,
    profile.bp,
    customers.bp,
    segments.bp,
    customer_detail.bp,
    communications.bp,
    sales.bp,
    appointments.bp,
    analytics.bp,
    today.bp,
    messages.bp,
    message_links.bp,
]
