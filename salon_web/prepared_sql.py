"""Fixed SQL the busiest pages run, planned once per PostgreSQL connection (PREPARE, then EXECUTE).

PostgreSQL plans every statement it is sent: for the session statement that every request runs, planning took
~0.2 ms of its ~0.25 ms on the server, and 0.5-0.8 ms of each small page's SQL was planning. A prepared
statement is parsed once per connection, and after five runs PostgreSQL keeps one generic plan when that plan
is no worse than the custom ones. SQLite needs none of this: the sqlite3 module already keeps the compiled
statements of each connection.

Only for SQL whose text is fixed and whose best plan does not depend on its parameters (lookups of one user,
salon or customer by key): a generic plan serves the 200,000-customer salon and the 200-customer one alike.
Prepared statements outlive transactions (a rollback keeps them) and die with their connection, so the record
of what is prepared hangs on the connection object itself.
"""
import functools
import hashlib
import weakref

from peewee import __exception_wrapper__

from salon_web import sql_dialect
from salon_web.db import db, is_postgres, prepares_statements

_prepared = weakref.WeakKeyDictionary()  # psycopg2 connection -> names of the statements prepared on it
_texts = {}  # name -> the statement's SQL as psycopg2 would take it, for logs read back (original_sql)


def execute(text, params=()):
    """Run SQL written with `?` placeholders (prepared on PostgreSQL); return the cursor."""
    if not (is_postgres() and prepares_statements()):
        return sql_dialect.execute(text, params)
    name, prepare = _prepare_statement(text)
    names = _prepared.setdefault(db.connection(), set())
    if name not in names:
        with __exception_wrapper__:  # peewee's errors, as for any statement; not logged: once per connection
            db.cursor().execute(prepare)
        names.add(name)  # only once PREPARE succeeded
    return db.execute_sql(_execute_statement(name, len(params)), params)


@functools.lru_cache(maxsize=256)
def _prepare_statement(text):
    """(name, PREPARE statement) of a `?` text: its parameters numbered $1, $2..."""
    name = "salon_web_" + hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
    parts = text.split("?")
    numbered = parts[0] + "".join(f"${number}{part}" for number, part in enumerate(parts[1:], start=1))
    _texts[name] = "%s".join(parts)
    return name, f"PREPARE {name} AS {numbered}"


@functools.lru_cache(maxsize=256)
def _execute_statement(name, count):
    return f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"


def original_sql(sql):
    """The SQL a logged `EXECUTE salon_web_…(…)` runs (the tests that read statements check the real text)."""
    if not sql.startswith("EXECUTE salon_web_"):
        return sql
    return _texts.get(sql[len("EXECUTE "):].partition("(")[0], sql)
