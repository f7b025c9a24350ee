"""Client-book import: 50,000 rows read, stored, dry-run, applied and undone, on PostgreSQL and SQLite.

Each (database, size) runs in a child process so its peak RSS is its own: comparing the peak at
10,000 and 50,000 rows shows how memory grows with the file. The salon starts with 5,000 cards and the
file updates 10% of them (phone matches), creates the rest; one row in 100 is refused (a broken date).
Target: the apply pass of 50,000 rows within 30 s on each database.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

SIZES = (10_000, 50_000)
EXISTING = 5_000


def run(database_url, args):
    sqlite_url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-import-')}/bench.sqlite3"
    for label, url in (("postgresql", database_url), ("sqlite", sqlite_url)):
        for size in SIZES:
            output = subprocess.run([sys.executable, "-m", "bench.bench_import", url, str(size)], check=True,
                                    capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
            result = json.loads(output.stdout.strip().splitlines()[-1])
            steps = "  ".join(f"{k} {v:.2f}s" for k, v in result["seconds"].items())
            total = sum(result["seconds"].values()) - result["seconds"]["undo"]
            print(f"{label:<10} {size:>6,} rows  {steps}  | upload-to-done {total:.1f}s "
                  f"({size / result['seconds']['apply']:,.0f} rows/s applied)  peak RSS {result['peak_rss_mib']:.0f} MiB  "
                  f"counts {result['counts']}")


def _book(size):
    lines = ["Name;Mobile;Email;Birthday;Tags;Notes"]
    for i in range(size):
        phone = f"0788{i:06d}" if i < EXISTING // 10 * 10 and i % 10 == 0 else f"0789{i:06d}"
        birthday = "31/02/1990" if i % 100 == 99 else f"{1 + i % 28:02d}/{1 + i % 12:02d}/19{50 + i % 50}"
        lines.append(f"Client {i};{phone};client{i}@example.com;{birthday};VIP,Tag {i % 7};Note for {i}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def child(url, size):
    """Time one import of `size` rows into a fresh salon; print the result as JSON."""
    from salon_web import create_app
    from salon_web.cli import migrate_database
    from salon_web.db import bind, db, open_database
    from salon_web.models import CustomerImport, Salon
    from salon_web.services import customer_import as imports
    from salon_web.services.customers import create_salon_customer
    from salon_web.services.import_files import read_table
    from bench.support import ensure_database

    database = ensure_database(url) if url.startswith("postgres") else bind(open_database(url))
    if not url.startswith("postgres"):
        database.connect(reuse_if_open=True)
        migrate_database(database)
    create_app({"DATABASE": database, "SECRET_KEY": "bench", "ENV": "testing"})
    bind(database)
    database.connect(reuse_if_open=True)
    salon = Salon.create(name="Bench import", slug=f"bench-import-{time.time_ns()}", country="RW",
                         timezone="Africa/Kigali", currency="RWF")
    with db.atomic():
        for i in range(0, EXISTING, 10):
            create_salon_customer(salon, full_name=f"Old {i}", phone=f"0788{i:06d}", phone_e164=f"+250788{i:06d}")
    data = _book(size)
    seconds = {}
    today = __import__("datetime").date(2026, 12, 1)
    started = time.perf_counter()
    table = read_table(data, "bench.csv")
    seconds["read"] = time.perf_counter() - started
    started = time.perf_counter()
    customer_import = imports.start_import(salon, table, "bench.csv")
    del table, data
    seconds["store"] = time.perf_counter() - started
    mapping = customer_import.mapping
    started = time.perf_counter()
    imports.dry_run(customer_import, salon, mapping, today=today)
    seconds["dry_run"] = time.perf_counter() - started
    customer_import = CustomerImport.get_by_id(customer_import.id)
    imports.queue(customer_import, salon)
    started = time.perf_counter()
    done = imports.apply_import(salon, customer_import.id, today=today)
    seconds["apply"] = time.perf_counter() - started
    started = time.perf_counter()
    imports.undo_import(salon, done)
    seconds["undo"] = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mib": peak, "counts": done.counts}))


if __name__ == "__main__":
    child(sys.argv[1], int(sys.argv[2]))
