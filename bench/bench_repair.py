"""`recompute-visits` on the large bench salon, broken two ways: restored without its ledger, and ~1% drift.

Case "restore": the salon's whole ledger (imported visits aside) deleted and every figure zeroed, as a salon
restored without its ledger or whose sales were recorded before the hook existed: the repair rebuilds ~900k
ledger rows and 200k cards. Case "1% drift": ledger rows deleted, re-amounted, given to another card and
added for no source, and figures nudged, on about 1% of rows each. Each case times the rebuild
(`flask recompute-visits --salon ID`, a child process with its output discarded: what an operator runs),
then `--check`, which must find nothing. Goal (issue 12): rebuild <= 60 s, check <= 20 s. The salon is left
consistent. Writes to the database: use your own (BENCH_DATABASE_URL).
"""
import os
import subprocess
import sys
import time

from salon_web.db import db
from bench.support import ensure_bench_salons, ensure_database

GOAL_REBUILD, GOAL_CHECK = 60.0, 20.0


def break_restore(salon_id):
    """Delete the salon's ledger (imported visits stay: they are their own source) and zero its figures."""
    with db.atomic():
        db.execute_sql("DELETE FROM visit WHERE salon_id = %s AND source_type <> 'import'", (salon_id,))
        db.execute_sql("UPDATE salon_customer SET visit_count = 0, total_spent = 0, first_visit_at = NULL, "
                       "last_visit_at = NULL WHERE salon_id = %s", (salon_id,))
    _settle()


def break_drift(salon_id, seed=0.5):
    """Damage about 1% of the salon's ledger rows and figures, each kind of drift on its own rows."""
    with db.atomic():
        db.execute_sql("SELECT setseed(%s)", (seed,))
        db.execute_sql("DELETE FROM visit WHERE salon_id = %s AND source_type <> 'import' AND random() < 0.004",
                       (salon_id,))
        db.execute_sql("UPDATE visit SET amount = amount + 100 WHERE salon_id = %s AND source_type <> 'import' "
                       "AND random() < 0.003", (salon_id,))
        db.execute_sql("""UPDATE visit SET customer_id = COALESCE(
                              (SELECT sc.id FROM salon_customer sc WHERE sc.salon_id = visit.salon_id
                               AND sc.id > visit.customer_id ORDER BY sc.id LIMIT 1), customer_id)
                          WHERE salon_id = %s AND source_type <> 'import' AND random() < 0.002""", (salon_id,))
        db.execute_sql("""INSERT INTO visit (salon_id, customer_id, occurred_at, amount, source_type, source_id)
                          SELECT salon_id, customer_id, occurred_at, amount, 'appointment', -id FROM visit
                          WHERE salon_id = %s AND source_type <> 'import' AND random() < 0.001
                          ON CONFLICT DO NOTHING""", (salon_id,))
        db.execute_sql("UPDATE salon_customer SET total_spent = total_spent + 1 WHERE salon_id = %s "
                       "AND random() < 0.01", (salon_id,))
    _settle()


def _settle():
    """Reclaim what the damage left dead, so every run starts from tables of the same size (outside the timing)."""
    db.execute_sql("VACUUM ANALYZE visit")
    db.execute_sql("VACUUM ANALYZE salon_customer")


def recompute_visits(database_url, salon_id, *options, cwd=None):
    """Run `flask recompute-visits --salon ID [options]` in a child process; return (seconds, exit code)."""
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "recompute-visits", "--salon", str(salon_id), *options]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd or os.getcwd(), env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr)
    return seconds, done.returncode


def drift_size(salon_id):
    """Return (ledger rows, cards) of the salon, to show what the repair rebuilt."""
    visits = db.execute_sql("SELECT COUNT(*) FROM visit WHERE salon_id = %s", (salon_id,)).fetchone()[0]
    cards = db.execute_sql("SELECT COUNT(*) FROM salon_customer WHERE salon_id = %s", (salon_id,)).fetchone()[0]
    return visits, cards


def run(database_url, args):
    ensure_database(database_url)
    with db.connection_context():
        large, _ = ensure_bench_salons(args.customers)
        seconds, code = recompute_visits(database_url, large.id, "--check")
        print(f"before: --check {seconds:.1f} s, {'no drift' if code == 0 else 'drift found (repaired below)'}")
        if code:
            recompute_visits(database_url, large.id)
        visits, cards = drift_size(large.id)
        print(f"large salon: {cards:,} cards, {visits:,} ledger rows")
        for case, damage in (("restore (no ledger)", break_restore), ("1% drift", break_drift)):
            damage(large.id)
            _, found = recompute_visits(database_url, large.id, "--check")
            rebuild, _ = recompute_visits(database_url, large.id)
            check, code = recompute_visits(database_url, large.id, "--check")
            verdict = "ok" if rebuild <= GOAL_REBUILD and check <= GOAL_CHECK and code == 0 else "MISSED"
            print(f"{case:<20} drift found {'yes' if found else 'NO'}; rebuild {rebuild:6.1f} s (goal {GOAL_REBUILD:.0f} s)"
                  f"  --check after {check:5.1f} s (goal {GOAL_CHECK:.0f} s) {'no drift' if code == 0 else 'DRIFT LEFT'}"
                  f"  {verdict}")
        assert drift_size(large.id) == (visits, cards)
