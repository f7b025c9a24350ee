"""Blueprints, registered in this order by create_app."""
from salon_web.views import auth, customers, profile, salons

BLUEPRINTS = [auth.bp, salons.bp, profile.bp, customers.bp]
