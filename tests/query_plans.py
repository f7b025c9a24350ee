"""What a service function runs, and how the database plans it: the EXPLAIN tests' two helpers."""
from salon_web.db import db, is_postgres
from salon_web.prepared_sql import original_sql


def statements_of(function, *args):
    """Call function(*args); return the (sql, params) of every statement it ran, in order."""
    executed = []
    original = db.obj.execute_sql

    def recording(sql, params=None, *more, **options):
        executed.append((original_sql(sql), params))  # a prepared statement as its own text, to EXPLAIN
        return original(sql, params, *more, **options)

    db.obj.execute_sql = recording
    try:
        function(*args)
    finally:
        db.obj.execute_sql = original
    return executed


def explain(sql, params):
    """The statement's plan as text: PostgreSQL's EXPLAIN with sequential scans discouraged (so a usable index shows
    even on a small table), SQLite's EXPLAIN QUERY PLAN."""
    if not is_postgres():
        return "\n".join(row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    with db.atomic():
        db.execute_sql("SET LOCAL enable_seqscan = off")
        return "\n".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params))
