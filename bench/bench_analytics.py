"""Analytics and Today on a large salon: each metric query, the seven headline metrics together, whole pages.

Data: the large and small salons of `flask bench-data` (built on first use, reused after).

Goals (issue 6): the seven headline metrics under 100 ms p95 together; the whole analytics page
under 300 ms p95. Issue 12 (printed last, large salon): the HTML page p95 <= 150 ms warm, a worker's first
request <= 400 ms with the job's parts stored, the API's analytics p95 <= 100 ms. Those three are timed in
child processes (bench/analytics_probe.py) taking turns: this checkout, and the checkout in BENCH_APP_DIR
when set (the code before a change), so before and after interleave on the same machine and data.
"""
import os
import subprocess
import sys
from pathlib import Path

from bench.support import ensure_bench_salons, ensure_database, p50, p95, row, timings
from salon_web.models import AnalyticsCell, SalonCustomer, User
from salon_web.services import analytics_cache, reminders
from salon_web.services.analytics import figures, months, page, periods, segments
from salon_web.services.clock import local_today

CHECKOUT = Path(__file__).resolve().parent.parent
GOALS = [("analytics page (HTML, 30 d), warm", "page", 150), ("analytics page, a worker's first request", "first", 400),
         ("API customer analytics", "api", 100)]

def run(database_url, args):
    """Time the analytics queries and pages on the shared `flask bench-data` salons."""
    database = ensure_database(database_url)
    large, small = ensure_bench_salons(args.customers)
    vacuum(database)
    for label, salon in (("bench-data large", large), ("bench-data small", small)):
        _report(database, label, salon, args.repeat)
    _issue_12_goals(database_url, large, args.repeat)


def _issue_12_goals(database_url, salon, repeat):
    """The three analytics goals of issue 12 on the large salon, after (this checkout) and before (BENCH_APP_DIR)."""
    print(f"\n### issue 12 goals, large salon, job's parts stored ({repeat} rounds, probes interleaved)")
    page.refresh_settled()  # what the job refresh_settled_analytics does every minute
    probes = {"after": _Probe(CHECKOUT, database_url, salon.id)}
    if os.environ.get("BENCH_APP_DIR"):
        probes["before"] = _Probe(Path(os.environ["BENCH_APP_DIR"]), database_url, salon.id)
    try:
        for name, command, goal in GOALS:
            samples = {label: [] for label in probes}
            for probe in probes.values():
                probe.ask(command)  # warm-up
            for _ in range(repeat):
                for label, probe in probes.items():
                    samples[label].append(probe.ask(command))
            for label in probes:
                print(row(f"{name} [{label}]", samples[label], samples.get("before")))
            after = p95(samples["after"])
            before = f"; before p95 {p95(samples['before']):.1f} ms, p50 ratio before/after " \
                     f"{p50(samples['before']) / p50(samples['after']):.2f}" if "before" in samples else ""
            print(f"goal: {name} p95 <= {goal} ms: {after:.1f} ms ({'met' if after <= goal else 'NOT met'}){before}")
    finally:
        for probe in probes.values():
            probe.close()


class _Probe:
    """A child process running one checkout's app (bench/analytics_probe.py)."""

    def __init__(self, checkout, database_url, salon_id):
        self.process = subprocess.Popen(
            [sys.executable, str(CHECKOUT / "bench" / "analytics_probe.py"), database_url, str(salon_id)],
            cwd=checkout, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, command):
        """Have the child time one request; return its milliseconds."""
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the probe in {self.process.args} ended (exit {self.process.wait()})")
        return float(answer)

    def close(self):
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _report(database, label, salon, repeat):
    customers = SalonCustomer.select().where(SalonCustomer.salon == salon).count()
    visits = database.execute_sql("SELECT COUNT(*) FROM visit WHERE salon_id = %s", [salon.id]).fetchone()[0]
    print(f"\n### {label}: {customers:,} customers, {visits:,} visits (salon {salon.id}, {salon.timezone})")
    today = local_today(salon.timezone)
    period_30, period_365 = periods.last_days(today, 30), periods.last_days(today, 365)

    def headline_seven():
        figures.headline(salon, today)  # total, active, new, churned, lifetime value, frequency
        figures.top_customers(salon)  # top 10 by total spent

    queries = [
        ("seven headline metrics together", headline_seven),
        ("  headline (6 figures, one scan)", lambda: figures.headline(salon, today)),
        ("  top 10 customers", lambda: figures.top_customers(salon)),
        ("period summary, 30 days (+rebooking)", lambda: periods.period_summary(salon, period_30)),
        ("period summary, 365 days (+rebooking)", lambda: periods.period_summary(salon, period_365)),
        ("  rebooking rate, 30 days and the 30 before", lambda: periods.rebooking(salon, period_30.previous(), period_30)),
        ("second-visit conversion 60/90 d", lambda: figures.second_visit_conversion(salon, today)),
        ("RFM segments", lambda: segments.segments(salon, today)),
        ("charts + cohorts (one 12-month grid query)", lambda: months.month_grid(salon, today)),
        ("analytics service, all figures (30 d)", lambda: page.analytics_page(salon, period_30, today)),
        ("Today: birthdays", lambda: reminders.birthdays(salon, today)),
        ("Today: anniversaries", lambda: reminders.anniversaries(salon, today)),
        ("Today: follow-ups due", lambda: reminders.follow_ups_due(salon, today)),
        ("Today: overdue by rhythm", lambda: reminders.overdue_by_rhythm(salon)),
    ]
    results = {}
    for name, function in queries:
        results[name] = timings(function, repeat)
        print(row(name, results[name]))
    client = _logged_in_client(database, salon)
    for name, path in [
        ("GET analytics page (HTML, 30 d)", f"/salons/{salon.id}/customers/analytics"),
        ("GET analytics page (HTML, 365 d)", f"/salons/{salon.id}/customers/analytics?days=365"),
        ("GET analytics period fragment (htmx, 90 d)", f"/salons/{salon.id}/customers/analytics?days=90"),
        ("GET Today page (HTML)", f"/salons/{salon.id}/today"),
    ]:
        headers = {"HX-Request": "true", "HX-Target": "period"} if "fragment" in name else {}

        def get(path=path, headers=headers):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.status_code

        results[name] = timings(get, repeat)
        print(row(name, results[name]))
    _first_requests(salon, client, repeat, results)
    seven = p95(results["seven headline metrics together"])
    page_p95 = p95(results["GET analytics page (HTML, 30 d)"])
    print(f"goal: seven headline metrics p95 {seven:.1f} ms (< 100 ms: {'met' if seven < 100 else 'NOT met'}); "
          f"whole analytics page p95 {page_p95:.1f} ms (< 300 ms: {'met' if page_p95 < 300 else 'NOT met'})")


def _first_requests(salon, client, repeat, results):
    """The page as a worker's first request: its own memory empty, the settled months stored by the job or not."""
    path = f"/salons/{salon.id}/customers/analytics"

    def first():
        analytics_cache.clear()  # what a restarted worker has
        assert client.get(path).status_code == 200

    AnalyticsCell.delete().where(AnalyticsCell.salon == salon.id).execute()  # before: nothing stored
    name = "GET analytics page, worker's first, none stored"
    results[name] = timings(first, min(repeat, 10), warmup=1)
    print(row(name, results[name]))
    page.refresh_settled()  # what the job refresh_settled_analytics does every minute
    name = "GET analytics page, worker's first, job stored"
    results[name] = timings(first, min(repeat, 10), warmup=1)
    print(row(name, results[name]))
    name = "GET analytics page (HTML, 30 d), job stored"
    results[name] = timings(lambda: client.get(path), repeat)
    print(row(name, results[name]))
    first_p95 = p95(results["GET analytics page, worker's first, job stored"])
    print(f"goal: analytics page p95 <= 150 ms warm: {p95(results[name]):.1f} ms; first request of a worker "
          f"<= 400 ms: {first_p95:.1f} ms p95; API figures "
          f"(seven headline metrics) p95 <= 100 ms: {p95(results['seven headline metrics together']):.1f} ms")


def _logged_in_client(database, salon):
    """A test client of the real app, logged in as a benchmark admin (no password check needed)."""
    from salon_web import create_app
    from salon_web.services.sessions import start_session

    app = create_app({"DATABASE": database, "SECRET_KEY": "bench", "TESTING": True, "ENV": "testing"})
    admin, _ = User.get_or_create(
        email="analytics-bench-admin@example.com",
        defaults={"name": "Bench Admin", "is_admin": True, "password_hash": "!unusable"},
    )
    client = app.test_client()
    start_session(admin)  # a server-side session row, as a real login makes
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True
    return client


def vacuum(database):
    """Refresh statistics and the visibility map (index-only scans need it), as autovacuum would."""
    for table in ("customer", "salon_customer", "visit", "appointment"):
        database.execute_sql(f"VACUUM ANALYZE {table}")
