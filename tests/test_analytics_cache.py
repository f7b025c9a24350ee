"""Settled months of the analytics grid come from the cache, and every late ledger change reaches them."""
import datetime
import threading
import time

import pytest

from salon_web.db import db
from salon_web.models import LedgerEpoch, SalonCustomer, Visit, utcnow
from salon_web.services import analytics_cache, visits
from salon_web.services.analytics import months
from salon_web.services.appointments import book_appointment, change_appointment_status
from salon_web.services.sales import void_sale
from tests import factories
from tests.analytics_data import (  # noqa: F401  (salon and ledger_reads are fixtures)
    DAY, ledger_reads, regulars_with_sales, sale, salon, uncached_month_grid)


@pytest.fixture
def regulars(salon):
    """Three customers with sales spread over the last year, posted through the visit hook."""
    return regulars_with_sales(salon, ("Aline Uwase", "Divine Mukamana", "Eric Habimana"))


def test_settled_months_are_read_once_and_match_the_ledger(salon, regulars, ledger_reads):
    first = months.month_grid(salon)
    assert len(ledger_reads) == 2 and ledger_reads[0] is None  # settled months, then the live ones
    again = months.month_grid(salon)
    assert len(ledger_reads) == 3 and ledger_reads[2] is not None  # only the live months
    assert first == again == uncached_month_grid(salon)
    assert sum(visits for visits, _, _ in first[1].values()) == Visit.select().count()


def test_a_sale_of_today_keeps_the_cache(salon, regulars, ledger_reads):
    months.month_grid(salon)
    sale(salon, regulars[0], 7_000, days_ago=0)
    grid = months.month_grid(salon)
    assert len(ledger_reads) == 3  # the settled months were not read again
    assert grid == uncached_month_grid(salon)


@pytest.mark.parametrize("days_ago", [40, 200, 500])  # a settled month; another; before the window (moves a cohort)
def test_a_back_dated_sale_reaches_the_settled_months(salon, regulars, days_ago):
    months.month_grid(salon)
    newcomer = factories.make_customer(salon, "Grace Ingabire")
    sale(salon, newcomer, 9_000, days_ago=3)
    sale(salon, regulars[1], 12_345, days_ago=days_ago)
    sale(salon, newcomer, 4_000, days_ago=days_ago)
    assert months.month_grid(salon) == uncached_month_grid(salon)


def test_voiding_an_old_sale_reaches_the_settled_months(salon, regulars):
    old = sale(salon, regulars[2], 50_000, days_ago=150)
    before = months.month_grid(salon)
    void_sale(old, reason="Keyed twice")
    after = months.month_grid(salon)
    assert after == uncached_month_grid(salon) and after != before


def test_completing_a_past_appointment_reaches_the_settled_months(salon, regulars):
    booked = book_appointment(salon, customer=regulars[0], service_name="Braids", price=30_000,
                              scheduled_at=utcnow() - 70 * DAY)
    months.month_grid(salon)
    change_appointment_status(booked, "completed")
    assert months.month_grid(salon) == uncached_month_grid(salon)


def test_a_repair_marks_the_cache_stale(salon, regulars):
    # A figure damaged behind the hook's back puts a customer in the wrong cohort, and the cache keeps it...
    SalonCustomer.update(first_visit_at=utcnow() - 900 * DAY).where(SalonCustomer.id == regulars[0].id).execute()
    months.month_grid(salon)
    visits.recompute_figures(salon)  # ...until the repair puts the figure back from the ledger
    assert months.month_grid(salon) == uncached_month_grid(salon)
    first = Visit.select(Visit.occurred_at).where(Visit.customer == regulars[0].id).order_by(Visit.occurred_at).first()
    assert SalonCustomer.get_by_id(regulars[0].id).first_visit_at == first.occurred_at


def test_each_salon_has_its_own_cache(salon, regulars):
    other = factories.make_salon("Atelier", "FR", "Europe/Paris", "EUR")
    sale(other, factories.make_customer(other, "Chloé Martin"), 8_000, days_ago=100)
    months.month_grid(salon), months.month_grid(other)
    epoch = LedgerEpoch.get_by_id(salon.id).epoch
    sale(other, factories.make_customer(other, "Léa Petit"), 6_000, days_ago=60)
    assert months.month_grid(other) == uncached_month_grid(other)
    assert LedgerEpoch.get_by_id(salon.id).epoch == epoch  # the other salon's change left this one alone


def test_settled_bound_is_the_last_month_start_two_days_old():
    bounds = [datetime.datetime(2026, month, 1) for month in range(8, 13)]
    assert analytics_cache.settled_bound(bounds, now=datetime.datetime(2026, 11, 3, 0, 0)) == bounds[3]  # 1 Nov
    assert analytics_cache.settled_bound(bounds, now=datetime.datetime(2026, 11, 2, 23, 0)) == bounds[2]  # 1 Oct
    assert analytics_cache.settled_bound(bounds, now=datetime.datetime(2026, 9, 2, 23, 0)) is None  # only 1 Aug


@pytest.mark.postgres_only
def test_a_late_sale_committing_while_the_cache_fills_is_not_lost(salon, regulars):
    """A back-dated sale still uncommitted when a reader computes the months must not stay out of the cache."""
    analytics_cache.forget(salon.id)  # the next reader computes the settled months
    posted = threading.Event()

    def late_sale():
        with db.connection_context(), db.atomic():
            sale(salon, regulars[0], 77_700, days_ago=100)  # bumps the epoch, uncommitted
            posted.set()
            time.sleep(1)  # the reader below reads the visits now, without this sale

    writer = threading.Thread(target=late_sale)
    writer.start()
    assert posted.wait(10)
    during = months.month_grid(salon)  # keeps cells without the sale, under the epoch it read first
    writer.join()
    assert sum(amount for _, amount, _ in during[1].values()) + 77_700 == sum(
        amount for _, amount, _ in uncached_month_grid(salon)[1].values())  # the reader really missed the sale
    assert months.month_grid(salon) == uncached_month_grid(salon)  # ...and the cache did not keep that
