"""bench-data: the bench salons have the agreed shape and a visit ledger consistent with the figures."""
from peewee import fn

from salon_web.models import CustomerTag, Sale, Salon, SalonCustomer, Visit
from salon_web.sample_data import bench_data
from salon_web.services.sales import post_sale
from salon_web.services.visits import ledger_drift


def test_bench_data_shape_and_ledger(app):
    ids = bench_data.build(300, small=20, seed=7, log=lambda line: None)
    ids = bench_data.build(300, small=20, seed=7, log=lambda line: None)  # a second run replaces the first
    assert Salon.select().where(Salon.slug.in_([bench_data.LARGE_SLUG, bench_data.SMALL_SLUG])).count() == 2
    large = ids[bench_data.LARGE_SLUG]
    customers = list(SalonCustomer.select().where(SalonCustomer.salon == large))
    assert len(customers) == 300
    assert SalonCustomer.select().where(SalonCustomer.salon == ids[bench_data.SMALL_SLUG]).count() == 20
    assert len({c.phone_e164 for c in customers}) == 300 and all(c.phone_e164.startswith("+2507") for c in customers)
    ledger = {
        customer_id: (count, total, first, last)
        for customer_id, count, total, first, last in Visit.select(
            Visit.customer, fn.COUNT(Visit.id), fn.SUM(Visit.amount), fn.MIN(Visit.occurred_at), fn.MAX(Visit.occurred_at)
        ).where(Visit.salon == large).group_by(Visit.customer).tuples()
    }
    for customer in customers:
        count, total, first, last = ledger[customer.id]
        assert (count, total) == (customer.visit_count, customer.total_spent)
        assert str(first)[:19] == str(customer.first_visit_at)[:19] and str(last)[:19] == str(customer.last_visit_at)[:19]
        assert 5_000 * count <= total <= 25_000 * count
    with_email = sum(1 for c in customers if c.email) / len(customers)
    assert 0.45 < with_email < 0.75
    surnames = {}
    for customer in customers:
        surnames[customer.full_name.split()[-1]] = surnames.get(customer.full_name.split()[-1], 0) + 1
    assert max(surnames.values()) / len(customers) > 0.10  # skewed: one surname dominates
    tagged = CustomerTag.select(CustomerTag.customer).where(CustomerTag.salon == large).distinct().count()
    assert 0.25 < tagged / len(customers) < 0.55
    # Every ledger row has its sale behind it: the repair command's check finds nothing to do.
    assert ledger_drift(Salon.get_by_id(large)) == []
    assert Sale.select().where(Sale.salon == large).count() == sum(c.visit_count for c in customers)
    sale = post_sale(Salon.get_by_id(large), customer=customers[0], items=[("Cut", 1, 5_000)])
    assert Visit.select().where((Visit.source_type == "sale") & (Visit.source_id == sale.id)).count() == 1
