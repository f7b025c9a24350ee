"""Several short SELECTs in one statement: one round trip to the database instead of one each.

On PostgreSQL every statement is a round trip, and a busy host's round trip (0.3-0.5 ms measured between a
page's statements) costs more than a page's small SELECTs take to run. SELECTs a page needs together and
that do not depend on each other's answers go into one `UNION ALL`: each part's columns sit in their own
slots of a wide row and are NULL in the other parts' rows; every row starts with the number of its part and
its place in that part's own order. Each part keeps its ORDER BY and LIMIT.

PostgreSQL needs the padding NULLs typed (it unites the branches two at a time, and two untyped NULL columns
become text, which then does not unite with a timestamp), so a part names its columns' SQL types:
`sql_types(fields)` for a model's columns.
"""
import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import Any

from salon_web import prepared_sql, sql_dialect
from salon_web.db import db

# SQL types of peewee's field types where the column type is no type a value can be cast to.
_CASTABLE = {"AUTO": "INTEGER", "BIGAUTO": "BIGINT", "VARCHAR": "TEXT", "CHAR": "TEXT"}


@dataclasses.dataclass(frozen=True)
class Query:
    """One SELECT (with `?` placeholders) and what turns its rows into the caller's result.

    A query with no SQL (`sql=None`: nothing to look up, such as rows of no ids) runs nothing; its result is
    its `finish` of no rows.
    """

    sql: str | None
    params: Sequence
    types: tuple  # the SQL type of each column it selects
    finish: Callable[[list], Any] = list  # rows (tuples, in the SELECT's order) -> result
    fixed: bool = False  # its text never varies (no IN list of varying length): worth preparing

    def then(self, step):
        """This query with `step` applied to its result."""
        first = self.finish
        return dataclasses.replace(self, finish=lambda rows: step(first(rows)))


def sql_types(fields):
    """The SQL types of these peewee fields' columns, as a part's padding NULLs are cast to."""
    field_types = db.get_context_options()["field_types"]
    return tuple(_CASTABLE.get(field.field_type) or field_types.get(field.field_type, field.field_type)
                 for field in fields)


def fetch_one(query):
    """Run one query; return its result."""
    return fetch(query)[0]


def fetch(*queries):
    """Run the queries as one statement; return each one's result (its `finish` of its rows), in order."""
    rows = {id(query): [] for query in queries}
    _run([query for query in queries if query.sql is not None], rows)
    return [query.finish(rows[id(query)]) for query in queries]


def _run(queries, rows):
    """Put each query's rows into `rows` (by the query's id) from one statement; none for no queries."""
    if not queries:
        return
    run = prepared_sql.execute if all(query.fixed for query in queries) else sql_dialect.execute
    if len(queries) == 1:
        rows[id(queries[0])].extend(run(queries[0].sql, queries[0].params).fetchall())
        return
    text, slices = _combined(tuple((query.sql, query.types) for query in queries))
    targets = [rows[id(query)] for query in queries]
    for part, _place, *values in run(text, [value for query in queries for value in query.params]):
        targets[part].append(tuple(values[slices[part]]))


@functools.lru_cache(maxsize=512)
def _combined(parts):
    """(SQL of the parts as one UNION ALL ordered by part and place, each part's slice of the columns)."""
    widths = [len(types) for _, types in parts]
    branches, slices, start = [], [], 0
    for number, (sql, types) in enumerate(parts):
        before = [_null(sql_type) for other in parts[:number] for sql_type in other[1]]
        after = [_null(sql_type) for other in parts[number + 1:] for sql_type in other[1]]
        columns = ", ".join([f"{number}", "ROW_NUMBER() OVER ()", *before, f"p{number}.*", *after])
        # ROW_NUMBER() OVER () numbers the rows as the part's own ORDER BY delivers them.
        branches.append(f"SELECT {columns} FROM ({sql}) AS p{number}")
        slices.append(slice(start, start + widths[number]))
        start += widths[number]
    return " UNION ALL ".join(branches) + " ORDER BY 1, 2", slices


def _null(sql_type):
    return f"CAST(NULL AS {sql_type})"
