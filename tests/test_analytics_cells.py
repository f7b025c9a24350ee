"""Settled analytics months stored by the background job for every worker; a GET computes, never writes."""
import pytest

from salon_web import jobs
from salon_web.models import AnalyticsCell, LedgerEpoch
from salon_web.services import analytics_cache
from salon_web.services.analytics import months
from tests import factories
from tests.analytics_data import (  # noqa: F401  (salon and ledger_reads are fixtures)
    ledger_reads, regulars_with_sales, sale, salon, uncached_month_grid)


@pytest.fixture
def regulars(salon):
    return regulars_with_sales(salon, ("Aline Uwase", "Divine Mukamana"))


@pytest.fixture
def run_job(app):
    """Run the refresh job as the consumer would (immediate mode in tests); return how many salons it refreshed."""

    def run():
        with app.app_context():
            return jobs.refresh_settled_analytics.call_local()

    return run


def new_worker():
    """What a freshly started worker has: nothing in its own memory."""
    analytics_cache.clear()


def test_a_new_worker_reads_the_settled_months_the_job_stored(salon, regulars, ledger_reads, run_job):
    assert run_job() == 1
    stored = AnalyticsCell.get(AnalyticsCell.salon == salon.id, AnalyticsCell.name == months.GRID)
    assert stored.name == months.GRID and stored.epoch == LedgerEpoch.get_by_id(salon.id).epoch
    new_worker()
    ledger_reads.clear()
    grid = months.month_grid(salon)
    assert ledger_reads == []  # settled months from the table, the rest from the day part and the visits since the cut
    assert grid == uncached_month_grid(salon)
    assert run_job() == 0  # nothing stale: nothing computed again


def test_a_late_change_is_computed_by_the_request_until_the_job_refreshes(salon, regulars, ledger_reads, run_job):
    run_job()
    before = AnalyticsCell.get(AnalyticsCell.salon == salon.id, AnalyticsCell.name == months.GRID)
    sale(salon, regulars[0], 55_500, days_ago=120)  # a back-dated sale in a settled month
    new_worker()
    ledger_reads.clear()
    assert months.month_grid(salon) == uncached_month_grid(salon)
    assert ledger_reads[0] is None  # the stored months were stale: the request read them from the ledger
    assert AnalyticsCell.get(AnalyticsCell.salon == salon.id, AnalyticsCell.name == months.GRID).epoch == before.epoch  # ...and wrote nothing
    assert run_job() == 1
    new_worker()
    ledger_reads.clear()
    grid = months.month_grid(salon)
    assert ledger_reads == []  # the refreshed months and day part came from the table
    assert grid == uncached_month_grid(salon)


def test_the_analytics_page_stores_nothing(client, world, login_as):
    salon = world.salon
    customer = factories.make_customer(salon, "Grace Ingabire")
    for days_ago in (20, 80, 200):
        sale(salon, customer, 9_000, days_ago)
    login_as("owner")
    response = client.get(f"/salons/{salon.id}/customers/analytics")
    assert response.status_code == 200
    assert AnalyticsCell.select().count() == 0  # only the job writes the table


def test_cells_stored_for_another_key_are_not_used(salon, regulars, ledger_reads, run_job):
    run_job()
    AnalyticsCell.update(key="month-grid:Africa/Kigali:2000-01-01:12:2000-02-01T00:00", cells="[[0,0,1,1,1]]").where(
        AnalyticsCell.name == months.GRID).execute()
    new_worker()
    ledger_reads.clear()
    assert months.month_grid(salon) == uncached_month_grid(salon)
    assert ledger_reads[0] is None
