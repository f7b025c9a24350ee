"""The job's settled day parts plus the live delta give the same figures as a recomputation (Hypothesis).

Visits are placed back from the real clock, because what is settled depends on it: the job stores the day
parts, then visits of the last hours arrive (no late change: the stored parts stay in use and the delta must
carry them), then possibly a back-dated one (a late change: the request must not use the stale parts). At
each step the headline equals the naive recomputation from the ledger to the cent, and every figure that
uses the stored parts (headline, segments, conversion, the period summaries, the month grid) equals its full computation.
"""
import datetime
import itertools
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salon_web.models import LedgerEpoch, utcnow
from salon_web.services import analytics_cache, front_desk, service_menu
from salon_web.services.analytics import figures, months, page, periods, settled
from salon_web.services.clock import local_today, to_local
from salon_web.services.sales import SaleLine, post_sale, void_sale
from tests import factories
from tests.analytics_data import add_visit, uncached_month_grid
from tests.test_analytics_property import naive_headline

_salons = itertools.count(1)
DAY = 24 * 60  # minutes

minutes_ago = st.one_of(
    st.sampled_from([1, DAY - 1, DAY + 1, 2 * DAY, 3 * DAY, 30 * DAY, 91 * DAY, 181 * DAY, 200 * DAY]),
    st.integers(1, 4 * DAY),  # around the cut
    st.integers(1, 400 * DAY),
)
visit_strategy = st.tuples(minutes_ago, st.integers(0, 250_000))
salon_strategy = st.fixed_dictionaries({
    "timezone": st.sampled_from(["Africa/Kigali", "Europe/Paris", "America/New_York", "Pacific/Auckland"]),
    "customers": st.lists(st.lists(visit_strategy, max_size=5), max_size=10),
    # Visits of the last hours after the job stored its parts: (customer index, or None for a new one, ...).
    "recent": st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 9)), st.integers(1, DAY - 60),
                                 st.integers(0, 250_000)), max_size=6),
    "late": st.one_of(st.none(), st.tuples(st.integers(0, 9), st.integers(3 * DAY, 300 * DAY),
                                           st.integers(0, 250_000))),
})


def visit(customer, minutes, amount):
    """Add a visit `minutes` before now (the helper takes the salon's local time)."""
    moment = utcnow().replace(microsecond=0) - datetime.timedelta(minutes=minutes)
    add_visit(customer, to_local(moment, customer.salon.timezone), amount)


def every_figure(salon, today):
    """Every figure the stored parts serve, as the page computes them."""
    return {
        "headline": figures.headline(salon, today, with_segments=True),
        "conversion": figures.second_visit_conversion(salon, today),
        "grid": months.month_grid(salon, today),
        **{days: periods.period_summary(salon, periods.last_days(today, days)) for days in periods.PERIOD_CHOICES},
    }


def computed_in_full(salon, today):
    with mock.patch.object(settled, "read", return_value=(None, None)):
        return every_figure(salon, today)


def check(salon, today, *, stored):
    assert (settled.read(salon, today)[0] is not None) == stored
    found = every_figure(salon, today)
    assert found == computed_in_full(salon, today)
    assert found["grid"] == uncached_month_grid(salon)
    expected = naive_headline(salon, today)
    headline = found["headline"]
    assert {key: headline[key] for key in expected if key != "top"} == {k: v for k, v in expected.items() if k != "top"}


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=salon_strategy)
def test_stored_parts_plus_the_live_delta_equal_a_recomputation(app, spec):
    n = next(_salons)
    salon = factories.make_salon(f"Salon {n}", timezone=spec["timezone"], slug=f"settled-{n}")
    customers = [factories.make_customer(salon, f"Client {index}") for index in range(len(spec["customers"]))]
    for customer, visits in zip(customers, spec["customers"]):
        for minutes, amount in visits:
            visit(customer, minutes, amount)
    today = local_today(salon.timezone)
    page.store_day_parts(salon, analytics_cache.current_epoch(salon.id), today)  # what the job does
    check(salon, today, stored=True)

    for index, minutes, amount in spec["recent"]:  # the day's visits: no late change, the parts stay in use
        if index is None or index >= len(customers):
            customers.append(factories.make_customer(salon, f"Newcomer {len(customers)}"))
            index = len(customers) - 1
        visit(customers[index], minutes, amount)
    factories.make_customer(salon, "Never came")
    check(salon, today, stored=True)

    if spec["late"] is not None and customers:
        index, minutes, amount = spec["late"]
        epoch = analytics_cache.current_epoch(salon.id)
        visit(customers[index % len(customers)], minutes, amount)  # back-dated: the parts are stale now
        assert LedgerEpoch.get_by_id(salon.id).epoch != epoch
        check(salon, today, stored=False)
        page.store_day_parts(salon, analytics_cache.current_epoch(salon.id), today)  # the job catches up
        check(salon, today, stored=True)


def test_a_late_change_while_a_request_computes_sends_it_to_the_full_computation(app):
    salon = factories.make_salon("Kigali Glow", "RW", "Africa/Kigali", "RWF")
    customer = factories.make_customer(salon, "Aline Uwase")
    visit(customer, 10 * DAY, 10_000)
    visit(customer, 60, 5_000)
    today = local_today(salon.timezone)
    page.store_day_parts(salon, analytics_cache.current_epoch(salon.id), today)
    real_delta = figures._delta_rows

    def delta_then_late_change(*args):
        rows = real_delta(*args)
        visit(customer, 20 * DAY, 7_000)  # commits between the stored part's read and the final epoch check
        return rows

    with mock.patch.object(figures, "_delta_rows", delta_then_late_change):
        headline = figures.headline(salon, today)
    assert headline["average_lifetime_value"] == 22_000 and headline["average_visits"] == 3


sale_strategy = st.tuples(
    st.one_of(st.none(), st.integers(0, 3)),  # a walk-in, or one of four clients
    st.one_of(st.sampled_from([60, DAY + 1, 3 * DAY, 29 * DAY, 31 * DAY]), st.integers(1, 400 * DAY)),
    st.lists(st.tuples(st.sampled_from(["Braids", "Cut", "Free text"]), st.integers(0, 90_000)), min_size=1, max_size=2),
    st.sampled_from(["cash", "mobile_money", "card"]),
)


@settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sales=st.lists(sale_strategy, max_size=8), recent=st.lists(sale_strategy, max_size=4),
       void_recent=st.booleans(), late=st.one_of(st.none(), sale_strategy))
def test_the_period_sales_figures_from_stored_parts_equal_the_full_computation(app, sales, recent, void_recent, late):
    n = next(_salons)
    salon = factories.make_salon(f"Salon {n}", slug=f"sales-{n}")
    service_menu.save_service(salon, name="Braids", price=30_000)
    service_menu.save_service(salon, name="Cut", price=8_000)
    clients = [factories.make_customer(salon, f"Client {index}") for index in range(4)]

    def sell(client, minutes, lines, method):
        sold_at = utcnow() - datetime.timedelta(minutes=minutes)
        return post_sale(salon, customer=None if client is None else clients[client], sold_at=sold_at,
                         items=[SaleLine(text, 1, price) for text, price in lines], payment_method=method)

    def check(stored):
        today = local_today(salon.timezone)
        assert (settled.read(salon, today)[0] is not None) == stored
        for days in periods.PERIOD_CHOICES:
            period = periods.last_days(today, days)
            found = front_desk.period_figures(salon, period)
            with mock.patch.object(settled, "read", return_value=(None, None)):
                assert found == front_desk.period_figures(salon, period)

    for client, minutes, lines, method in sales:
        sell(client, minutes, lines, method)
    page.store_day_parts(salon, analytics_cache.current_epoch(salon.id))
    check(stored=True)
    posted = [sell(client, minutes % (DAY - 60) + 1, lines, method) for client, minutes, lines, method in recent]
    if void_recent and posted:
        void_sale(posted[0], reason="Keyed twice")  # a sale of today: no late change
    check(stored=True)
    if late is not None:
        client, minutes, lines, method = late
        void_sale(sell(client, minutes + 2 * DAY, lines, method), reason="Wrong day")  # back-dated twice over
        check(stored=False)
