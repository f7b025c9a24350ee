"""The floor of a page over HTTP on this machine: a bare Flask page reading 50 rows, served as the app is served.

    python -m bench.http_floor [--rounds 3] [--seconds 3]

Issue 12 gives "a bare Flask page with a 50-row query" as the limit a page can approach. This serves `app` below
under gunicorn as `throughput` serves salon_web (2 sync workers, one client, a fresh connection per request) on
BENCH_DATABASE_URL's 2,000-customer bench salon: no session, no log-in, no CSRF, no ORM, one statement a page, the
rows rendered by a ten-line Jinja template. Whatever salon_web's page costs over HTTP above this figure is its own.
"""
import argparse
import os
import sys
from pathlib import Path

import psycopg2
from flask import Flask, render_template_string

from bench.http_client import load, small_salon_id, start_gunicorn, stop, warm_up
from bench.support import p50, p95

ROWS = """<!doctype html><title>Customers</title><table>{% for id, name, phone, visits in rows %}
<tr><td><a href="/customers/{{ id }}">{{ name }}</a></td><td>{{ phone or "" }}</td><td>{{ visits }}</td></tr>
{% endfor %}</table>"""

app = Flask(__name__)
_connection = None  # one per worker process, opened on its first request


@app.get("/salons/<int:salon_id>/customers")
def customers(salon_id):
    global _connection
    if _connection is None:
        _connection = psycopg2.connect(os.environ["DATABASE_URL"])
        _connection.autocommit = True
    with _connection.cursor() as cursor:
        cursor.execute("SELECT id, full_name, phone_e164, visit_count FROM salon_customer WHERE salon_id = %s "
                       "ORDER BY last_visit_at DESC NULLS LAST, id DESC LIMIT 50", (salon_id,))
        rows = cursor.fetchall()
    return render_template_string(ROWS, rows=rows)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.http_floor", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--port", type=int, default=5140)
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/salon_web_bench")
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        path = f"/salons/{small_salon_id(cursor, url)}/customers"
    connection.close()
    server = start_gunicorn(url, str(Path(__file__).resolve().parent.parent), args.port,
                            app="bench.http_floor:app", ready_path=path)
    try:
        warm_up(args.port, path, "")
        rounds = [load(args.port, path, "", args.seconds, 1)[2] for _ in range(args.rounds)]
    finally:
        stop(server)
    for number, latencies in enumerate(rounds, 1):
        print(f"  round {number}: p50 {p50(latencies):6.2f} ms   p95 {p95(latencies):6.2f} ms   {len(latencies)} pages")
    print(f"bare Flask page, 50 rows, over HTTP: median p50 {p50([p50(r) for r in rounds]):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
