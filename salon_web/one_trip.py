"""Several short SELECTs in one statement: one round trip to the database instead of one each.

On PostgreSQL every statement is a round trip, and a busy host's round trip (0.3-0.5 ms measured between a
page's statements) costs more than a page's small SELECTs take to run. SELECTs a page needs together and
that do not depend on each other's answers go into one `UNION ALL`: each part is a CTE, its columns take
columns of the union of their type (NULL where another part's row has none of that type), and every row starts
with the number of its part and its place in that part's own order. Each part keeps its ORDER BY and LIMIT.

PostgreSQL needs the padding NULLs typed (it unites the branches two at a time, and two untyped NULL columns
become text, which then does not unite with a timestamp), so a part names its columns' SQL types:
`sql_types(fields)` for a model's columns.
"""
import dataclasses
import functools
import operator
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
    return _sql_types(type(db.obj), tuple(fields))


@functools.lru_cache(maxsize=256)
def _sql_types(database_class, fields):  # the class names the dialect: the same fields, the same types
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
    text, getters = _combined(tuple((query.sql, query.types) for query in queries))
    targets = [(rows[id(query)].append, getter) for query, getter in zip(queries, getters)]
    for row in run(text, [value for query in queries for value in query.params]):
        add, columns_of = targets[row[0]]
        add(columns_of(row))


@functools.lru_cache(maxsize=512)
def _combined(parts):
    """(SQL of the parts as one UNION ALL ordered by part and place, for each part a getter of its columns).

    Parts share the union's columns where their types match (the card's five kinds of rows fit in 20 columns, not
    57), so the statement PostgreSQL parses and the rows it sends stay narrow. Each part is a CTE whose column list
    names its columns c0, c1...: SQLite has no column list for a subquery in FROM.
    """
    slot_types, placed = [], []
    for _, types in parts:
        taken, columns = set(), []
        for sql_type in types:
            slot = next((i for i, t in enumerate(slot_types) if t == sql_type and i not in taken), None)
            if slot is None:
                slot = len(slot_types)
                slot_types.append(sql_type)
            taken.add(slot)
            columns.append(slot)
        placed.append(columns)
    ctes, branches = [], []
    for number, ((sql, types), columns) in enumerate(zip(parts, placed)):
        names = ", ".join(f"c{index}" for index in range(len(types)))
        ctes.append(f"p{number}({names}) AS ({sql})")
        column_of = {slot: index for index, slot in enumerate(columns)}
        values = [f"p{number}.c{column_of[slot]}" if slot in column_of else f"CAST(NULL AS {sql_type})"
                  for slot, sql_type in enumerate(slot_types)]
        # ROW_NUMBER() OVER () numbers the rows as the part's own ORDER BY delivers them.
        branches.append(f"SELECT {number}, ROW_NUMBER() OVER (), {', '.join(values)} FROM p{number}")
    text = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(branches) + " ORDER BY 1, 2"
    return text, [_getter([slot + 2 for slot in columns]) for columns in placed]  # after the part and its place


def _getter(places):
    """A function of a row giving the tuple of its values at `places`."""
    if len(places) == 1:
        place = places[0]
        return lambda row: (row[place],)
    return operator.itemgetter(*places)
