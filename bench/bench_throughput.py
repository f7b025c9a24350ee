"""Throughput over HTTP: concurrent clients on the large salon's first list page, gunicorn with 2 workers.

Issue 12, goal 4: 16 clients, >= 200 pages/s, no errors. Starts gunicorn (sync workers, as deployed) on
127.0.0.1:BENCH_PORT (default 5120) serving BENCH_APP_DIR (default: this checkout; point it at another checkout
to measure the code before a change on the same database), logs the bench owner in once and lets 16 threads
fetch the first page for THROUGHPUT_SECONDS (default 10). Prints pages/s, errors and the latency percentiles;
also the 2,000-customer salon's first page, a surname search and the busiest customer's card, one client at a time.
"""
import os
from pathlib import Path

from bench.http_client import WORKERS, load, log_in, small_salon_pages, start_gunicorn, stop, warm_up
from bench.support import ensure_bench_salons, ensure_database, p50, p95
from salon_web.models import SalonCustomer

CLIENTS = 16


def run(url, args):
    database = ensure_database(url)
    with database.connection_context():
        large, small = ensure_bench_salons(args.customers)
        busiest = (SalonCustomer.select(SalonCustomer.id).where(SalonCustomer.salon == small)
                   .order_by(SalonCustomer.visit_count.desc(), SalonCustomer.id).first())
    database.close()
    app_dir = os.environ.get("BENCH_APP_DIR") or str(Path(__file__).resolve().parent.parent)
    port = int(os.environ.get("BENCH_PORT", "5120"))
    seconds = float(os.environ.get("THROUGHPUT_SECONDS", "10"))
    server = start_gunicorn(url, app_dir, port)
    try:
        cookie = log_in(port)
        print(f"app: {app_dir}, gunicorn {WORKERS} sync workers on port {port}")
        for label, path in small_salon_pages(small.id, busiest.id):
            warm_up(port, path, cookie)
            pages, errors, latencies = load(port, path, cookie, min(seconds, 5), 1)
            print(f"  {label:<28} 1 client: p50 {p50(latencies):7.2f} ms   p95 {p95(latencies):7.2f} ms   "
                  f"{pages / min(seconds, 5):6.1f} pages/s, {errors} errors")
        path = f"/salons/{large.id}/customers"
        load(port, path, cookie, 2, CLIENTS)  # warm-up
        pages, errors, latencies = load(port, path, cookie, seconds, CLIENTS)
        print(f"  200k salon first page, {CLIENTS} clients: {pages / seconds:7.1f} pages/s, {errors} errors, "
              f"p50 {p50(latencies):.1f} ms, p95 {p95(latencies):.1f} ms (goal >= 200 pages/s, no errors)")
    finally:
        stop(server)
