"""The database handle: one proxy bound at app start, a connection per request."""
import math
import select
from contextlib import contextmanager

from flask import g, request
from peewee import DatabaseProxy, SqliteDatabase
from playhouse.db_url import connect, parse
from playhouse.postgres_ext import PooledPostgresqlExtDatabase
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

db = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
}


class PooledPostgres(PooledPostgresqlExtDatabase):
    """The app's PostgreSQL pool (the ext database: with plain PostgresqlDatabase, server-side cursors silently
    fall back to client-side ones, see PITFALLS.md), checking a connection it hands out without a round trip.

    peewee sends `SELECT 1` down every idle connection it hands out: a round trip more per request, 0.1-0.5 ms
    on a shared two-core machine where waking the server's process is what a statement costs. A backend that was
    terminated, or a server that went down, has sent its last message and closed its end, so the socket reads as
    ready: only then does the connection get peewee's check (and, dead, is dropped before a request uses it).
    """

    def _is_closed(self, conn):
        if not conn.closed and conn.info.transaction_status == TRANSACTION_STATUS_IDLE and _nothing_to_read(conn):
            return False
        return super()._is_closed(conn)


def _nothing_to_read(conn):
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    return not poller.poll(0)


_POSTGRES_SCHEMES = {"postgres", "postgresql", "postgresqlext", "postgresqlext+pool"}


# Set by init_app: how long a statement may run where a long one is expected (the CSV export).
_long_statement_timeout = None
# Set by init_app: whether salon_web.prepared_sql may PREPARE (off behind a pooler that shares server sessions).
_prepare_statements = True


def open_database(url, *, connect_timeout=None, statement_timeout=None, application_name=None):
    """Return a peewee Database for a DATABASE_URL (sqlite:/// or postgresql://).

    On PostgreSQL, `connect_timeout` and `statement_timeout` (seconds) bound how long a request can
    wait for an unreachable or stuck server; `application_name` names the app's connections in
    pg_stat_activity. `timeout` is only the wait for a free connection of the pool.
    """
    scheme, sep, rest = url.partition("://")
    if scheme.startswith("sqlite") and rest.endswith(":memory:"):
        return connect(url, pragmas=SQLITE_PRAGMAS)  # each connection would be a new, empty database
    if scheme.startswith("sqlite"):
        # Pooled: opening a file and setting its pragmas cost ~1 ms, a third of a small page. A connection
        # returns to the pool between requests and may serve another thread next (check_same_thread off).
        # No upper bound, as without the pool: SQLite connections are cheap and writers queue on busy_timeout.
        return connect(f"sqlite+pool{sep}{rest}", pragmas=SQLITE_PRAGMAS, check_same_thread=False,
                       max_connections=None, stale_timeout=300)
    if scheme not in _POSTGRES_SCHEMES:
        raise ValueError(f"DATABASE_URL must be sqlite:/// or postgresql://, not {scheme}://")
    # No JIT on any connection of the app: compiling costs 30-60 ms a statement and never paid off here (small
    # pages, and reports that read each row once); set at connect time, it costs no statement.
    params = {"options": "-c jit=off"}
    if connect_timeout:
        params["connect_timeout"] = max(2, math.ceil(connect_timeout))  # libpq's minimum is 2 seconds
    if statement_timeout:
        params["options"] += f" -c statement_timeout={_milliseconds(statement_timeout)}"
    if application_name:
        params["application_name"] = application_name
    return PooledPostgres(**parse(f"postgresql{sep}{rest}"), max_connections=32, stale_timeout=300, timeout=10,
                          **params)


def _milliseconds(seconds):
    return max(1, int(float(seconds) * 1000))


def allow_long_statements():
    """In the current transaction, let statements run as long as the configured long timeout (PostgreSQL)."""
    if _long_statement_timeout and is_postgres():
        db.execute_sql(f"SET LOCAL statement_timeout = {_milliseconds(_long_statement_timeout)}")


def prepares_statements():
    return _prepare_statements


def bind(database):
    """Point the models' proxy at a concrete database (models react through db.attach_callback)."""
    db.initialize(database)
    return database


def is_sqlite():
    return isinstance(db.obj, SqliteDatabase)


def is_postgres():
    return not is_sqlite()


def refresh_planner_statistics(*tables):
    """PostgreSQL: ANALYZE these tables after a bulk write (an import, the demo), so plans fit a new salon's size.

    Autovacuum re-analyzes a table once a tenth of it has changed: a few thousand cards imported into a shared
    200,000-row table left the planner guessing, and Today's anniversaries took an index that made them 20-50x
    slower (10-22 ms instead of 0.14-0.5 ms) until statistics caught up. SQLite plans without them.
    """
    if is_postgres():
        db.execute_sql("ANALYZE " + ", ".join(f'"{table}"' for table in tables))


@contextmanager
def connection():
    """Hold a connection for a block; a caller that already holds one (a test) keeps it."""
    opened_here = db.is_closed()
    if opened_here:
        db.connect()
        if is_postgres():  # operator commands (migrate, bench-data, recompute) may rightly run long
            db.execute_sql("SET statement_timeout = 0")
    try:
        yield db
    finally:
        if opened_here and not db.is_closed():
            db.close()


def init_app(app):
    """Bind the configured database and open/close a connection around each request.

    Tests may pass an already-open peewee Database as config["DATABASE"].
    """
    global _long_statement_timeout, _prepare_statements
    config = app.config
    _long_statement_timeout = config["EXPORT_STATEMENT_TIMEOUT"]
    _prepare_statements = config["DATABASE_PREPARED_STATEMENTS"]
    bind(config.get("DATABASE") or open_database(
        config["DATABASE_URL"], connect_timeout=config["DATABASE_CONNECT_TIMEOUT"],
        statement_timeout=config["DATABASE_STATEMENT_TIMEOUT"], application_name=config["DATABASE_APPLICATION_NAME"]))

    @app.before_request
    def _connect():
        if request.endpoint == "static":  # files are served even while the database is down
            g.db_opened_here = False
            return
        # A caller that already holds a connection (a test, a CLI command) keeps it.
        g.db_opened_here = db.is_closed()
        if g.db_opened_here:
            db.connect()

    @app.teardown_request
    def _close(exc):
        if g.get("db_opened_here") and not db.is_closed():
            db.close()
