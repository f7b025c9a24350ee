"""Concurrent saves of the same widget on PostgreSQL: exactly one wins, the rest are refused."""
import threading

import pytest

from salon_web.db import db
from salon_web.models import AuditEvent, SalonCustomer
from salon_web.services.customer_edit import EditConflict, apply_changes


@pytest.mark.postgres_only
def test_only_one_of_many_concurrent_saves_wins(world):
    version = world.customer.version
    barrier = threading.Barrier(8)
    outcomes = []

    def save(n):
        with db.obj.connection_context():
            customer = SalonCustomer.get_by_id(world.customer.id)
            barrier.wait()
            try:
                apply_changes(customer, {"notes": f"writer {n}"}, expected_version=version, widget="notes")
                outcomes.append(("saved", n))
            except EditConflict:
                outcomes.append(("conflict", n))

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for outcome, n in outcomes if outcome == "saved"]
    assert len(outcomes) == 8 and len(winners) == 1
    stored = SalonCustomer.get_by_id(world.customer.id)
    assert stored.notes == f"writer {winners[0]}" and stored.version == version + 1
    assert AuditEvent.select().where(AuditEvent.action == "customer.updated").count() == 1
