"""Blueprints, registered in this order by create_app."""
from salon_web.views.appointments import bp as appointments
from salon_web.views.auth import bp as auth
from salon_web.views.customers import bp as customers
from salon_web.views.profile import bp as profile
from salon_web.views.salons import bp as salons
from salon_web.views.sales import bp as sales

BLUEPRINTS = [auth, salons, profile, customers, sales, appointments]
