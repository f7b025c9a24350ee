"""Blueprints, registered in this order by create_app."""
from salon_web.views.analytics import bp as analytics
from salon_web.views.auth import bp as auth
from salon_web.views.customers import bp as customers
from salon_web.views.profile import bp as profile
from salon_web.views.salons import bp as salons
from salon_web.views.today import bp as today

BLUEPRINTS = [auth, salons, profile, customers, analytics, today]
