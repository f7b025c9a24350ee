"""Hand-made visit data for the analytics and Today tests.

The visit hook (services/visits.py) is the only writer of visit figures in the app; these tests
build the ledger directly instead, so every expected number below is worked out by hand.
"""
import datetime
import types
from unittest import mock

import pytest
from peewee import fn

from salon_web.models import Appointment, Sale, SalonCustomer, Visit, utcnow
from salon_web.services import analytics_cache
from salon_web.services.analytics import months
from salon_web.services.analytics_cache import ledger_changed
from salon_web.services.clock import to_utc
from salon_web.services.sales import post_sale
from tests import factories

D = datetime.datetime


DAY = datetime.timedelta(days=1)


@pytest.fixture
def salon(app):
    return factories.make_salon("Kigali Glow", "RW", "Africa/Kigali", "RWF")


@pytest.fixture
def ledger_reads(monkeypatch):
    """Record the `since` of every grid query that reads the ledger (None: from the window's start)."""
    calls = []
    real = months._grid_rows

    def counting(salon, bounds, until, since=None):
        calls.append(since)
        return real(salon, bounds, until, since=since)

    monkeypatch.setattr(months, "_grid_rows", counting)
    return calls


def sale(salon, customer, amount, days_ago):
    """A sale posted through the visit hook, `days_ago` days before now."""
    return post_sale(salon, customer=customer, items=[("Cut", 1, amount)], sold_at=utcnow() - days_ago * DAY)


def regulars_with_sales(salon, names):
    """Customers with sales spread over the last year (every 45 days), posted through the visit hook."""
    customers = [factories.make_customer(salon, name) for name in names]
    for index, customer in enumerate(customers):
        for days_ago in range(5 + index * 20, 340, 45):
            sale(salon, customer, 10_000 + index * 1_000, days_ago)
    return customers


def uncached_month_grid(salon):
    """The analytics grid read entirely from the ledger, as if no month had settled (nothing cached)."""
    with mock.patch.object(analytics_cache, "SETTLED", datetime.timedelta(days=100_000)):
        return months.month_grid(salon)


def add_visit(customer, local_moment, amount):
    """Record one visit at a local time of the customer's salon and refresh the customer's figures."""
    salon = customer.salon
    occurred_at = to_utc(local_moment, salon.timezone)
    ledger_changed(salon.id, occurred_at)  # what every ledger writer owes the analytics cache
    Visit.create(
        salon=salon, customer=customer, occurred_at=occurred_at, amount=amount,
        # Ledger rows of hand-built data name no real sale: number them past any real one.
        source_type="sale", source_id=max((Visit.select(fn.MAX(Visit.source_id)).scalar() or 0) + 1, 1_000_000),
    )
    count, total, first, last = (
        Visit.select(fn.COUNT(Visit.id), fn.COALESCE(fn.SUM(Visit.amount), 0), fn.MIN(Visit.occurred_at),
                     fn.MAX(Visit.occurred_at))
        .where(Visit.customer == customer).tuples().get()
    )
    SalonCustomer.update(visit_count=count, total_spent=total, first_visit_at=first, last_visit_at=last).where(
        SalonCustomer.id == customer.id
    ).execute()


def customer_with_visits(salon, name, visits):
    """A customer with visits given as (local datetime, amount) pairs."""
    customer = factories.make_customer(salon, name)
    for moment, amount in visits:
        add_visit(customer, moment, amount)
    return SalonCustomer.get_by_id(customer.id)


TODAY = datetime.date(2026, 3, 15)  # a Sunday; Kigali is UTC+2 all year


def build(salon):
    """The reference dataset for a salon in Africa/Kigali, seen on TODAY. Expected figures are in the tests."""
    people = types.SimpleNamespace()
    # Exactly 30 local days ago, 00:30 local = 22:30 UTC the day before.
    people.a = customer_with_visits(salon, "A Thirty", [(D(2026, 2, 13, 0, 30), 10_000)])
    # 31 local days ago, 23:30 local: the same UTC date as A's visit.
    people.b = customer_with_visits(salon, "B Thirtyone", [(D(2026, 2, 12, 23, 30), 20_000)])
    # Last visit exactly 90 days ago: not churned.
    people.c = customer_with_visits(salon, "C Ninety", [(D(2025, 6, 1, 10), 15_000), (D(2025, 12, 15, 10), 15_000)])
    # Last visit 91 days ago, one minute before local midnight: churned.
    people.d = customer_with_visits(
        salon, "D Ninetyone",
        [(D(2025, 1, 10, 12), 15_000), (D(2025, 6, 10, 12), 15_000), (D(2025, 12, 14, 23, 59), 15_000)],
    )
    people.e = factories.make_customer(salon, "E Nevercame")
    people.f = customer_with_visits(
        salon, "F Regular",
        [(D(2025, 12, 15, 9), 5_000), (D(2026, 1, 15, 9), 5_000), (D(2026, 2, 15, 9), 5_000), (D(2026, 3, 15, 9), 5_000)],
    )
    people.g = customer_with_visits(salon, "G Seventyfive", [(D(2025, 9, 1, 10), 7_000), (D(2025, 11, 15, 10), 7_000)])
    # A voided sale never reaches the ledger: it must not count anywhere.
    Sale.create(salon=salon, customer=people.a, total=99_999, status="voided",
                sold_at=to_utc(D(2026, 3, 10, 12), salon.timezone), voided_at=to_utc(D(2026, 3, 10, 13), salon.timezone))
    # F left on TODAY with the next appointment booked; A's later booking was cancelled.
    Appointment.create(salon=salon, customer=people.f, service_name="Braids", price=5_000,
                       scheduled_at=to_utc(D(2026, 3, 29, 10), salon.timezone), status="scheduled",
                       created_at=to_utc(D(2026, 3, 15, 9, 30), salon.timezone))
    Appointment.create(salon=salon, customer=people.a, service_name="Cut", price=5_000,
                       scheduled_at=to_utc(D(2026, 2, 20, 10), salon.timezone), status="cancelled",
                       created_at=to_utc(D(2026, 2, 13, 1), salon.timezone))
    return people
