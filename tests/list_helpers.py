"""Helpers for the customer-list tests: visit figures set directly (issue 3 owns the real writer)."""
import datetime

from salon_web.models import SalonCustomer
from tests import factories

NOW = datetime.datetime(2026, 11, 26, 12, 0, 0)


def with_figures(customer, visits=0, spent=0, last=None, first=None):
    """Set a customer's visit figures in the database (test data only) and return it reloaded."""
    SalonCustomer.update(
        visit_count=visits, total_spent=spent, last_visit_at=last, first_visit_at=first or last
    ).where(SalonCustomer.id == customer.id).execute()
    return SalonCustomer.get_by_id(customer.id)


def make(salon, name, *, days_ago=None, visits=0, spent=0, **kwargs):
    """A customer whose last visit was `days_ago` days before NOW (None: never came)."""
    customer = factories.make_customer(salon, name, **kwargs)
    last = None if days_ago is None else NOW - datetime.timedelta(days=days_ago)
    return with_figures(customer, visits=visits if last else 0, spent=spent if last else 0, last=last)
