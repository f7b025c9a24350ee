"""Customer list at scale: every list query through the service, next to the raw SQL it runs, plus export.

Builds the bench salons with `bench-data` when they are missing or of another size. For each case:
- service: list_filter + customer_page (count, page rows, their tags), ORM objects included;
- raw SQL: exactly the statements the service ran, executed on the bare psycopg2 cursor with fetchall;
- http: the whole GET of the results fragment through Flask (auth, tenancy, template).
Export: all rows of the large salon through the CSV stream (server-side cursor), rows/s and peak RSS growth.
"""
import datetime

from werkzeug.datastructures import MultiDict

from bench.support import (BENCH_PASSWORD, ensure_bench_salons, ensure_database, p50, p95, peak_rss_growth,
                           stopwatch, timings)
from salon_web.models import SalonCustomer
from salon_web.sample_data import bench_data
from salon_web.services.customer_filter import Cursor
from salon_web.services.customer_page import customer_page
from salon_web.web_forms.customer_list import list_filter
from salon_web.services.export import stream_csv



def _deep_cursor(salon, position):
    """A cursor after the row at `position` of the default order (what "Next" would carry there)."""
    row_at = (
        SalonCustomer.select(SalonCustomer.id, SalonCustomer.last_visit_at)
        .where(SalonCustomer.salon == salon)
        .order_by(SalonCustomer.last_visit_at.desc(), SalonCustomer.id.desc())
        .offset(position)
        .first()
    )
    return Cursor("last_visit", "desc", "after", 0, row_at.last_visit_at, row_at.id).encode()


def _capture(database, function):
    """Run `function` once and return the (sql, params) it executed."""
    captured = []
    original = database.execute_sql

    def recording(sql, params=None, *args, **kwargs):
        captured.append((sql, params))
        return original(sql, params, *args, **kwargs)

    database.execute_sql = recording
    try:
        function()
    finally:
        database.execute_sql = original
    return captured


def _raw(database, statements):
    def run():
        cursor = database.cursor()
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
        cursor.close()
    return run


def _http_client(database, salon):
    from salon_web import create_app

    app = create_app({"TESTING": True, "DATABASE": database, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post("/login", data={"email": bench_data.BENCH_USER, "password": BENCH_PASSWORD})
    assert response.status_code == 303, response.status_code
    return client


def run(database_url, args):
    database = ensure_database(database_url)
    large, small = ensure_bench_salons(args.customers)
    client = _http_client(database, large)
    with database.connection_context():
        cases = [
            ("first page", large, {}),
            ("deep page (row 100,000, cursor)", large, {"cursor": _deep_cursor(large, min(100_000, args.customers // 2))}),
            ("deep page (page=4000, OFFSET)", large, {"page": str(min(4000, args.customers // 50))}),
            ("search common surname 'uwase'", large, {"q": "uwase"}),
            ("search rare surname 'twagirayezu'", large, {"q": "twagirayezu"}),
            ("search 2 letters 'cl' (prefix)", large, {"q": "cl"}),
            ("search phone '0788 12'", large, {"q": "0788 12"}),
            ("tags all VIP+Regular", large, {"tags": ["VIP", "Regular"], "tag_mode": "all"}),
            ("days since last visit >= 365", large, {"days_since_last_visit": "365"}),
            ("sort total_spent desc", large, {"sort": "total_spent"}),
            ("sort visit_count desc", large, {"sort": "visit_count"}),
            ("sort name asc", large, {"sort": "name"}),
            ("sort last_visit asc", large, {"sort": "last_visit", "order": "asc"}),
            ("small salon (2,000): first page", small, {}),
            ("small salon (2,000): search 'uwase'", small, {"q": "uwase"}),
        ]
        print(f"{'query':<44} {'service p50':>11} {'p95':>8} {'raw SQL p50':>11} {'p95':>8} {'ratio':>6}"
              f" {'http p50':>9} {'p95':>8}  rows/total")
        for label, salon, params in cases:
            multi = MultiDict([(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])])

            def service(salon=salon, multi=multi):
                customer_filter, errors = list_filter(multi, salon)
                assert not errors, errors
                return customer_page(customer_filter, salon)

            page = service()
            statements = _capture(database, service)
            service_ms = timings(service, args.repeat)
            raw_ms = timings(_raw(database, statements), args.repeat)
            path = f"/salons/{salon.id}/customers"
            headers = {"HX-Request": "true", "HX-Target": "results"}

            def http(path=path, multi=multi):
                response = client.get(path, query_string=multi, headers=headers)
                assert response.status_code == 200, response.status_code

            http_ms = timings(http, args.repeat)
            print(f"{label:<44} {p50(service_ms):9.2f}ms {p95(service_ms):6.2f}ms {p50(raw_ms):9.2f}ms"
                  f" {p95(raw_ms):6.2f}ms {p50(service_ms) / p50(raw_ms):5.2f}x {p50(http_ms):7.2f}ms"
                  f" {p95(http_ms):6.2f}ms  {len(page.customers)}/{page.total:,}")

        customer_filter, _ = list_filter({}, large)
        for attempt in range(2):
            size = 0
            with peak_rss_growth() as memory, stopwatch() as took:
                for chunk in stream_csv(customer_filter, large, now=datetime.datetime.now(datetime.UTC).replace(tzinfo=None)):
                    size += len(chunk)
            rows = args.customers
            print(f"export all {rows:,} rows (run {attempt + 1}): {took['seconds']:.2f} s, {rows / took['seconds']:,.0f} rows/s,"
                  f" {size / 1e6:.1f} MB CSV, peak RSS growth {memory['mib']:.1f} MiB")
