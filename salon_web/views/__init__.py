"""Blueprints, registered in this order by create_app."""
from salon_web.views import (
    analytics,
    appointments,
    auth,
    client_rights,
    communications,
    customer_detail,
    customers,
    merges,
    profile,
    salon_export,
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
    client_rights.bp,
    merges.bp,
    salon_export.bp,
]
