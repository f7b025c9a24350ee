"""Cost of the visit hook: posting a sale through post_sale versus inserting the same sale without it.

Each runs on PostgreSQL in its own transaction, with a unique idempotency key, for one customer
who already has a history (the hook's UPDATE hits a real row).
"""
import itertools
import uuid

from salon_web.db import db
from salon_web.models import Sale, SaleItem, SalonCustomer, Salon, utcnow
from salon_web.services.customers import create_salon_customer
from salon_web.services.sales import post_sale
from bench.support import ensure_database, p50, row, timings

ITEMS = [("Haircut", 1, 8000), ("Hair oil", 2, 4500)]


def _setup():
    slug = "bench-visits"
    salon = Salon.get_or_none(Salon.slug == slug) or Salon.create(
        name="Bench visits", slug=slug, country="RW", timezone="Africa/Kigali", currency="RWF")
    customer = (SalonCustomer.select().where(SalonCustomer.salon == salon).first()
                or create_salon_customer(salon, full_name="Bench Customer"))
    return salon, customer


def bare_sale(salon, customer):
    """One sale row, nothing else: the issue's reference."""
    now = utcnow()
    with db.atomic():
        Sale.insert(salon=salon.id, customer=customer.id, appointment=None, total=17000, status="completed",
                    sold_at=now, idempotency_key=uuid.uuid4().hex, created_by=None, created_at=now).execute()


def bare_sale_and_items(salon, customer):
    """The sale and its items, inserted with plain ORM inserts, without the visit hook."""
    now = utcnow()
    with db.atomic():
        sale_id = Sale.insert(salon=salon.id, customer=customer.id, appointment=None, total=17000, status="completed",
                              sold_at=now, idempotency_key=uuid.uuid4().hex, created_by=None, created_at=now).execute()
        SaleItem.insert_many([{"salon": salon.id, "sale": sale_id, "description": d, "quantity": q, "unit_price": p}
                              for d, q, p in ITEMS]).execute()


def hooked(salon, customer):
    post_sale(salon, customer=customer, items=ITEMS, idempotency_key=uuid.uuid4().hex)


def run(database_url, args):
    ensure_database(database_url)
    with db.connection_context():
        salon, customer = _setup()
        repeat = max(args.repeat, 200)
        # Interleave the variants so that drift in the machine's load hits all alike.
        bare, bare_items, hook = [], [], []
        for _ in range(10):
            bare += timings(lambda: bare_sale(salon, customer), repeat // 10, warmup=1)
            bare_items += timings(lambda: bare_sale_and_items(salon, customer), repeat // 10, warmup=1)
            hook += timings(lambda: hooked(salon, customer), repeat // 10, warmup=1)
        print(row("bare sale INSERT (1 row, own transaction)", bare))
        print(row("bare sale + 2 items, no hook", bare_items, bare))
        print(row("post_sale: sale + 2 items + visit hook", hook, bare))
        Salon.delete().where(Salon.id == salon.id).execute()  # bare sales have no visit: leave no drift behind
        print(f"hook vs bare sale INSERT: {p50(hook) / p50(bare):.2f}x (goal <= 1.5x); "
              f"vs sale + items without hook: {p50(hook) / p50(bare_items):.2f}x; {len(hook)} runs each")
