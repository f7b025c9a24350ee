"""The top-bar sections: each appears once its view exists and the role may use it."""
from flask import current_app, g, request

from salon_web.kept_urls import url_for
from salon_web.tenancy import MANAGERS
from salon_web.texts import _l

# (endpoint, label, managers only)
SECTIONS = [
    ("today.today", _l("Today"), False),
    ("customers.customer_list", _l("Customers"), False),
    ("appointments.appointment_list", _l("Appointments"), False),
    ("sales.sale_list", _l("Sales"), False),
    ("analytics.analytics", _l("Analytics"), True),
    ("messages.hub", _l("Messages"), True),
    ("service_menu.service_list", _l("Services"), True),
    ("salon_settings.front_desk", _l("Settings"), True),  # payment methods, no-show warning
]


def nav_sections():
    """Return the (href, label, is current) of the sections to show for the current salon and role.

    The bar and the phone menu show the same links: built once per page.
    """
    if "salon" not in g:
        return []
    return [
        (url_for(endpoint, salon_id=g.salon.id), label, request.endpoint == endpoint)
        for endpoint, label, managers_only in SECTIONS
        if endpoint in current_app.view_functions and (not managers_only or g.role in MANAGERS)
    ]
