"""Every statement a request runs on a tenant table names salon_id (DESIGN.md: ready to shard by salon).

The SQL is recorded while (1) the access matrix walks every route as each role and (2) an owner does a day's
work through the HTML forms and the JSON API: cards, edits, tags, sales, appointments, messages, segments,
export, analytics, Today. Only statements run while serving a request count (the tests' own set-up is free).
"""
import datetime
import logging
import re
from contextlib import contextmanager

import pytest
from flask import has_request_context

from salon_web.models import Appointment, CustomerCommunication, Sale, SalonCustomer, TenantModel, utcnow
from salon_web.prepared_sql import original_sql
from salon_web.services.appointments import book_appointment
from tests.access import all_routes
from tests.api_helpers import api_as
from tests.test_access_matrix import _placeholders
from tests.test_customer_detail import form_for
from tests.test_sales import sale_form

TENANT_TABLES = {model._meta.table_name for model in TenantModel.__subclasses__()} | {"audit_event", "ledger_epoch"}
_TABLE = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO)\s+"?(\w+)"?', re.IGNORECASE)


class StatementLog(logging.Handler):
    """Keeps the SQL of peewee's debug log (only what runs inside a request, unless told otherwise)."""

    def __init__(self, requests_only):
        super().__init__(logging.DEBUG)
        self.requests_only = requests_only
        self.statements = []

    def emit(self, record):
        if isinstance(record.msg, tuple) and (has_request_context() or not self.requests_only):
            self.statements.append(original_sql(record.msg[0]))  # a prepared statement's own text


@contextmanager
def recorded_sql(requests_only=True):
    """Yield the list of SQL statements peewee runs inside the block."""
    logger = logging.getLogger("peewee")
    log, level = StatementLog(requests_only), logger.level
    logger.addHandler(log)
    logger.setLevel(logging.DEBUG)
    try:
        yield log.statements
    finally:
        logger.removeHandler(log)
        logger.setLevel(level)


def unscoped(statements):
    """The statements that touch a tenant table without naming salon_id."""
    return sorted({sql for sql in statements if TENANT_TABLES & set(_TABLE.findall(sql)) and "salon_id" not in sql})


def test_the_check_catches_a_statement_without_salon_id():
    assert unscoped(['SELECT "t1"."id" FROM "sale" AS "t1" WHERE ("t1"."id" = ?)']) != []
    assert unscoped(['SELECT "t1"."id" FROM "sale" AS "t1" WHERE ("t1"."salon_id" = ?)']) == []
    assert unscoped(["UPDATE salon_customer SET visit_count = visit_count + 1 WHERE id = ?"]) != []
    assert unscoped(['SELECT "t1"."id" FROM "salon" AS "t1"']) == []


@pytest.mark.parametrize("role", ["admin", "owner", "other_owner", "employee"])
def test_the_access_walk_names_salon_id_on_every_tenant_table(client, world, login_as, role):
    login_as(role)
    values = _placeholders(world)
    with recorded_sql() as statements:
        for route in all_routes():
            client.open(route.path.format(**values), method=route.method, data=route.data)
            if route.endpoint == "auth.logout":
                login_as(role)
    assert any(TENANT_TABLES & set(_TABLE.findall(sql)) for sql in statements)
    assert unscoped(statements) == []


def _day_at_the_desk(client, world):
    """An owner's day through the HTML forms; each step must succeed, so its statements are the real ones."""
    salon, customer = world.salon.id, world.customer
    base = f"/salons/{salon}"
    steps = [
        client.post(f"{base}/customers/new", data={"full_name": "Divine Ishimwe", "phone": "0788 555 010",
                                                   "email": "divine@example.com"}),
        client.get(f"{base}/customers", query_string={"q": "div", "sort": "name"}),
        client.get(f"{base}/customers", query_string={"tags": "VIP", "min_visits": "0"},
                   headers={"HX-Request": "true", "HX-Target": "results"}),
        client.get(f"{base}/customers/{customer.id}"),
        client.post(f"{base}/customers/{customer.id}/notes", data=form_for(customer, "notes", notes="Likes tea")),
        client.post(f"{base}/customers/{customer.id}/tags", data={"tag": "Regular"}),
        client.post(f"{base}/customers/{customer.id}/tags/remove", data={"tag": "Regular"}),
        client.post(f"{base}/sales", data=sale_form(customer, key="walk-1")),
        client.post(f"{base}/appointments", data={"customer_id": customer.id, "service_name": "Colour",
                                                  "price": "25000", "scheduled_at": "2026-05-02T14:00",
                                                  "duration_minutes": "90"}),
    ]
    appointment = Appointment.in_salon(world.salon).get()
    sale = Sale.in_salon(world.salon).get()
    steps += [
        client.post(f"{base}/appointments/{appointment.id}/status", data={"status": "completed"}),
        client.post(f"{base}/sales/{sale.id}/void", data={"reason": "Wrong customer"}),
        client.post(f"{base}/customers/{customer.id}/communications",
                    data={"type": "phone", "purpose": "follow_up", "message": "Called about her next visit"}),
        client.get(f"{base}/customers/{customer.id}/timeline"),
        client.post(f"{base}/customers/bulk-tags", data={"tag": "Call back", "action": "add", "scope": "selected",
                                                         "ids": [customer.id]}),
        client.post(f"{base}/segments", data={"name": "Lapsed VIPs", "query": "tags=VIP&days_since_last_visit=60"}),
        client.get(f"{base}/customers/export", query_string={"tags": "VIP"}),
        client.get(f"{base}/customers/analytics"),
        client.get(f"{base}/today"),
        client.get(f"{base}/sales"),
        client.get(f"{base}/appointments"),
    ]
    return steps


def _day_through_the_api(app, world):
    """The same through the JSON API, as the owner's token."""
    api, salon, customer = api_as(app, world, "owner"), world.salon.id, world.customer
    path = f"/salons/{salon}/customers"
    created = api.post(path, json={"fullName": "Claudine Mukamana", "phone": "0788 555 020"})
    card = api.get(f"{path}/{customer.id}").json
    steps = [
        created,
        api.get(path, query_string={"q": "clau", "sort": "total_spent"}),
        api.patch(f"{path}/{customer.id}", json={"version": card["version"], "notes": "Prefers mornings"}),
        api.post(f"{path}/{customer.id}/tags", json={"tag": "Gold"}),
        api.delete(f"{path}/{customer.id}/tags", json={"tag": "Gold"}),
        api.get(f"{path}/{customer.id}/timeline"),
        api.post(f"{path}/{customer.id}/communications", json={"type": "sms", "purpose": "follow_up",
                                                               "message": "See you soon"}),
        api.post(f"/salons/{salon}/sales", json={"customerId": customer.id,
                                                 "items": [{"description": "Cut", "unitPrice": 5000}]},
                 headers={"Idempotency-Key": "walk-api-1"}),
        api.get(f"{path}/analytics"),
        api.get(f"{path}/export"),
    ]
    message = CustomerCommunication.in_salon(world.salon).order_by(CustomerCommunication.id.desc()).get()
    steps.append(api.post(f"{path}/{customer.id}/communications/{message.id}/status", json={"status": "delivered"}))
    appointment = book_appointment(world.salon, customer=customer, service_name="Braids", price=30000,
                                   scheduled_at=utcnow() + datetime.timedelta(days=2))
    steps.append(api.post(f"/salons/{salon}/appointments/{appointment.id}/status", json={"status": "confirmed"}))
    return steps


def test_a_day_at_the_desk_and_through_the_api_names_salon_id_on_every_tenant_table(app, client, world, login_as):
    login_as("owner")
    with recorded_sql() as statements:
        steps = _day_at_the_desk(client, world) + _day_through_the_api(app, world)
    failed = [(r.request.method, r.request.path, r.status_code) for r in steps if r.status_code >= 400]
    assert not failed, failed
    assert SalonCustomer.in_salon(world.salon).count() == 3
    assert unscoped(statements) == []
