"""Run every benchmark module, or those named: `python -m bench [visits list ...]`.

The database is BENCH_DATABASE_URL (default: a local PostgreSQL database `salon_web_bench`,
created if missing). Benchmarks own that database and may drop its tables.
"""
import argparse
import importlib
import os
import pkgutil
import sys
import time

import bench

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/salon_web_bench"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmark modules to run (default: all)")
    parser.add_argument("--customers", type=int, default=200_000, help="size of the large salon")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query")
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    available = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    chosen = args.names or available
    unknown = set(chosen) - set(available)
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; available: {available}")
    print(f"database: {url.split('@')[-1]}")
    for name in chosen:
        module = importlib.import_module(f"bench.bench_{name}")
        started = time.perf_counter()
        print(f"\n## {name}")
        module.run(url, args)
        print(f"({name}: {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
