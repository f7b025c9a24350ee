"""The database handle: one proxy bound at app start, a connection per request."""
from contextlib import contextmanager

from flask import g
from peewee import DatabaseProxy, SqliteDatabase
from playhouse.db_url import connect

db = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
}

# `postgresql://` would give plain PostgresqlDatabase, on which server-side
# cursors silently fall back to client-side ones (see PITFALLS.md).
_POSTGRES_SCHEMES = {
    "postgres": "postgresqlext+pool",
    "postgresql": "postgresqlext+pool",
    "postgresqlext": "postgresqlext+pool",
}


def open_database(url):
    """Return a peewee Database for a DATABASE_URL (sqlite:/// or postgresql://)."""
    scheme, sep, rest = url.partition("://")
    if scheme.startswith("sqlite"):
        return connect(url, pragmas=SQLITE_PRAGMAS)
    url = _POSTGRES_SCHEMES.get(scheme, scheme) + sep + rest
    return connect(url, max_connections=32, stale_timeout=300, timeout=10)


def bind(database):
    """Point the models' proxy at a concrete database."""
    db.initialize(database)
    from salon_web.models.customers import declare_postgres_indexes  # models import this module

    declare_postgres_indexes(not isinstance(database, SqliteDatabase))
    return database


def is_sqlite():
    return isinstance(db.obj, SqliteDatabase)


def is_postgres():
    return not is_sqlite()


@contextmanager
def connection():
    """Hold a connection for a block; a caller that already holds one (a test) keeps it."""
    opened_here = db.is_closed()
    if opened_here:
        db.connect()
    try:
        yield db
    finally:
        if opened_here and not db.is_closed():
            db.close()


def init_app(app):
    """Bind the configured database and open/close a connection around each request.

    Tests may pass an already-open peewee Database as config["DATABASE"].
    """
    bind(app.config.get("DATABASE") or open_database(app.config["DATABASE_URL"]))

    @app.before_request
    def _connect():
        # A caller that already holds a connection (a test, a CLI command) keeps it.
        g.db_opened_here = db.is_closed()
        if g.db_opened_here:
            db.connect()

    @app.teardown_request
    def _close(exc):
        if g.get("db_opened_here") and not db.is_closed():
            db.close()
