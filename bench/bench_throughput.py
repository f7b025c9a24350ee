"""Throughput over HTTP: concurrent clients on the large salon's first list page, gunicorn with 2 workers.

Issue 12, goal 4: 16 clients, >= 200 pages/s, no errors. Starts gunicorn (sync workers, as deployed) on
127.0.0.1:BENCH_PORT (default 5120) serving BENCH_APP_DIR (default: this checkout; point it at another checkout
to measure the code before a change on the same database), logs the bench owner in once and lets 16 threads
fetch the first page for THROUGHPUT_SECONDS (default 10). Prints pages/s, errors and the latency percentiles;
also the 2,000-customer salon's first page, a surname search and the busiest customer's card, one client at a time.
"""
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from bench.support import BENCH_PASSWORD, ensure_bench_salons, ensure_database, p50, p95
from salon_web.models import SalonCustomer
from salon_web.sample_data.bench_data import BENCH_USER

CLIENTS = 16
WORKERS = 2


def _start_gunicorn(url, app_dir, port):
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-throughput", "SALON_WEB_ENV": "production"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"],
        cwd=app_dir, env=env, start_new_session=True)
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/login")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    _stop(server)
    raise RuntimeError("gunicorn did not start")


def _stop(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def _request(port, method, path, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def _cookie(response):
    return "; ".join(value.split(";")[0] for name, value in response.getheaders() if name.lower() == "set-cookie")


def _log_in(port):
    response, page = _request(port, "GET", "/login")
    token = re.search(rb'"X-CSRFToken": "([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode({"email": BENCH_USER, "password": BENCH_PASSWORD})
    response, _ = _request(port, "POST", "/login", {
        "Cookie": _cookie(response), "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded"}, body)
    assert response.status == 303, response.status
    return _cookie(response)


def _load(port, path, cookie, seconds, clients):
    """`clients` threads fetching `path` for `seconds`: (pages, errors, latencies in ms)."""
    latencies, errors, stop = [], [], time.perf_counter() + seconds
    lock = threading.Lock()

    def client():
        mine, failed = [], 0
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                response, _ = _request(port, "GET", path, {"Cookie": cookie})
                if response.status != 200:
                    failed += 1
            except OSError:
                failed += 1
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            errors.append(failed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), sum(errors), latencies


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
    server = _start_gunicorn(url, app_dir, port)
    try:
        cookie = _log_in(port)
        print(f"app: {app_dir}, gunicorn {WORKERS} sync workers on port {port}")
        for label, path in (("2k salon first page", f"/salons/{small.id}/customers"),
                            ("2k salon surname search", f"/salons/{small.id}/customers?q=uwase"),
                            ("2k salon busiest card", f"/salons/{small.id}/customers/{busiest.id}")):
            _load(port, path, cookie, 1, 1)  # warm both workers' caches
            pages, errors, latencies = _load(port, path, cookie, min(seconds, 5), 1)
            print(f"  {label:<28} 1 client: p50 {p50(latencies):7.2f} ms   p95 {p95(latencies):7.2f} ms   "
                  f"{pages / min(seconds, 5):6.1f} pages/s, {errors} errors")
        path = f"/salons/{large.id}/customers"
        _load(port, path, cookie, 2, CLIENTS)  # warm-up
        pages, errors, latencies = _load(port, path, cookie, seconds, CLIENTS)
        print(f"  200k salon first page, {CLIENTS} clients: {pages / seconds:7.1f} pages/s, {errors} errors, "
              f"p50 {p50(latencies):.1f} ms, p95 {p95(latencies):.1f} ms (goal >= 200 pages/s, no errors)")
    finally:
        _stop(server)
