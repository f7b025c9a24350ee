"""Analytics and Today on a large salon: each metric query, the seven headline metrics together, whole pages.

Two data sets:
1. the shared benchmark salon of `flask bench-data` (salon_web.services.bench_data.build_bench_data),
   when that module exists on this branch; otherwise a clear skip message;
2. a salon generated here with set-based SQL (generate_series, PostgreSQL only) in the shape DESIGN.md
   gives for bench-data: visits 1 + exponential(mean 4), 5,000-25,000 per visit, first visit within
   3 years, last between first and now, ledger rows consistent with the figures; plus birthdays,
   follow-ups and future appointments so the Today page and rebooking have work to do.
   It is reused on later runs when its size matches (slug analytics-bench-<N>).

Goals (issue 6): the seven headline metrics under 100 ms p95 together; the whole analytics page
under 300 ms p95.
"""
import importlib.util

from bench.support import ensure_database, p95, row, stopwatch, timings
from salon_web.models import Salon, SalonCustomer, User, utcnow
from salon_web.services import analytics, reminders
from salon_web.services.clock import local_today

SLUG = "analytics-bench-{customers}"


def run(database_url, args):
    """Time the analytics queries and pages on the shared and the generated large salon."""
    database = ensure_database(database_url)
    salons = []
    if importlib.util.find_spec("salon_web.services.bench_data") is None:
        print("bench-data salon: SKIPPED (salon_web.services.bench_data is not on this branch; "
              "`flask bench-data` comes with the customer-list work)")
    else:
        from salon_web.services.bench_data import build_bench_data

        with stopwatch() as took:
            salon_id = build_bench_data(customers=args.customers)
        print(f"bench-data salon {salon_id}: built/checked in {took['seconds']:.1f} s")
        salons.append(("bench-data", Salon.get_by_id(salon_id)))
    with stopwatch() as took:
        generated = generate_salon(database, args.customers)
        vacuum(database)
    print(f"generated salon {generated.id}: ready (and vacuumed) in {took['seconds']:.1f} s")
    salons.append(("generated", generated))
    for label, salon in salons:
        _report(database, label, salon, args.repeat)


def _report(database, label, salon, repeat):
    customers = SalonCustomer.select().where(SalonCustomer.salon == salon).count()
    visits = database.execute_sql("SELECT COUNT(*) FROM visit WHERE salon_id = %s", [salon.id]).fetchone()[0]
    print(f"\n### {label}: {customers:,} customers, {visits:,} visits (salon {salon.id}, {salon.timezone})")
    today = local_today(salon.timezone)
    period_30, _ = analytics.choose_period(today, "30")
    period_365, _ = analytics.choose_period(today, "365")

    def headline_seven():
        analytics.headline(salon, today)  # total, active, new, churned, lifetime value, frequency
        analytics.top_customers(salon)  # top 10 by total spent

    queries = [
        ("seven headline metrics together", headline_seven),
        ("  headline (6 figures, one scan)", lambda: analytics.headline(salon, today)),
        ("  top 10 customers", lambda: analytics.top_customers(salon)),
        ("period summary, 30 days (+rebooking)", lambda: analytics.period_summary(salon, period_30)),
        ("period summary, 365 days (+rebooking)", lambda: analytics.period_summary(salon, period_365)),
        ("  rebooking rate, 30 days", lambda: analytics.rebooking(salon, period_30)),
        ("second-visit conversion 60/90 d", lambda: analytics.second_visit_conversion(salon, today)),
        ("RFM segments", lambda: analytics.segments(salon, today)),
        ("charts + cohorts (one 12-month grid query)", lambda: analytics.month_grid(salon, today)),
        ("analytics service, all figures (30 d)", lambda: analytics.analytics_page(salon, period_30, today)),
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
    seven = p95(results["seven headline metrics together"])
    page = p95(results["GET analytics page (HTML, 30 d)"])
    print(f"goal: seven headline metrics p95 {seven:.1f} ms (< 100 ms: {'met' if seven < 100 else 'NOT met'}); "
          f"whole analytics page p95 {page:.1f} ms (< 300 ms: {'met' if page < 300 else 'NOT met'})")


def _logged_in_client(database, salon):
    """A test client of the real app, logged in as a benchmark admin (no password check needed)."""
    from salon_web import create_app

    app = create_app({"DATABASE": database, "SECRET_KEY": "bench", "TESTING": True, "ENV": "testing"})
    admin, _ = User.get_or_create(
        email="analytics-bench-admin@example.com",
        defaults={"name": "Bench Admin", "is_admin": True, "password_hash": "!unusable"},
    )
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True
    return client


def generate_salon(database, customers):
    """Return the generated benchmark salon of this size, building it with set-based SQL if missing."""
    slug = SLUG.format(customers=customers)
    salon = Salon.get_or_none(Salon.slug == slug)
    if salon is not None:
        return salon
    now = utcnow()
    with database.atomic():
        salon = Salon.create(name=f"Analytics bench {customers:,}", slug=slug, country="RW",
                             timezone="Africa/Kigali", currency="RWF")
        prefix = f"+1{salon.id:03d}"
        execute = database.execute_sql
        execute("DROP TABLE IF EXISTS bench_plan")
        execute(
            """
            CREATE TEMP TABLE bench_plan AS
            SELECT i, n, first_at,
                   CASE WHEN n = 1 THEN first_at ELSE first_at + random() * (%s - first_at) END AS last_at
            FROM (
                SELECT i, 1 + floor(-4 * ln(1 - random()))::int AS n,
                       %s - random() * INTERVAL '1095 days' AS first_at
                FROM generate_series(1, %s) AS i
            ) AS drawn
            """,
            [now, now, customers],
        )
        execute(
            "INSERT INTO customer (phone_e164, email, created_at) "
            "SELECT %s || lpad(i::text, 9, '0'), NULL, first_at FROM bench_plan",
            [prefix],
        )
        execute(
            """
            INSERT INTO salon_customer (salon_id, customer_id, full_name, name_search, phone, phone_e164, email,
                birthday, visit_count, total_spent, first_visit_at, last_visit_at, notes, preferences, follow_up_on,
                communication_preferences, version, created_at, updated_at)
            SELECT %s, c.id, 'Client ' || p.i, 'client ' || p.i, c.phone_e164, c.phone_e164, NULL,
                   CASE WHEN random() < 0.7 THEN DATE '1960-01-01' + (random() * 16000)::int END,
                   p.n, 0, p.first_at, p.last_at, '', '{}', CASE WHEN random() < 0.01 THEN CURRENT_DATE - (random() * 20)::int END,
                   '[]', 1, p.first_at, p.first_at
            FROM bench_plan p JOIN customer c ON c.phone_e164 = %s || lpad(p.i::text, 9, '0')
            """,
            [salon.id, prefix],
        )
        base = execute("SELECT COALESCE(MAX(source_id), 0) FROM visit WHERE source_type = 'bench'").fetchone()[0]
        execute(
            """
            INSERT INTO visit (salon_id, customer_id, occurred_at, amount, source_type, source_id)
            SELECT sc.salon_id, sc.id,
                   CASE WHEN k = 1 THEN sc.first_visit_at WHEN k = sc.visit_count THEN sc.last_visit_at
                        ELSE sc.first_visit_at + random() * (sc.last_visit_at - sc.first_visit_at) END,
                   5000 + floor(random() * 20001)::int, 'bench', %s + row_number() OVER ()
            FROM salon_customer sc CROSS JOIN LATERAL generate_series(1, sc.visit_count) AS k
            WHERE sc.salon_id = %s
            """,
            [base, salon.id],
        )
        execute(
            """
            UPDATE salon_customer sc SET total_spent = v.spent
            FROM (SELECT customer_id, SUM(amount) AS spent FROM visit WHERE salon_id = %s GROUP BY customer_id) v
            WHERE sc.id = v.customer_id
            """,
            [salon.id],
        )
        # A third of customers booked their next appointment as they left.
        execute(
            """
            INSERT INTO appointment (salon_id, customer_id, service_name, price, scheduled_at, duration_minutes,
                                     status, status_updated_at, created_at)
            SELECT salon_id, id, 'Cut and style', 15000, last_visit_at + INTERVAL '35 days', 60,
                   CASE WHEN last_visit_at + INTERVAL '35 days' < %s THEN 'completed' ELSE 'scheduled' END,
                   last_visit_at, last_visit_at + INTERVAL '10 minutes'
            FROM salon_customer WHERE salon_id = %s AND random() < 0.33
            """,
            [now, salon.id],
        )
        execute("DROP TABLE bench_plan")
    return salon


def vacuum(database):
    """Refresh statistics and the visibility map (index-only scans need it), as autovacuum would."""
    for table in ("customer", "salon_customer", "visit", "appointment"):
        database.execute_sql(f"VACUUM ANALYZE {table}")
