"""Random sequences of sales, appointments, voids, retries and double submissions never make figures drift.

After every step the figures equal the ledger and an independent model kept by this test, and the
analytics grid's cached months equal the same months read from the ledger.
"""
import datetime
import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from salon_web.models import Appointment, Sale, SalonCustomer, utcnow
from salon_web.services import visits
from salon_web.services.analytics.months import month_grid
from salon_web.services.appointments import TransitionNotAllowed, book_appointment, change_appointment_status
from salon_web.services.field_errors import FieldErrors
from salon_web.services.sales import post_sale, void_sale
from tests import factories
from tests.analytics_data import uncached_month_grid

NOW = utcnow()
_salons = itertools.count(1)
amounts = st.integers(min_value=0, max_value=50_000)
days_ago = st.integers(min_value=0, max_value=400)


class VisitModel(RuleBasedStateMachine):
    """Tracks sales and appointments in plain Python and derives each customer's expected figures."""

    @initialize()
    def setup(self):
        n = next(_salons)
        self.salon = factories.make_salon(f"Salon {n}", slug=f"stateful-{n}-{id(self)}")
        self.customers = [factories.make_customer(self.salon, f"Customer {i}") for i in range(2)]
        self.sales = {}         # id -> dict(customer, appointment, total, at, live)
        self.appointments = {}  # id -> dict(customer, price, at, status)
        self.keys = {}          # idempotency key -> (sale id, customer id, amount)

    def expected(self, customer_id):
        found = []
        for appointment_id, a in self.appointments.items():
            if a["customer"] == customer_id and a["status"] == "completed":
                live = [s["total"] for s in self.sales.values() if s["appointment"] == appointment_id and s["live"]]
                found.append((a["at"], sum(live) if live else a["price"]))
        for s in self.sales.values():
            if s["customer"] == customer_id and s["appointment"] is None and s["live"]:
                found.append((s["at"], s["total"]))
        if not found:
            return 0, 0, None, None
        return len(found), sum(a for _, a in found), min(t for t, _ in found), max(t for t, _ in found)

    @rule(who=st.integers(0, 1), amount=amounts, back=days_ago, key=st.sampled_from([None, "a", "b", "c", "fresh"]))
    def post_plain_sale(self, who, amount, back, key):
        if key == "fresh":
            key = f"k{len(self.sales)}-{back}"
        at = NOW - datetime.timedelta(days=back)
        customer = self.customers[who]
        if key in self.keys and self.keys[key][1:] != (customer.id, amount):  # the key of another sale: refused
            with pytest.raises(FieldErrors):
                post_sale(self.salon, customer=customer, items=[("Item", 1, amount)], sold_at=at,
                          idempotency_key=key, now=NOW)
            return
        sale = post_sale(self.salon, customer=customer, items=[("Item", 1, amount)], sold_at=at,
                         idempotency_key=key, now=NOW)
        if key in self.keys:  # a double submission: the first sale, unchanged, nothing new
            assert sale.id == self.keys[key][0]
            return
        if key:
            self.keys[key] = (sale.id, customer.id, amount)
        self.sales[sale.id] = {"customer": customer.id, "appointment": None, "total": amount, "at": at, "live": True}

    @rule(who=st.integers(0, 1), price=amounts, back=days_ago)
    def book(self, who, price, back):
        at = NOW - datetime.timedelta(days=back, hours=1)
        appointment = book_appointment(self.salon, customer=self.customers[who], service_name="Cut", price=price,
                                       scheduled_at=at)
        self.appointments[appointment.id] = {"customer": self.customers[who].id, "price": price, "at": at,
                                             "status": "scheduled"}

    @rule(data=st.data(), amount=amounts, with_customer=st.booleans())
    def post_sale_for_appointment(self, data, amount, with_customer):
        if not self.appointments:
            return
        appointment_id = data.draw(st.sampled_from(sorted(self.appointments)))
        a = self.appointments[appointment_id]
        appointment = Appointment.get_by_id(appointment_id)
        customer = SalonCustomer.get_by_id(a["customer"]) if with_customer else None
        try:
            sale = post_sale(self.salon, customer=customer, appointment=appointment, items=[("Service", 1, amount)],
                             now=NOW)
        except FieldErrors:
            assert a["status"] in ("cancelled", "no_show")
            return
        assert a["status"] not in ("cancelled", "no_show")
        a["status"] = "completed"
        self.sales[sale.id] = {"customer": a["customer"], "appointment": appointment_id, "total": amount,
                               "at": a["at"], "live": True}

    @rule(data=st.data(), status=st.sampled_from(["confirmed", "completed", "cancelled", "no_show", "scheduled"]))
    def change_status(self, data, status):
        if not self.appointments:
            return
        appointment_id = data.draw(st.sampled_from(sorted(self.appointments)))
        a = self.appointments[appointment_id]
        allowed = {"scheduled": {"confirmed", "completed", "cancelled", "no_show"},
                   "confirmed": {"scheduled", "completed", "cancelled", "no_show"}}.get(a["status"], set())
        try:
            change_appointment_status(Appointment.get_by_id(appointment_id), status, now=NOW)
        except TransitionNotAllowed:
            assert status != a["status"] and status not in allowed
            return
        assert status == a["status"] or status in allowed
        a["status"] = status

    @rule(data=st.data())
    def void(self, data):
        if not self.sales:
            return
        sale_id = data.draw(st.sampled_from(sorted(self.sales)))
        void_sale(Sale.get_by_id(sale_id), reason="mistake")  # voiding twice is a no-op
        self.sales[sale_id]["live"] = False

    @invariant()
    def figures_match_model_and_ledger(self):
        if not hasattr(self, "salon"):
            return
        for customer in self.customers:
            fresh = SalonCustomer.get_by_id(customer.id)
            have = (fresh.visit_count, fresh.total_spent, fresh.first_visit_at, fresh.last_visit_at)
            assert have == self.expected(customer.id)
        assert visits.recompute_figures(self.salon, check=True) == []

    @invariant()
    def cached_analytics_match_the_ledger(self):
        if hasattr(self, "salon"):
            assert month_grid(self.salon) == uncached_month_grid(self.salon)


def test_random_operations_never_drift(app):
    run_state_machine_as_test(
        VisitModel,
        settings=settings(max_examples=20, stateful_step_count=15, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]),
    )
