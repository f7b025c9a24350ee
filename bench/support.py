"""Timing helpers and database setup shared by the benchmarks."""
import gc
import statistics
import time
from contextlib import contextmanager

import psycopg2

from salon_web.cli import migrate_database
from salon_web.db import bind, open_database
from salon_web.models import Salon, SalonCustomer
from salon_web.sample_data import bench_data

BENCH_PASSWORD = "demo-password-123"  # what `flask bench-data` gives the bench user by default


def ensure_database(url):
    """Create the benchmark database if it does not exist; return the bound, migrated peewee Database."""
    base, _, name = url.rpartition("/")
    try:
        psycopg2.connect(url).close()
    except psycopg2.OperationalError:
        admin = psycopg2.connect(f"{base}/postgres")
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
        admin.close()
    database = bind(open_database(url))
    database.connect(reuse_if_open=True)
    database.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    migrate_database(database)
    return database


def timings(function, repeat, warmup=3):
    """Run `function` warmup+repeat times; return the timed durations in milliseconds."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p50(samples):
    return statistics.median(samples)


def p95(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def row(label, samples, reference=None):
    """Format one result line: label, p50, p95 and the ratio to a reference's p50."""
    ratio = f"  x{p50(samples) / p50(reference):.2f}" if reference else ""
    return f"{label:<44} p50 {p50(samples):8.2f} ms   p95 {p95(samples):8.2f} ms{ratio}"


@contextmanager
def stopwatch():
    result = {}
    started = time.perf_counter()
    yield result
    result["seconds"] = time.perf_counter() - started


@contextmanager
def peak_rss_growth():
    """Measure how far this process's peak resident memory rises in the block, as result["mib"] (Linux's /proc).

    Collects garbage and resets the kernel's high-water mark first, so earlier work does not hide the block's.
    """
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # resets VmHWM to the current RSS
    except OSError:
        pass
    result = {}
    before = _peak_rss_kib()
    yield result
    result["mib"] = (_peak_rss_kib() - before) / 1024


def _peak_rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def ensure_bench_salons(customers):
    """Return the (large, small) `flask bench-data` salons, building them when the size differs."""
    large = Salon.get_or_none(Salon.slug == bench_data.LARGE_SLUG)
    size = SalonCustomer.select().where(SalonCustomer.salon == large).count() if large else 0
    if size != customers:
        print(f"building bench data: {customers:,} customers (found {size:,})")
        with stopwatch() as took:
            bench_data.build(customers, password=BENCH_PASSWORD, log=lambda line: None)
        print(f"bench-data took {took['seconds']:.1f} s")
    return (Salon.get(Salon.slug == bench_data.LARGE_SLUG), Salon.get(Salon.slug == bench_data.SMALL_SLUG))
