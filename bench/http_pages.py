"""Issue 12's pages over HTTP in several checkouts, one client at a time, interleaved.

    python -m bench.http_pages --app /work/wt/first=postgresql://…/salon_web_bench_first \\
        --app .=postgresql://…/salon_web_pages [--rounds 3] [--seconds 3]

Issue 12's goal: over HTTP under gunicorn on the 2k bench salon, the first list page, a surname search and the
busiest customer's card each at least 5x faster than the first build. Each `--app CHECKOUT=DATABASE_URL` gets its
own gunicorn as `throughput` starts it (2 sync workers, production settings, cwd = the checkout) on its own port
(`--port`, +1 per checkout), all started first and stopped at the end; each database needs that checkout's
`migrate` and `bench-data` (the bench owner and the `bench-small` salon). The salon and its busiest customer
(most visits) are found with plain SQL, so any schema version will do. In each round every page is measured for
`--seconds` by one client in each checkout by turns, the order flipping each time (A B, B A, A B ...), after a short
warm-up from two clients so both workers have served it. Printed per page and checkout: the median of the rounds'
p50s (and p95s), and the first checkout's median ÷ each other's (above 1: that one is faster).
"""
import argparse
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import psycopg2

from bench.http_client import (
    WORKERS, load, log_in, request, small_salon_id, small_salon_pages, start_gunicorn, stop, warm_up,
)
from bench.support import p50, p95


def _app(text):
    checkout, equals, url = text.partition("=")
    if not equals or not checkout or not url:
        raise argparse.ArgumentTypeError(f"expected CHECKOUT=DATABASE_URL, got {text!r}")
    path = Path(checkout).expanduser().resolve()
    if not (path / "wsgi.py").is_file():
        raise argparse.ArgumentTypeError(f"{path} has no wsgi.py: not a checkout of the app")
    return path, url


def busiest_customer(url):
    """(bench-small salon id, its busiest customer's id, that customer's visits) with plain SQL on `url`."""
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        salon_id = small_salon_id(cursor, url)
        cursor.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                       "AND table_name = 'salon_customer' AND column_name = 'visit_count'")
        if cursor.fetchone():  # every version so far keeps the figure on the salon's card
            cursor.execute("SELECT id, visit_count FROM salon_customer WHERE salon_id = %s "
                           "ORDER BY visit_count DESC, id LIMIT 1", (salon_id,))
        else:  # count the visit ledger instead
            cursor.execute("SELECT customer_id, count(*) FROM visit WHERE salon_id = %s "
                           "GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1", (salon_id,))
        customer_id, visits = cursor.fetchone()
    connection.close()
    return salon_id, customer_id, visits


def _labels(paths):
    """Each checkout's directory name, made unique."""
    labels = []
    for number, path in enumerate(paths, 1):
        label = path.name or str(path)
        labels.append(label if label not in labels else f"{label}#{number}")
    return labels


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.http_pages", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", type=_app, action="append", required=True, metavar="CHECKOUT=DATABASE_URL",
                        help="a checkout and its database; give two or more, the first is the reference")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="one client's time on each page per round")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up before each measurement")
    parser.add_argument("--port", type=int, default=5130, help="the first checkout's port; the next ones count up")
    args = parser.parse_args(argv)
    labels = _labels([path for path, _ in args.app])
    apps = []  # (label, checkout, port, [(page, path)])
    for number, (label, (checkout, url)) in enumerate(zip(labels, args.app)):
        salon_id, customer_id, visits = busiest_customer(url)
        apps.append((label, checkout, args.port + number, small_salon_pages(salon_id, customer_id)))
        print(f"{label}: {checkout} on {url.rpartition('@')[2]}, port {args.port + number}; "
              f"salon {salon_id}, busiest customer {customer_id} ({visits} visits)", flush=True)
    print(f"gunicorn {WORKERS} sync workers each; {args.rounds} rounds of {args.seconds:g} s per page and checkout, "
          f"one client", flush=True)

    samples = defaultdict(list)  # (page number, label) -> [(p50, p95, pages/s, errors)] one per round
    servers = {}
    try:
        for (label, checkout, port, _), (_, url) in zip(apps, args.app):
            servers[label] = start_gunicorn(url, checkout, port)
        cookies = {label: log_in(port) for label, _, port, _ in apps}
        for label, _, port, pages in apps:
            for _, path in pages:
                response, _ = request(port, "GET", path, {"Cookie": cookies[label]})
                if response.status != 200:
                    raise SystemExit(f"{label}: GET {path} answered {response.status}")
        turn = 0
        for round_number in range(args.rounds):
            for page in range(3):
                for label, _, port, pages in apps if turn % 2 == 0 else apps[::-1]:  # ABBA: a drift favours none
                    path = pages[page][1]
                    warm_up(port, path, cookies[label], args.warmup)
                    count, errors, latencies = load(port, path, cookies[label], args.seconds, 1)
                    samples[(page, label)].append((p50(latencies), p95(latencies), count / args.seconds, errors))
                turn += 1
            print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        for server in servers.values():
            stop(server)

    print(f"\n{'page':<26} {'checkout':<12} {'p50':>9} {'p95':>9} {'pages/s':>8} {'errors':>6}   ratio")
    reference = labels[0]
    for page, (name, _) in enumerate(apps[0][3]):
        medians = {}
        for label in labels:
            rounds = samples[(page, label)]
            medians[label] = statistics.median(run[0] for run in rounds)
            ratio = f"{reference} / {label} = {medians[reference] / medians[label]:.2f}x" if label != reference else ""
            print(f"{name if label == reference else '':<26} {label:<12} {medians[label]:6.2f} ms "
                  f"{statistics.median(run[1] for run in rounds):6.2f} ms "
                  f"{statistics.median(run[2] for run in rounds):8.1f} {sum(run[3] for run in rounds):6d}   {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
