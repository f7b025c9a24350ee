"""PostgreSQL only: the search and a deep page use the indexes of migration 0003 and 0001 (EXPLAIN)."""
import datetime

import pytest
from peewee import fn

from salon_web.db import db
from salon_web.models import Customer, SalonCustomer
from salon_web.services.customer_page import customer_page
from salon_web.services.customer_search import search_condition
from salon_web.web_forms.customer_list import list_filter
from salon_web.services.export import export_query, iter_rows
from tests.list_helpers import make
from tests.query_plans import explain, statements_of

pytestmark = pytest.mark.postgres_only
ROWS_STATEMENT = 'WITH "b0"'  # the page's rows (with their capped count and their tags)


def sorts_rows(sql, params):
    """Whether running the statement sorts the customers it reads.

    Fine: the final order of the page's rows (by phase, "(0)", then the sort; a page or two of rows) and each row's
    few tag names. Sorts of a branch the run never executed (the never-came phase when the first filled the page)
    do not count.
    """
    with db.atomic():
        db.execute_sql("SET LOCAL enable_seqscan = off")
        lines = [row[0] for row in db.execute_sql("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)]
    executed = True
    for line in lines:
        if "->" in line or line.startswith(("Sort", "Incremental Sort")):
            executed = "never executed" not in line
        key = line.partition("Sort Key: ")[2]
        if executed and key and not key.startswith("(") and "t.name" not in key:
            return True
    return False


@pytest.fixture
def many(world):
    """3,000 customers written in bulk (enough rows for the planner to prefer selective indexes)."""
    for number in range(20):
        make(world.salon, f"Client{number:02d} Habimana", days_ago=number, visits=1, spent=1000,
             phone=f"0788 100 {number:03d}", email=f"client{number:02d}@example.com")
    now = datetime.datetime(2026, 1, 1)
    identities = [Customer(phone_e164=f"+25072{n:07d}", created_at=now) for n in range(3000)]
    Customer.bulk_create(identities, batch_size=500)
    ids = [c.id for c in Customer.select(Customer.id).where(Customer.phone_e164.startswith("+25072"))]
    SalonCustomer.insert_many([
        {"salon": world.salon.id, "identity": identity, "full_name": f"Person {n} Filler{n % 97}",
         "name_search": f"person {n} filler{n % 97}", "phone_e164": f"+25072{n:07d}", "visit_count": n % 7,
         "total_spent": n * 100, "last_visit_at": now - datetime.timedelta(hours=n), "created_at": now,
         "updated_at": now, "notes": "", "preferences": {}, "communication_preferences": []}
        for n, identity in enumerate(ids)
    ]).execute()
    db.execute_sql("VACUUM ANALYZE salon_customer")  # also flushes the GIN pending lists


@pytest.mark.parametrize("q, index, in_salon", [
    ("habimana", "salon_customer_name_search_trgm", False),
    ("00012", "salon_customer_phone_e164_trgm", False),
    ("client01@", "salon_customer_email_trgm", False),
    ("+250 788 100", "salon_customer_salon_phone_prefix", True),
    ("cl", "salon_customer_salon_name_prefix", True),
])
def test_search_uses_its_index(world, many, q, index, in_salon):
    """The search condition alone (trigram) or within the salon (prefix b-trees) is served by its index."""
    condition = search_condition(q, world.salon.country)
    if in_salon:
        condition &= SalonCustomer.salon == world.salon
    query = SalonCustomer.select(fn.COUNT(SalonCustomer.id)).where(condition)
    assert index in explain(*query.sql())


def test_deep_page_is_an_index_scan_without_sort(world, many):
    first = customer_page(list_filter({"per_page": "5"}, world.salon)[0], world.salon)
    deeper = list_filter({"per_page": "5", "cursor": first.next_cursor}, world.salon)[0]
    statements = [s for s in statements_of(customer_page, deeper, world.salon) if s[0].startswith(ROWS_STATEMENT)]
    assert statements
    for statement in statements:
        assert "saloncustomer_salon_id_last_visit_at_id" in explain(*statement)
        assert not sorts_rows(*statement)


@pytest.mark.parametrize("sort", ["total_spent", "visit_count", "name"])
def test_each_sort_reads_its_index_in_order(world, many, sort):
    customer_filter = list_filter({"sort": sort, "per_page": "5"}, world.salon)[0]
    statement = [s for s in statements_of(customer_page, customer_filter, world.salon) if s[0].startswith(ROWS_STATEMENT)][0]
    assert not sorts_rows(*statement) and "Index" in explain(*statement)


def test_export_streams_through_a_named_server_side_cursor(world, many):
    customer_filter = list_filter({}, world.salon)[0]
    with db.atomic():
        rows = iter_rows(export_query(customer_filter, world.salon))
        first = next(rows)
        cursors = db.execute_sql("SELECT count(*) FROM pg_cursors").fetchone()[0]
        rest = list(rows)
    assert cursors == 1  # a named cursor: rows arrive in batches, never all in memory
    assert 1 + len(rest) == SalonCustomer.select().where(SalonCustomer.salon == world.salon).count()
    assert first[0]
