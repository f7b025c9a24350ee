"""The Today page reads birthdays (PostgreSQL) and anniversaries (both databases) by index (EXPLAIN)."""
import datetime

import pytest

from salon_web.db import is_postgres
from salon_web.services import reminders
from tests import factories
from tests.analytics_data import D, customer_with_visits
from tests.query_plans import explain, statements_of

TODAY = datetime.date(2026, 3, 15)


@pytest.fixture
def salon(app):
    return factories.make_salon("Kigali Glow", "RW", "Africa/Kigali", "RWF")


@pytest.mark.postgres_only
def test_birthdays_of_the_week_are_read_from_the_index_of_migration_0022(salon):
    factories.make_customer(salon, "Born Tomorrow", birthday=datetime.date(1990, 3, 16))
    [(sql, params)] = statements_of(reminders.birthdays, salon, TODAY)
    assert "salon_customer_salon_birthday_day" in explain(sql, params)


def test_anniversaries_are_one_index_range_scan_per_year(salon):
    customer_with_visits(salon, "One Year", [(D(2025, 3, 15, 9), 100)])
    [(sql, params)] = statements_of(reminders.anniversaries, salon, TODAY)
    plan = explain(sql, params)
    # The ranges drive the loop, each bounding a scan of the salon's cards (not one walk of the salon's part of the
    # index filtered by all 40 ranges). PostgreSQL lists the outer side of a nested loop first.
    if is_postgres():
        assert "Nested Loop" in plan and plan.index("Function Scan on r") < plan.index(" on salon_customer")
    else:
        assert plan.index("SCAN r") < plan.index(
            "SEARCH c USING INDEX saloncustomer_salon_id_first_visit_at (salon_id=? AND first_visit_at>? AND first_visit_at<?)")
