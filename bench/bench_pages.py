"""Fixed cost of a page: the list, its htmx fragment, the card and Today, in-process, logged in as the owner.

Most salons have a few thousand clients, so what a page costs before its data (session, tenancy, queries built,
templates rendered) is what staff feel. Runs on the demo salon (`seed-demo`, built on first use) and, when
`flask bench-data` has made them, on the 2,000-customer bench salon. Prints p50/p95 of the wall time, the p50 of
this process's CPU time (what the app itself spends: steadier than wall time on a busy machine, and without the
database server's share on PostgreSQL) and the statements per request.
Works on BENCH_DATABASE_URL, PostgreSQL or `sqlite:///path`.
"""
import logging
import time

from salon_web import create_app
from salon_web.cli import migrate_database
from salon_web.db import bind, open_database
from salon_web.models import Salon, SalonCustomer, User
from salon_web.sample_data import bench_data
from salon_web.sample_data.demo import seed_demo
from bench.support import BENCH_PASSWORD, ensure_database, p50, p95, timings

DEMO_PASSWORD = "demo-password-123"


class StatementCounter(logging.Handler):
    """Counts the statements peewee logs."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        self.count += 1


def _database(url):
    if url.startswith("sqlite"):
        database = bind(open_database(url))
        database.connect(reuse_if_open=True)
        migrate_database(database)
        return database
    return ensure_database(url)


def demo_salon():
    """The demo salon (`seed-demo`), seeded on first use."""
    demo = Salon.get_or_none(Salon.slug == "kigali-glow")
    if demo is None:
        seed_demo(DEMO_PASSWORD)
        demo = Salon.get(Salon.slug == "kigali-glow")
    return demo


def _log_in(app, email, password):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('"X-CSRFToken": "')[1].split('"')[0]
    response = client.post("/login", data={"email": email, "password": password}, headers={"X-CSRFToken": token})
    assert response.status_code == 303, response.status_code
    return client


def _pages(salon):
    """(label, path, headers) of the pages a receptionist opens all day."""
    busiest = (SalonCustomer.select().where(SalonCustomer.salon == salon)
               .order_by(SalonCustomer.visit_count.desc(), SalonCustomer.id).first())
    base = f"/salons/{salon.id}"
    return [
        ("list page", f"{base}/customers", {}),
        ("list fragment (htmx)", f"{base}/customers?q=an", {"HX-Request": "true", "HX-Target": "results"}),
        ("customer card", f"{base}/customers/{busiest.id}", {}),
        ("Today", f"{base}/today", {}),
    ]


def _measure(client, salon, repeat):
    counter = StatementCounter()
    logger = logging.getLogger("peewee")
    for label, path, headers in _pages(salon):
        assert client.get(path, headers=headers).status_code == 200, path
        logger.addHandler(counter)
        logger.setLevel(logging.DEBUG)
        counter.count = 0
        client.get(path, headers=headers)
        statements = counter.count
        logger.removeHandler(counter)
        logger.setLevel(logging.WARNING)
        cpu = []

        def get(path=path, headers=headers):
            started = time.process_time()
            client.get(path, headers=headers)
            cpu.append((time.process_time() - started) * 1000)

        samples = timings(get, repeat)
        cpu = cpu[-repeat:]  # the timed runs only
        print(f"  {label:<24} p50 {p50(samples):7.2f} ms   p95 {p95(samples):7.2f} ms   app CPU p50 {p50(cpu):6.2f} ms"
              f"   {statements:3d} statements")


def run(url, args):
    database = _database(url)
    app = create_app({"DATABASE": database, "SECRET_KEY": "bench", "ENV": "testing"})
    with database.connection_context():
        demo = demo_salon()
        print(f"demo salon ({SalonCustomer.select().where(SalonCustomer.salon == demo).count():,} customers), owner:")
        _measure(_log_in(app, "owner@example.com", DEMO_PASSWORD), demo, args.repeat)
        small = Salon.get_or_none(Salon.slug == bench_data.SMALL_SLUG)
        bench_user = User.get_or_none(User.email == "bench@example.com")
        if small is not None and bench_user is not None:
            print("bench salon (2,000 customers), bench owner:")
            _measure(_log_in(app, bench_user.email, BENCH_PASSWORD), small, args.repeat)
        else:
            print("(no bench salons: run `python -m bench list` or `flask bench-data` to add the 2,000-customer salon)")
