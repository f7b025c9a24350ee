"""The CSV export of a whole large salon (issue 12 goal 3): seconds, rows/s and peak RSS growth, against the goal.

Reads the bench salons as they are (run `python -m bench list` or `flask bench-data` first); the only write
is the audit row each export records. For each database it times `stream_csv` in-process and the HTTP
download (the Flask test client consuming the streamed response), each consumed chunk by chunk:
- PostgreSQL: the large salon of BENCH_DATABASE_URL;
- SQLite: the large salon of EXPORT_SQLITE_URL when set (a `flask bench-data` database, e.g.
  `DATABASE_URL=sqlite:////tmp/bench.sqlite3 flask bench-data --customers 200000`).
EXPORT_BASELINE=<git revision> also times that revision's `services/export.py`, interleaved with today's
(baseline, current, baseline, ...), after checking that both give the same bytes; EXPORT_REPEAT runs of
each (default 5). Besides wall time it prints this process's CPU time and, for stream_csv on a local
PostgreSQL, the backend's: those move less with the machine's other work. Goal: 200k rows in <= 1.0 s with < 20 MiB RSS growth on PostgreSQL, >= 100k rows/s on SQLite.
"""
import datetime
import hashlib
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from salon_web.db import bind, db, is_postgres, open_database
from salon_web.models import Salon
from salon_web.sample_data import bench_data
from salon_web.services import export
from salon_web.services.customer_page import exact_count
from salon_web.web_forms.customer_list import list_filter

from bench.support import BENCH_PASSWORD, peak_rss_growth

GOALS = {"postgres": 200_000, "sqlite": 100_000}  # rows per second
RSS_GOAL_MIB = 20


def _baseline_module(revision):
    """`salon_web/services/export.py` as it was at `revision`, imported as a module of its own."""
    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(["git", "show", f"{revision}:salon_web/services/export.py"], cwd=root,
                            check=True, capture_output=True, text=True).stdout
    path = Path(f"/tmp/salon_web_export_baseline_{os.getpid()}.py")
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("salon_web.services._export_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    path.unlink()
    return module


def _backend_cpu_seconds():
    """CPU seconds used so far by this connection's PostgreSQL backend (None on SQLite or a remote server)."""
    if not is_postgres():
        return None
    pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(chunks, backend=False):
    """Consume `chunks`; return (seconds, bytes, peak RSS growth in MiB, our CPU seconds, the backend's CPU seconds).

    CPU seconds are less at the mercy of the machine's other work than wall time; the backend's is known only
    when `backend` (the export runs on this thread's connection, on this machine).
    """
    with peak_rss_growth() as memory:
        backend_before = _backend_cpu_seconds() if backend else None
        size = 0
        started, cpu_started = time.perf_counter(), time.process_time()
        for chunk in chunks:
            size += len(chunk)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        backend_cpu = None if backend_before is None else _backend_cpu_seconds() - backend_before
    return seconds, size, memory["mib"], cpu, backend_cpu


def _digest(chunks):
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _client(database):
    from salon_web import create_app

    app = create_app({"TESTING": True, "DATABASE": database, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post("/login", data={"email": bench_data.BENCH_USER, "password": BENCH_PASSWORD})
    assert response.status_code == 303, response.status_code
    return client


def _http_chunks(client, salon, module):
    """The export's body over HTTP, served by `module` (the view looks `export` up in its own module)."""
    from salon_web.views import customers as view

    view.export = module
    try:
        response = client.get(f"/salons/{salon.id}/customers/export", buffered=False)
        assert response.status_code == 200, response.status_code
        yield from response.response
        response.close()
    finally:
        view.export = export


def _bench_database(label, database, variants, repeat):
    client = _client(database)  # binds `database`
    with db.connection_context():
        salon = Salon.get_or_none(Salon.slug == bench_data.LARGE_SLUG)
        if salon is None:
            print(f"{label}: no large bench salon ({bench_data.LARGE_SLUG}); run `flask bench-data` first")
            return
        customer_filter, _ = list_filter({}, salon)
        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    with db.connection_context():
        first = _measure(export.stream_csv(customer_filter, salon, now=now))
        print(f"{label}: first export in this process: {first[0]:.3f} s, peak RSS growth {first[2]:.1f} MiB")
        if len(variants) > 1:
            digests = {name: _digest(module.stream_csv(customer_filter, salon, now=now)) for name, module in variants}
            same = len(set(digests.values())) == 1
            print(f"{label}: same bytes from {' and '.join(digests)}: {'yes' if same else 'NO ' + str(digests)}")
    paths = {
        "stream_csv": lambda module: module.stream_csv(customer_filter, salon, now=now),
        "http": lambda module: _http_chunks(client, salon, module),
    }
    results = {(path, name): [] for path in paths for name, _module in variants}
    for _ in range(repeat):
        for path, chunks in paths.items():
            for name, module in variants:  # interleaved, so drift in the machine's load hits all alike
                if path == "stream_csv":
                    with db.connection_context():
                        results[path, name].append(_measure(chunks(module), backend=True))
                else:
                    results[path, name].append(_measure(chunks(module)))
    with db.connection_context():
        rows = exact_count(customer_filter, salon)
    goal = GOALS[label]
    print(f"{label}: {rows:,} rows, {repeat} runs each; goal >= {goal:,} rows/s"
          + (f", RSS growth < {RSS_GOAL_MIB} MiB" if label == "postgres" else ""))
    print(f"  {'path':<11} {'export.py':<10} {'median s':>9} {'min s':>7} {'rows/s':>10} {'MB':>6} {'RSS MiB':>8}"
          f" {'cpu s':>6} {'db cpu s':>8}  goal")
    for (path, name), samples in results.items():
        seconds = statistics.median(sample[0] for sample in samples)
        growth = max(sample[2] for sample in samples)
        cpu = statistics.median(sample[3] for sample in samples)
        backend = [sample[4] for sample in samples if sample[4] is not None]
        backend_cpu = f"{statistics.median(backend):8.2f}" if backend else f"{'-':>8}"
        speed = rows / seconds
        met = speed >= goal and (label != "postgres" or growth < RSS_GOAL_MIB)
        print(f"  {path:<11} {name:<10} {seconds:9.3f} {min(s[0] for s in samples):7.3f} {speed:10,.0f}"
              f" {samples[0][1] / 1e6:6.1f} {growth:8.1f} {cpu:6.2f} {backend_cpu}  {'met' if met else 'NOT met'}")
    if len(variants) == 2:
        for path in paths:
            before = statistics.median(s[0] for s in results[path, variants[0][0]])
            after = statistics.median(s[0] for s in results[path, variants[1][0]])
            print(f"  {path}: {variants[0][0]}/{variants[1][0]} = {before / after:.2f}x")


def run(database_url, args):
    repeat = int(os.environ.get("EXPORT_REPEAT", "5"))
    variants = [("current", export)]
    baseline = os.environ.get("EXPORT_BASELINE")
    if baseline:
        variants.insert(0, ("baseline", _baseline_module(baseline)))
        print(f"baseline: services/export.py at {baseline}")
    _bench_database("postgres", bind(open_database(database_url)), variants, repeat)
    sqlite_url = os.environ.get("EXPORT_SQLITE_URL")
    if sqlite_url:
        _bench_database("sqlite", bind(open_database(sqlite_url)), variants, repeat)
    else:
        print("sqlite: skipped (set EXPORT_SQLITE_URL to a bench-data SQLite database)")
