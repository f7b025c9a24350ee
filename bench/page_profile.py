"""Where one page's CPU goes: cProfile over many requests, summed by library and by function.

    python -m bench.page_profile list|fragment|card|today [--requests 200] [--top 25]

`bench.page_instructions` says how much a page costs; this says where. The page is requested in-process, logged in
as the demo owner, after a warm-up, like the other page benches. Each function's own time (cProfile's tottime) is
charged to the library its file belongs to (jinja2, peewee, werkzeug, ... or salon_web, and "templates" for code
Jinja compiled from our templates), then the top functions are listed. cProfile slows Python calls down unevenly, so
read the shares, not the milliseconds. Works on BENCH_DATABASE_URL, by default the same SQLite file as
`bench.page_instructions`.
"""
import argparse
import cProfile
import os
import pstats
import sys
from collections import Counter

from bench.page_instructions import PAGES, warmed_page

AREAS = ("jinja2", "markupsafe", "peewee", "psycopg2", "werkzeug", "flask_wtf", "flask_login", "flask_babel",
         "babel", "flask", "itsdangerous", "wtforms", "salon_web", "bench")


def area_of(filename):
    """The library a function's file belongs to."""
    if filename.startswith("<template>") or filename.endswith(".html"):
        return "templates"
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    parts = filename.replace("\\", "/").split("/")
    for part in reversed(parts[:-1]):
        if part in AREAS:
            return part
    return "python" if "python3" in filename else "other"


def _profile(page, count):
    with warmed_page(page) as request_page:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            request_page()
        profiler.disable()
    return pstats.Stats(profiler)


def report(stats, count, top):
    by_area = Counter()
    rows = []
    for (filename, line, name), (_calls, total_calls, own, _cumulative, _callers) in stats.stats.items():
        by_area[area_of(filename)] += own
        rows.append((own, total_calls, f"{os.path.basename(filename)}:{line} {name}"))
    total = sum(by_area.values())
    print(f"own time by library ({total / count * 1000:.2f} ms a request under the profiler):")
    for area, own in by_area.most_common():
        print(f"  {area:<12} {own / total:6.1%}")
    print(f"top {top} functions by own time (calls per request):")
    for own, calls, where in sorted(rows, reverse=True)[:top]:
        print(f"  {own / total:6.1%}  {calls / count:7.1f}  {where}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.page_profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("page", choices=sorted(PAGES))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    report(_profile(args.page, args.requests), args.requests, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
