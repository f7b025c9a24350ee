"""The visit hook's statements name salon_id (ready to shard by salon), at the cost it had before: no extra statement."""
import datetime

import pytest

from salon_web.db import is_postgres
from salon_web.models import utcnow
from salon_web.services import visits
from salon_web.services.appointments import book_appointment, change_appointment_status
from salon_web.services.sales import SaleLine, post_sale, void_sale
from tests.test_tenant_sql import recorded_sql, unscoped

# Statements per operation, measured on the hook before it named salon_id (issue 11): they must not grow.
COST = {
    "sqlite": {"till sale": 6, "replayed sale": 5, "void": 7, "complete appointment": 7, "sale on appointment": 8,
               "void sale on appointment": 9},
    "postgres": {"till sale": 1, "replayed sale": 3, "void": 7, "complete appointment": 7, "sale on appointment": 8,
                 "void sale on appointment": 9},
}
LINES = [SaleLine("Cut", 1, 5000), SaleLine("Oil", 2, 100)]


def test_every_hook_statement_names_salon_id_and_none_is_added(world):
    salon, customer = world.salon, world.customer
    post_sale(salon, customer=customer, items=LINES)  # the customer has a history, as at a real till
    cost, seen = {}, []

    def measure(name, operation):
        with recorded_sql(requests_only=False) as sql:
            result = operation()
        cost[name] = len(sql)
        seen.extend(sql)
        return result

    sale = measure("till sale", lambda: post_sale(salon, customer=customer, items=LINES, idempotency_key="k1"))
    measure("replayed sale", lambda: post_sale(salon, customer=customer, items=LINES, idempotency_key="k1"))
    measure("void", lambda: void_sale(sale, reason="Typed twice"))
    appointment = book_appointment(salon, customer=customer, service_name="Braids", price=3000,
                                   scheduled_at=utcnow() - datetime.timedelta(hours=1))
    measure("complete appointment", lambda: change_appointment_status(appointment, "completed"))
    linked = measure("sale on appointment",
                     lambda: post_sale(salon, customer=customer, appointment=appointment, items=[SaleLine("Braids", 1, 2500)]))
    measure("void sale on appointment", lambda: void_sale(linked, reason="Wrong amount"))
    assert unscoped(seen) == []
    assert cost == COST["postgres" if is_postgres() else "sqlite"]


def test_repair_names_salon_id_on_every_statement(world):
    post_sale(world.salon, customer=world.customer, items=LINES)
    post_sale(world.other_salon, customer=world.other_customer, items=LINES)
    with recorded_sql(requests_only=False) as sql:
        assert visits.recompute_figures(check=True) == []
        visits.recompute_figures(world.salon)
    assert sql and unscoped(sql) == []


@pytest.mark.parametrize("tuples", [False, True])
def test_lines_are_sale_lines_and_scripts_may_still_hand_over_tuples(world, tuples):
    lines = [("Cut", 1, 5000)] if tuples else [SaleLine("Cut", 1, 5000)]
    assert post_sale(world.salon, customer=world.customer, items=lines).total == 5000
