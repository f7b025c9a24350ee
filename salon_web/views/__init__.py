"""Blueprints, registered in this order by create_app."""
from salon_web.views.auth import bp as auth
from salon_web.views.communications import bp as communications
from salon_web.views.customer_detail import bp as customer_detail
from salon_web.views.customers import bp as customers
from salon_web.views.profile import bp as profile
from salon_web.views.salons import bp as salons

BLUEPRINTS = [auth, salons, profile, customers, customer_detail, communications]
