"""PostgreSQL only: the Today page reads birthdays and anniversaries by index (EXPLAIN)."""
import datetime

import pytest

from salon_web.db import db
from salon_web.services import reminders
from tests import factories
from tests.analytics_data import D, customer_with_visits

pytestmark = pytest.mark.postgres_only

TODAY = datetime.date(2026, 3, 15)


@pytest.fixture
def salon(app):
    return factories.make_salon("Kigali Glow", "RW", "Africa/Kigali", "RWF")


def statements_of(function, *args):
    executed = []
    original = db.obj.execute_sql

    def recording(sql, params=None, *more, **options):
        executed.append((sql, params))
        return original(sql, params, *more, **options)

    db.obj.execute_sql = recording
    try:
        function(*args)
    finally:
        db.obj.execute_sql = original
    return executed


def explain(sql, params):
    with db.atomic():
        db.execute_sql("SET LOCAL enable_seqscan = off")
        return "\n".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params))


def test_birthdays_of_the_week_are_read_from_the_index_of_migration_0022(salon):
    factories.make_customer(salon, "Born Tomorrow", birthday=datetime.date(1990, 3, 16))
    [(sql, params)] = statements_of(reminders.birthdays, salon, TODAY)
    assert "salon_customer_salon_birthday_day" in explain(sql, params)


def test_anniversaries_are_one_index_range_scan_per_year(salon):
    customer_with_visits(salon, "One Year", [(D(2025, 3, 15, 9), 100)])
    [(sql, params)] = statements_of(reminders.anniversaries, salon, TODAY)
    plan = explain(sql, params)
    # The ranges drive the loop, each bounding a scan of the salon's cards (not one walk of the index per salon
    # filtered by all 40 ranges): the outer side of a nested loop is listed first.
    assert "Nested Loop" in plan and plan.index("Function Scan on r") < plan.index(" on salon_customer")
