"""Instructions per request of one page, counted by valgrind: the same number whatever else the machine is doing.

    python -m bench.page_instructions list|fragment|card|today [--requests 20]

Wall times on a shared machine move ±30% between runs a minute apart; instruction counts do not, so a change to the
fixed cost of a page is measured here first (then timed with `python -m bench pages`). The page is requested
in-process, logged in as the demo owner, after a warm-up; the count is (I(n) − I(0)) / n, so start-up and warm-up
cancel out. Long-lived objects are frozen out of the garbage collector first: a full collection landing in one run
and not the other moved a page by over a million instructions. Needs `valgrind` (Debian package). Works on
BENCH_DATABASE_URL, by default an SQLite file of its own in the temp directory (the demo salon is seeded on first use).
"""
import argparse
import contextlib
import gc
import os
import re
import subprocess
import sys
import tempfile

PAGES = {"list": 0, "fragment": 1, "card": 2, "today": 3}  # their order in bench_pages._pages
DEFAULT_URL = f"sqlite:///{os.path.join(tempfile.gettempdir(), 'salon_web_page_instructions.sqlite3')}"
WARM_UP = 5


@contextlib.contextmanager
def warmed_page(page):
    """Yield a function that requests `page` in-process as the demo owner, after logging in and a warm-up."""
    from bench.bench_pages import DEMO_PASSWORD, _database, _log_in, _pages, demo_salon
    from salon_web import create_app

    database = _database(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    app = create_app({"DATABASE": database, "SECRET_KEY": "bench", "ENV": "testing"})
    with database.connection_context():
        salon = demo_salon()  # seeded on first use: before logging in as its owner
        client = _log_in(app, "owner@example.com", DEMO_PASSWORD)
        _label, path, headers = _pages(salon)[PAGES[page]]
        for _ in range(WARM_UP):
            assert client.get(path, headers=headers).status_code == 200, path
        yield lambda: client.get(path, headers=headers)


def _requests(page, count):
    """Log in, warm up, freeze the heap, then request the page `count` times (what valgrind counts)."""
    with warmed_page(page) as request_page:
        gc.collect()
        gc.freeze()
        for _ in range(count):
            request_page()


def _counted(page, count):
    """Instructions valgrind counts for a whole run making `count` requests."""
    with tempfile.TemporaryDirectory() as scratch:
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out",
                   sys.executable, "-m", "bench.page_instructions", page, "--run", str(count)]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or not found:
        raise SystemExit(f"valgrind run failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.page_instructions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("page", choices=sorted(PAGES))
    parser.add_argument("--requests", type=int, default=20, help="requests counted (default 20)")
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)  # the child valgrind runs
    args = parser.parse_args(argv)
    if args.run is not None:
        _requests(args.page, args.run)
        return 0
    _requests(args.page, 0)  # seeds the demo salon now, so neither counted run does
    per_request = (_counted(args.page, args.requests) - _counted(args.page, 0)) / args.requests
    print(f"{args.page}: {per_request / 1e6:.2f} M instructions per request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
