"""What every analytics report shares: its transaction, the salon's local day starts, ratios."""
import datetime
import functools
from contextlib import contextmanager

from salon_web import sql_dialect
from salon_web.db import db, is_postgres
from salon_web.services.clock import local_day_bounds


@contextmanager
def report_transaction():
    """Run report queries in one transaction tuned for them on PostgreSQL.

    A larger work_mem keeps the GROUP BY/DISTINCT of a few hundred thousand visits in memory instead of on
    disk (JIT, which cost 30-60 ms a query here, is off on every connection: salon_web.db.open_database).
    """
    with db.atomic():
        if is_postgres():  # a setting SQLite does not have
            db.execute_sql("SET LOCAL work_mem = '64MB'")
        yield


def report(function):
    """Decorate a report query to run inside report_transaction()."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with report_transaction():
            return function(*args, **kwargs)

    return wrapper


def fetchone(text, params):
    """Return the one row of report SQL written with `?` placeholders."""
    return sql_dialect.execute(text, params).fetchone()


def fetchall(text, params):
    """Return the rows of report SQL written with `?` placeholders."""
    return sql_dialect.execute(text, params).fetchall()


def day_start(day, timezone):
    """Naive UTC of the start of a local calendar day."""
    return local_day_bounds(day, timezone)[0]


def days_ago(today, days, timezone):
    """Naive UTC of the start of the local day `days` days before `today`."""
    return day_start(today - datetime.timedelta(days=days), timezone)


def ratio(part, whole):
    """part / whole, or None when there is no whole to take a share of."""
    return None if not whole else part / whole
