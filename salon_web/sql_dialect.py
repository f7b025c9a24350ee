"""SQL that SQLite and PostgreSQL spell differently, in one place.

Every fragment here is one idea with two spellings: placeholders, timestamp parameters, date
arithmetic, bucketing a timestamp into ranges, month-and-day of a date. Code
elsewhere writes SQL once with these and uses `is_postgres()` only to choose between whole
strategies (a different statement, a setting PostgreSQL alone has).

Fragments take and return SQL text, because most of them serve hand-written report SQL; wrap
one in `peewee.SQL(...)` to use it in a peewee query.
"""
import json

from peewee import SQL, fn

from salon_web.db import db, is_postgres

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"  # how peewee stores a whole-second datetime in SQLite


def json_rows(values, order):
    """SQL aggregating the rows of a query into one JSON array of arrays `values`, in `order`.

    SQLite (3.40) has no ORDER BY inside an aggregate: it keeps the order of the ordered subquery it reads, and
    `read_json_rows` sorts again so nothing rests on that.
    """
    if is_postgres():
        return f"json_agg(json_build_array({values}) ORDER BY {order})"
    return f"json_group_array(json_array({values}))"


def read_json_rows(value, sort_key=None):
    """The list `json_rows` gave (psycopg2 parses JSON itself, SQLite gives text); [] for no rows.

    On SQLite `sort_key` orders it: the binary collation SQLite sorts text with is Python's order of str.
    """
    if value is None:
        return []
    if isinstance(value, str):
        rows = json.loads(value)
        return sorted(rows, key=sort_key) if sort_key else rows
    return value


def placeholders(text):
    """Return SQL written with `?` placeholders in the driver's style (psycopg2 wants `%s`)."""
    return text.replace("?", "%s") if is_postgres() else text


def question_marks(text):
    """SQL in the driver's placeholder style written back with `?` placeholders (undoes `placeholders`)."""
    if not is_postgres():
        return text
    assert "?" not in text, text  # a literal ? would become a placeholder
    return text.replace("%s", "?")


def execute(text, params=()):
    """Run SQL written with `?` placeholders; return the cursor."""
    return db.execute_sql(placeholders(text), params)


def timestamp(moment):
    """A naive-UTC datetime as a raw-SQL parameter comparable with stored timestamps."""
    return moment if is_postgres() else moment.strftime(TIMESTAMP_FORMAT)


def seconds_between(earlier, later):
    """SQL for the whole seconds (rounded) from timestamp `earlier` to timestamp `later`: sums of it are exact."""
    if is_postgres():
        return f"CAST(ROUND(date_part('epoch', {later} - {earlier})) AS BIGINT)"
    return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)"


def among_few(column, subquery):
    """SQL: `column` is one of the values of `subquery`, which gives a few rows.

    PostgreSQL plans `= ANY(ARRAY(subquery))` as index look-ups for a handful of values; for an IN or a join
    it may hash a whole large table instead (one whose index on `column` would answer at once).
    """
    if is_postgres():
        return f"{column} = ANY(ARRAY({subquery}))"
    return f"{column} IN ({subquery})"


def plus_days(column, days):
    """SQL for a timestamp moved by a whole number of days."""
    days = int(days)  # an int never needs quoting: the number goes into the SQL text
    if is_postgres():
        return f"({column} + INTERVAL '{days} days')"
    return f"datetime({column}, '{days:+d} days')"


def bucket_index(column, bounds):
    """SQL giving the index i of the half-open range bounds[i] <= column < bounds[i+1], and its params.

    Below bounds[0] gives -1, from bounds[-1] on len(bounds) - 1. PostgreSQL's width_bucket does a
    binary search in C, about three times faster than the CASE that SQLite needs on a few hundred
    thousand visits.
    """
    if is_postgres():
        return f"(width_bucket({column}, ?::timestamp[]) - 1)", [list(bounds)]
    whens = " ".join(f"WHEN {column} < ? THEN {index}" for index in range(-1, len(bounds) - 1))
    return f"CASE {whens} ELSE {len(bounds) - 1} END", [timestamp(bound) for bound in bounds]


def month_day(column):
    """A peewee expression for the "MM-DD" of a date column."""
    return fn.to_char(column, "MM-DD") if is_postgres() else fn.strftime("%m-%d", column)


def minus_hours(column, hours):
    """SQL for a timestamp column moved `hours` whole hours earlier (the text of `hours_before`, for fixed SQL)."""
    hours = int(hours)  # an int never needs quoting: the number goes into the SQL text
    return f"({column} - INTERVAL '{hours} hours')" if is_postgres() else f"datetime({column}, '-{hours} hours')"


def month_day_number_sql(column):
    """SQL for the month and day of a date column as one number, MMDD (1231 for 31 December).

    Unlike to_char, PostgreSQL's spelling is immutable, so an index can hold it (birthdays: migration 0022).
    """
    if is_postgres():
        return f"(date_part('month', {column}) * 100 + date_part('day', {column}))"
    return f"CAST(strftime('%m%d', {column}) AS INTEGER)"


def hours_before(column, hours):
    """A peewee expression for a timestamp column moved `hours` whole hours earlier (issue 15: late cancellations)."""
    hours = int(hours)  # an int never needs quoting: the number goes into the SQL text
    return column - SQL(f"INTERVAL '{hours} hours'") if is_postgres() else fn.datetime(column, f"-{hours} hours")


def first_code_point(text):
    """The code point of a text's first character as a peewee expression (NULL for NULL)."""
    return fn.ascii(text) if is_postgres() else fn.unicode(text)
