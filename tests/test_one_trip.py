"""salon_web.one_trip: several SELECTs in one statement give what each gives alone; the card and Today use it."""
import datetime
import logging

import pytest

from salon_web import one_trip
from salon_web.models import Appointment, AuditEvent, SalonCustomer, User
from salon_web.models.base import rows_by_id, rows_by_id_query
from salon_web.services import reminders
from salon_web.services.customer_edit import card_tags, card_tags_query
from salon_web.services.clock import local_today
from salon_web.services.salons import salon_staff, salon_staff_query
from tests import factories
from tests.test_tenant_sql import recorded_sql
from tests.test_timeline import T0, add_edit, mixed_history


def _customers_query(world, order):
    fields = (SalonCustomer.id, SalonCustomer.full_name, SalonCustomer.created_at, SalonCustomer.preferences)
    sql = (f'SELECT "id", "full_name", "created_at", "preferences" FROM "salon_customer" WHERE "salon_id" = ? '
           f'ORDER BY "full_name" {order}, "id"')
    return one_trip.Query(sql, [world.salon.id], one_trip.sql_types(fields),
                          lambda rows: [tuple(f.python_value(v) for f, v in zip(fields, row)) for row in rows])


def test_each_query_gets_what_it_gets_alone_in_its_own_order_and_types(world):
    for name in ("Zoe Last", "Bea Middle", "Abi First"):
        factories.make_customer(world.salon, name)
    add_edit(world, T0)
    queries = [
        rows_by_id_query(AuditEvent, world.salon.id, [e.id for e in AuditEvent.select()]),  # JSON, timestamps
        _customers_query(world, "DESC"),
        salon_staff_query(world.salon),  # booleans
        _customers_query(world, "ASC"),
        rows_by_id_query(Appointment, world.salon.id, [10**9]),  # no row
        card_tags_query(world.salon.id, world.customer.id),  # a UNION of its own, ordered
    ]
    alone = [one_trip.fetch_one(query) for query in queries]
    with recorded_sql(requests_only=False) as statements:
        together = one_trip.fetch(*queries)
    assert len(statements) == 1
    assert [_comparable(result) for result in together] == [_comparable(result) for result in alone]
    assert [row[1] for row in together[1]] == ["Zoe Last", "Bea Middle", "Aline Uwase", "Abi First"]
    assert together[3] == together[1][::-1]
    assert together[4] == [] and together[5][0][0].name == "VIP"
    assert together[0][0].detail["fields"] == ["notes"] and isinstance(together[0][0].at, datetime.datetime)
    assert all(user.is_active is True for user in together[2])


def _comparable(result):
    """Model instances compared by their values."""
    if isinstance(result, tuple):
        return tuple(_comparable(part) for part in result)
    if isinstance(result, list):
        return [_comparable(item) for item in result]
    return getattr(result, "__data__", result)


def test_queries_with_nothing_to_look_up_run_no_statement(world):
    with recorded_sql(requests_only=False) as statements:
        assert one_trip.fetch(rows_by_id_query(User, world.salon.id, [])) == [[]]
        assert rows_by_id(User, world.salon.id, []) == []
    assert statements == []
    assert card_tags(world.customer)[0][0].name == "VIP" and salon_staff(world.salon)


def test_the_card_reads_in_three_statements_however_long_its_history(client, world, login_as):
    login_as("owner")
    mixed_history(world)
    path = f"/salons/{world.salon.id}/customers/{world.customer.id}"
    client.get(path)
    with recorded_sql() as statements:
        page = client.get(path)
    assert page.status_code == 200 and "Braids" in page.get_data(as_text=True)
    # The session; the customer, tags, staff and timeline positions; the timeline's rows and sale items.
    assert len(statements) == 3, statements


@pytest.mark.postgres_only
def test_the_cards_three_statements_are_prepared(client, world, login_as):
    """Rows by id take their ids as one array on PostgreSQL: the same text however many, so it is prepared."""
    login_as("owner")
    mixed_history(world)
    path = f"/salons/{world.salon.id}/customers/{world.customer.id}"
    client.get(path)
    sent = []

    class Sent(logging.Handler):
        def emit(self, record):
            sent.append(record.msg[0])

    logger, handler = logging.getLogger("peewee"), Sent()
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        assert client.get(path).status_code == 200
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert len(sent) == 3 and all(sql.startswith("EXECUTE salon_web_") for sql in sent), sent


def test_rows_by_id_gives_the_rows_of_any_number_of_ids_in_the_salon_only(world):
    other = factories.make_customer(world.other_salon, "Elsewhere")
    mine = [world.customer.id] + [factories.make_customer(world.salon, f"Client {n}").id for n in range(3)]
    for count in (1, 2, 4):
        assert [row.id for row in rows_by_id(SalonCustomer, world.salon.id, mine[:count] + [other.id])] == \
            sorted(mine[:count])


def test_today_reads_its_five_lists_in_one_statement(client, world, login_as):
    login_as("owner")
    today = local_today(world.salon.timezone)
    SalonCustomer.update(birthday=today.replace(year=1990), follow_up_on=today).where(
        SalonCustomer.id == world.customer.id).execute()
    client.get(f"/salons/{world.salon.id}/today")
    with recorded_sql() as statements:
        page = client.get(f"/salons/{world.salon.id}/today")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and text.count("Aline Uwase") >= 2  # a birthday and a follow-up
    assert len(statements) == 2, statements  # the session and the five lists
    expected = reminders.follow_ups_due(world.salon)
    assert [c.full_name for c in expected[0]] == ["Aline Uwase"]
