"""The top-bar sections: each appears once its view exists and the role may use it."""
from flask import current_app, g

from salon_web.tenancy import MANAGERS

# (endpoint, label, managers only)
SECTIONS = [
    ("today.today", "Today", False),
    ("customers.customer_list", "Customers", False),
    ("appointments.appointment_list", "Appointments", False),
    ("sales.sale_list", "Sales", False),
    ("analytics.analytics", "Analytics", True),
    ("messages.hub", "Messages", True),
    ("service_menu.service_list", "Services", True),
    ("salon_settings.front_desk", "Settings", True),  # payment methods, no-show warning
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
