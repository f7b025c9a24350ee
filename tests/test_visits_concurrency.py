"""Many threads posting, double-submitting and voiding sales for one customer on PostgreSQL: nothing lost, nothing twice."""
import datetime
import threading

import pytest

from salon_web.db import db
from salon_web.models import Appointment, Sale, SalonCustomer, Visit, utcnow
from salon_web.services import visits
from salon_web.services.appointments import book_appointment, change_appointment_status
from salon_web.services.sales import post_sale, void_sale

THREADS = 8
SALES = 400
NOW = utcnow()


def amount_of(i):
    return (i % 17 + 1) * 100


@pytest.mark.postgres_only
def test_concurrent_sales_for_one_customer(world):
    salon, customer = world.salon, world.customer
    appointments = [
        book_appointment(salon, customer=customer, service_name="Braids", price=9_000, scheduled_at=NOW - datetime.timedelta(hours=t + 1))
        for t in range(THREADS)
    ]
    shared = book_appointment(salon, customer=customer, service_name="Colour", price=50_000, scheduled_at=NOW)
    barrier = threading.Barrier(THREADS)
    errors = []
    voided = set()

    def work(t):
        try:
            with db.connection_context():
                barrier.wait()
                for i in range(SALES):
                    mine, twin = i % THREADS == t, (i + 1) % THREADS == t  # each key is sent by two threads
                    if not (mine or twin):
                        continue
                    sale = post_sale(salon, customer=customer, items=[("Cut", 1, amount_of(i))], idempotency_key=f"key-{i}",
                                     sold_at=NOW - datetime.timedelta(minutes=i), now=NOW)
                    if mine and i % 10 == 0:
                        void_sale(sale, reason="test void")
                        voided.add(i)
                    if i % 10 == 5:  # every thread pays into one shared appointment, some twice, some voided
                        linked = post_sale(salon, customer=customer, appointment=shared, items=[("Colour", 1, 1_000)],
                                           idempotency_key=f"shared-{i}", now=NOW)
                        if mine and i % 20 == 15:
                            void_sale(linked, reason="test void")
                    if i % 50 == t:  # meanwhile, appointments are completed and paid from several threads
                        change_appointment_status(appointments[t], "completed", now=NOW)
                        post_sale(salon, customer=customer, appointment=appointments[(t + 1) % THREADS],
                                  items=[("Braids", 1, 10_000)], idempotency_key=f"appt-{t}", now=NOW)
        except Exception as error:  # surfaced below: a thread's failure must fail the test
            errors.append(repr(error))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors

    assert Sale.select().where(Sale.appointment.is_null()).count() == SALES  # duplicates made no second sale
    live_plain = [i for i in range(SALES) if i not in voided]
    completed = [a for a in Appointment.select().where(Appointment.salon == salon) if a.status == "completed"]
    assert len(completed) == THREADS + 1
    assert Sale.select().where(Sale.appointment.in_(appointments)).count() == THREADS  # each linked once
    shared_sales = Sale.select().where(Sale.appointment == shared)
    assert shared_sales.count() == SALES // 10
    shared_live = [s for s in shared_sales if s.status == "completed"]
    assert len(shared_live) == SALES // 10 - SALES // 20
    fresh = SalonCustomer.get_by_id(customer.id)
    assert fresh.visit_count == len(live_plain) + THREADS + 1
    assert fresh.total_spent == sum(amount_of(i) for i in live_plain) + THREADS * 10_000 + 1_000 * len(shared_live)
    earliest_sale = NOW - datetime.timedelta(minutes=max(live_plain))
    assert fresh.first_visit_at == min(earliest_sale, *(a.scheduled_at for a in completed))
    latest_sale = NOW - datetime.timedelta(minutes=min(live_plain))
    assert fresh.last_visit_at == max(latest_sale, *(a.scheduled_at for a in completed))
    assert Visit.select().where(Visit.customer == customer).count() == fresh.visit_count
    assert visits.recompute_figures(check=True) == []
