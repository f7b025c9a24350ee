"""Blueprints, registered in this order by create_app."""
from salon_web.views import (
    analytics,
    appointments,
    auth,
    communications,
    customer_detail,
    customers,
    profile,
    sales,
    salons,
    segments,
    today,
)
from salon_web.views import card_actions, salon_settings, service_menu  # issue 15: the front desk

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
    card_actions.bp,
    salon_settings.bp,
    service_menu.bp,
]
