"""Blueprints, registered in this order by create_app."""
from salon_web.views.auth import bp as auth
from salon_web.views.customers import bp as customers
from salon_web.views.profile import bp as profile
from salon_web.views.salons import bp as salons
from salon_web.views.segments import bp as segments

BLUEPRINTS = [auth, salons, profile, customers, segments]
