"""The top-bar sections: each appears once its view exists and the role may use it."""
from flask import current_app, g

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
    """Return the (endpoint, label) pairs to show for the current salon and role."""
    if "salon" not in g:
        return []
    return [
        (endpoint, label)
        for endpoint, label, managers_only in SECTIONS
        if endpoint in current_app.view_functions and (not managers_only or g.role in MANAGERS)
    ]
