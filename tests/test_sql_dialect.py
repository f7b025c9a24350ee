"""The SQL dialect fragments mean the same on SQLite and PostgreSQL (run on both backends)."""
import datetime

import pytest

from salon_web import sql_dialect
from salon_web.models import SalonCustomer
from tests import factories

D = datetime.datetime


@pytest.fixture
def customer(app):
    """A customer whose first visit was 2026-01-31 18:00 and last 2026-03-01 06:00 (UTC)."""
    salon = factories.make_salon("Kigali Glow", "RW", "Africa/Kigali", "RWF")
    customer = factories.make_customer(salon, "Aline Uwase")
    SalonCustomer.update(first_visit_at=D(2026, 1, 31, 18), last_visit_at=D(2026, 3, 1, 6),
                         birthday=datetime.date(1990, 2, 9)).where(SalonCustomer.id == customer.id).execute()
    return customer


def _one(select_list, customer, params=()):
    """The value of a select-list item over the customer's salon_customer row."""
    sql = f"SELECT {select_list} FROM salon_customer WHERE salon_id = ? AND id = ?"
    return sql_dialect.execute(sql, [*params, customer.salon_id, customer.id]).fetchone()[0]


def test_seconds_between_is_a_whole_number_of_seconds(customer):
    assert _one(sql_dialect.seconds_between("first_visit_at", "last_visit_at"), customer) == 28.5 * 86_400
    assert isinstance(_one(sql_dialect.seconds_between("first_visit_at", "last_visit_at"), customer), int)


def test_plus_days_crosses_a_month_end(customer):
    moved = f"CASE WHEN {sql_dialect.plus_days('first_visit_at', 29)} = ? THEN 1 ELSE 0 END"
    assert _one(moved, customer, [sql_dialect.timestamp(D(2026, 3, 1, 18))]) == 1


@pytest.mark.parametrize("bounds, index", [
    ([D(2026, 3, 1, 7), D(2026, 4, 1)], -1),  # before the first bound
    ([D(2026, 3, 1, 6), D(2026, 4, 1)], 0),  # on a bound: the range it starts
    ([D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1, 6)], 2),  # on the last bound: past every range
    ([D(2026, 1, 1), D(2026, 3, 1, 6, 0, 1), D(2026, 4, 1)], 0),
])
def test_bucket_index_finds_the_half_open_range(customer, bounds, index):
    which, params = sql_dialect.bucket_index("last_visit_at", bounds)
    assert int(_one(which, customer, params)) == index


def test_month_day_of_a_date_column(customer):
    query = SalonCustomer.in_salon(customer.salon_id, sql_dialect.month_day(SalonCustomer.birthday))
    assert query.where(SalonCustomer.id == customer.id).scalar() == "02-09"


def test_placeholders_follow_the_driver(app):
    assert sql_dialect.execute("SELECT ? + ?", [2, 3]).fetchone()[0] == 5
