"""Page times of another checkout against this one, interleaved: `python -m bench pages` run in each by turns.

    python -m bench.compare_pages /path/to/other/checkout [--rounds 6] [--repeat 100]

On a shared machine the same page moves ±15% between runs a minute apart, so a before/after measured at different
moments says little. Here both run in the same window, alternating (before, after, after, before ...), each round
a fresh process on the same BENCH_DATABASE_URL; each cell is the median of the rounds' p50s, and the ratio is
before ÷ after (above 1: this checkout is faster). The other checkout is usually a `git worktree` of the commit to
compare with, sharing this one's virtualenv.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

LINE = re.compile(r"^\s{2}(?P<page>\S.*?)\s+p50\s+(?P<p50>[\d.]+) ms\s+p95\s+[\d.]+ ms\s+app CPU p50\s+(?P<cpu>[\d.]+) ms"
                  r"\s+(?P<statements>\d+) statements")
HERE = Path(__file__).resolve().parent.parent


def _run(checkout, repeat, database_url=None):
    """{(salon heading, page): (p50, CPU p50, statements)} of one `bench pages` run in `checkout`."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    if database_url:
        env["BENCH_DATABASE_URL"] = database_url
    done = subprocess.run([sys.executable, "-m", "bench", "pages", "--repeat", str(repeat)], cwd=checkout,
                          capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"bench pages failed in {checkout}:\n{done.stderr[-2000:]}")
    found, salon = {}, ""
    for line in done.stdout.splitlines():
        match = LINE.match(line)
        if match:
            found[(salon, match["page"])] = (float(match["p50"]), float(match["cpu"]), int(match["statements"]))
        elif line and not line.startswith(" ") and not line.startswith("#"):
            salon = line.split(" (")[0]
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.compare_pages", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path, help="the checkout to compare with")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=100, help="timed requests per page and round")
    parser.add_argument("--before-url", help="the other checkout's database (default BENCH_DATABASE_URL): a copy "
                                             "of the same data, e.g. an SQLite file without a later migration")
    args = parser.parse_args(argv)
    samples = {"before": defaultdict(list), "after": defaultdict(list)}
    for round_number in range(args.rounds):
        sides = [("before", args.before.resolve(), args.before_url), ("after", HERE, None)]
        for side, checkout, url in sides if round_number % 2 == 0 else sides[::-1]:  # ABBA: a drift favours neither
            for key, values in _run(checkout, args.repeat, url).items():
                samples[side][key].append(values)
        print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    print(f"{'page':<44} {'p50 before':>10} {'after':>8} {'ratio':>6}   {'CPU before':>10} {'after':>7}   statements")
    for key in samples["after"]:
        before, after = samples["before"].get(key), samples["after"][key]
        if not before:
            continue
        wall = [statistics.median(run[0] for run in side) for side in (before, after)]
        cpu = [statistics.median(run[1] for run in side) for side in (before, after)]
        label = f"{key[0][:18]} · {key[1]}"
        print(f"{label:<44} {wall[0]:8.2f}ms {wall[1]:6.2f}ms {wall[0] / wall[1]:6.2f}   {cpu[0]:8.2f}ms {cpu[1]:5.2f}ms"
              f"   {before[-1][2]} → {after[-1][2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
