"""One page of the customer list: its rows by keyset (or OFFSET) paging with their tags, and the count.

Keyset paging: an opaque cursor holds the last (or first) row's sort value and id, so a deep page
costs what the first page costs, and id breaks ties so no row is ever shown on two pages or
skipped. Customers who never came (no last visit) always come last. `page` is also accepted for
API-style clients (OFFSET paging, which gets slower with depth).
"""
import collections
import dataclasses
import functools

from peewee import DateTimeField

from salon_web import prepared_sql
from salon_web.db import db
from salon_web.models import SalonCustomer
from salon_web.models.base import column_list
from salon_web.services import formats
from salon_web.services.customer_filter import PAGE_SIZES, Cursor, CustomerFilter, sort_column
from salon_web.sql_dialect import placeholders, question_marks
from salon_web.texts import _l, _nl

# Counting is exact up to this many matches, then shown as "More than 1,000 customers": an exact
# count reads every matching index entry (60-150 ms for 200,000 customers on the bench machine),
# a capped one reads at most COUNT_CAP / selectivity entries whatever the salon's size.
COUNT_CAP = 1_000

# The list needs these columns only: notes, preferences and the rest stay in the database.
LIST_COLUMNS = (
    SalonCustomer.id,
    SalonCustomer.full_name,
    SalonCustomer.name_search,
    SalonCustomer.phone,
    SalonCustomer.phone_e164,
    SalonCustomer.email,
    SalonCustomer.visit_count,
    SalonCustomer.total_spent,
    SalonCustomer.first_visit_at,
    SalonCustomer.last_visit_at,
)
# A row of the list. Defined once: peewee's .namedtuples() builds a new class (an eval) for every query.
ListRow = collections.namedtuple("ListRow", [column.name for column in LIST_COLUMNS])
# The rows are read as raw SQL, so their timestamps are converted as peewee would (SQLite gives text); both drivers
# give the other columns as the values peewee's conversion would return, and converting them cost ~0.1 ms a page.
_TIMESTAMPS = [(index, column.python_value) for index, column in enumerate(LIST_COLUMNS)
               if isinstance(column, DateTimeField)]


@dataclasses.dataclass
class CustomerPage:
    """One page of the list: rows, the match count, their tags and the cursors around them."""

    customers: list
    total: int  # capped: COUNT_CAP + 1 means "more than COUNT_CAP"
    tags: dict  # customer id -> [tag names]
    next_cursor: str | None
    previous_cursor: str | None
    page: int | None = None

    @property
    def total_is_capped(self):
        """True when there are more matches than were counted."""
        return self.total is not None and self.total > COUNT_CAP

    def count_label(self, language="en"):
        """The count as shown in `language`: "234 customers", or "More than 1,000 customers" past the cap."""
        if self.total_is_capped:
            return _l("More than %(num)s customers", num=formats.number(COUNT_CAP, language))
        return exact_count_label(self.total, language)


def exact_count_label(total, language="en"):
    """An exact count as shown in `language`: "1 customer", "234,567 customers"."""
    return _nl("%(count)s customer", "%(count)s customers", total, count=formats.number(total, language))


_FROM_WHERE = ' FROM "salon_customer" AS "t1" WHERE '
_ANY_SALON_ID = 987_654_321  # an unfiltered WHERE is compiled for some salon, then run with the page's own
_LIST_COLUMNS_SQL = column_list(LIST_COLUMNS, '"t1"')


def _column_sql(column):
    return f'"t1"."{column.column_name}"'


def _matching_sql(customer_filter, salon, now):
    """(SQL, params) of the filter's WHERE clause in the driver's placeholder style, rows aliased "t1".

    Compiled by peewee once a page: the page's branches and its count are written around it (each compile of the
    filter cost peewee 0.13-0.2 ms). Every unfiltered page has the same WHERE but for the salon: compiled once per
    kind of database (0.3 ms of a first page).
    """
    if not customer_filter.is_filtered:
        return _unfiltered_sql(type(db.obj)), [salon.id]
    return _compiled_where(customer_filter, salon, now)


def _compiled_where(customer_filter, salon, now):
    sql, params = customer_filter.matching(salon, SalonCustomer.id, now=now).sql()
    head = f'SELECT "t1"."id"{_FROM_WHERE}'
    assert sql.startswith(head), sql  # matching() is one table's SELECT ... WHERE, nothing after the WHERE
    return sql[len(head):], params


@functools.lru_cache(maxsize=4)
def _unfiltered_sql(database_class):  # the class names the dialect (its placeholders)
    where, params = _compiled_where(CustomerFilter(), _ANY_SALON_ID, None)
    assert params == [_ANY_SALON_ID], params  # the salon is its only value
    return where


def _phases(customer_filter):
    """The ordering split into index-friendly parts: (SQL condition, sort column or None), rows with a sort value
    first, then those without."""
    column = sort_column(customer_filter.sort)
    if customer_filter.sort == "last_visit":
        return [(f" AND {_column_sql(column)} IS NOT NULL", column), (f" AND {_column_sql(column)} IS NULL", None)]
    return [("", column)]


def _keyset(column, value, row_id, descending, forward):
    """(SQL, params): rows strictly after (forward) or before (backward) the position, as a row comparison."""
    sign = "<" if descending == forward else ">"  # moving towards smaller values, or larger
    if column is None:
        return placeholders(f' AND "t1"."id" {sign} ?'), [row_id]
    return placeholders(f' AND ({_column_sql(column)}, "t1"."id") {sign} (?, ?)'), [column.db_value(value), row_id]


def _capped_count_sql(matching, cap):
    """(SQL, params) counting the matches, at most `cap` + 1 (so `> cap` means "more"); every match for None."""
    where, params = matching
    limit = "" if cap is None else f" LIMIT {int(cap) + 1}"
    return f'SELECT COUNT(1) FROM (SELECT "t1"."id"{_FROM_WHERE}{where}{limit}) AS "matching"', params


# The page is ONE statement. Its phases (rows with a sort value, then those without) are branches of a UNION ALL,
# each on its own index and limited to what the page could take from it; a later branch runs only when the earlier
# ones came short of the page (a one-time condition on their row count: neither database then reads it). A search
# in a small salon used to be two statements, the second for the never-visited customers the first left room for.
#
# The rows' tags ride in it too, joined around the page so that only the rows its LIMIT kept are joined (inside it,
# a sort would first join every matching row). One row per tag, by name after the page's order (which the outer
# ORDER BY repeats): the same SQL on both databases, and on SQLite cheaper than a JSON array per row. A row's tag
# links are found by its customer id alone, on the (customer_id, tag_id) index; the salon is named on the tag (the
# rows are the salon's customers, so are their links). A salon condition on the link led both planners astray: as
# `ct.salon_id = ?` they walked the salon's whole (salon_id, tag_id, customer_id) index for every row (SQLite
# without statistics 0.53 ms against 0.15 ms a demo page); as `+ct.salon_id = ?` PostgreSQL misjudged it at 13
# rows and hashed the whole table (a 2,000-customer salon's page 0.95 ms against 0.47 ms).
_PAGE_SQL = (
    'WITH {branches} SELECT "page".*{count}, t."name" FROM ({page}) AS "page" '
    'LEFT JOIN "customer_tag" AS ct ON ct."customer_id" = "page"."id" '
    'LEFT JOIN "tag" AS t ON t."id" = ct."tag_id" AND t."salon_id" = ? ORDER BY {order}, t."name"')


def _page_statement(branches, column, down, limit, offset, count, salon):
    """(SQL, params) of the page: the branches' rows in their order, LIMIT and OFFSET, tags, the capped count.

    `branches` and `count` are (SQL, params) in the driver's placeholder style.
    """
    direction = "DESC" if down else "ASC"
    names, parts, params = [], [], []
    for number, (sql, branch_params) in enumerate(branches):
        names.append(f'"b{number}" AS ({sql})')
        params.extend(branch_params)
        select = f'SELECT {number} AS "phase", "b{number}".* FROM "b{number}"'
        if number:  # only when the branches before it left room on the page
            before = " + ".join(f'(SELECT COUNT(*) FROM "b{earlier}")' for earlier in range(number))
            select += f" WHERE {before} < {int(offset + limit)}"
        parts.append(select)
    order = [("phase", "ASC"), (column.column_name, direction), ("id", direction)]
    page = (" UNION ALL ".join(parts) + " ORDER BY " + ", ".join(f'"{name}" {way}' for name, way in order)
            + f" LIMIT {int(limit)}" + (f" OFFSET {int(offset)}" if offset else ""))
    count_sql = ""
    if count is not None:
        count_sql = f', ({count[0]}) AS "matching_total"'
        params.extend(count[1])
    text = placeholders(_PAGE_SQL).format(  # the parts' SQL is the driver's already
        branches=", ".join(names), count=count_sql, page=page,
        order=", ".join(f'"page"."{name}" {way}' for name, way in order))
    return text, [*params, salon.id]


def _rows_and_tags(found):
    """The page statement's rows, one per customer, and {id: the customer's tag names, alphabetically}."""
    rows, tags, last_id = [], {}, None
    for row in found:
        if row[1] != last_id:  # the customer's first row (one per tag, or one without); row[0] is its phase
            last_id = row[1]
            rows.append(row)
            names = tags[last_id] = []
        if row[-1] is not None:  # None: no tags, or a tag of another salon's
            names.append(row[-1])
    return rows, tags


def _list_row(row):
    values = list(row[1:len(LIST_COLUMNS) + 1])
    for index, convert in _TIMESTAMPS:
        values[index] = convert(values[index])
    return ListRow._make(values)


def _walk(customer_filter, cursor):
    """The indices of the phases a page reads, in the order it reads them (from the cursor's phase on)."""
    count = len(_phases(customer_filter))
    if cursor is None:
        return list(range(count))
    return list(range(cursor.phase, count)) if cursor.direction == "after" else list(range(cursor.phase, -1, -1))


def _fetch(customer_filter, salon, cursor, limit, now, walk, offset=0, count_cap=None):
    """Fetch up to `limit` rows of the phases `walk`, from the cursor (or the start, skipping `offset`), in the
    cursor's direction, in one statement.

    Returns (rows, total, tags). With `count_cap`, the statement also counts the matches up to the cap (an
    uncorrelated subquery, run once): total is that count, or None when no row came to carry it.
    tags maps each row's id to its tag names, alphabetically.
    """
    phases = _phases(customer_filter)
    descending = customer_filter.order == "desc"
    forward = cursor is None or cursor.direction == "after"
    down = descending == forward
    matching = _matching_sql(customer_filter, salon, now)
    where, where_params = matching
    branches = []
    for index in walk:
        condition, column = phases[index]
        after, after_params = "", []
        if cursor is not None and index == cursor.phase:
            after, after_params = _keyset(column, cursor.value, cursor.id, descending, forward)
        direction = " DESC" if down else ""
        order = "" if column is None else f"{_column_sql(column)}{direction}, "
        branches.append((f'SELECT {_LIST_COLUMNS_SQL}{_FROM_WHERE}{where}{condition}{after} '
                         f'ORDER BY {order}"t1"."id"{direction} LIMIT {int(offset + limit)}',
                         [*where_params, *after_params]))
    count = None if count_cap is None else _capped_count_sql(matching, count_cap)
    text, params = _page_statement(branches, sort_column(customer_filter.sort), down, limit, offset, count, salon)
    fixed = (not customer_filter.is_filtered and not offset and customer_filter.per_page in PAGE_SIZES
             and limit == customer_filter.per_page + 1)  # not the rest of a page that came short
    found, tags = _rows_and_tags(_execute(text, params, fixed))
    total = found[0][-2] if found and count is not None else None  # the column before the tag's name
    # Named tuples: the page only reads these columns, and building model instances cost ~0.5 ms a page.
    rows = [_list_row(row) for row in found]
    return (rows if forward else rows[::-1]), total, tags


def _execute(text, params, fixed):
    """Run a page statement (in the driver's placeholder style). A `fixed` one is prepared on PostgreSQL: an
    unfiltered first or keyset page of an offered size, whose text is one of a few dozen and whose best plan (the
    sort index, the count's partial index, the tag links by customer) is the same for every salon; planning it
    took 0.4 ms of its 0.6 ms."""
    if fixed:
        return prepared_sql.execute(question_marks(text), params)
    return db.execute_sql(text, params)


def _cursor_for(customer_filter, customer, direction):
    """Return the token of this row's position, to page on in `direction`."""
    value = getattr(customer, sort_column(customer_filter.sort).name)
    phase = 1 if customer_filter.sort == "last_visit" and value is None else 0
    return Cursor(customer_filter.sort, customer_filter.order, direction, phase, value, customer.id).encode()


def customer_page(customer_filter, salon, *, now=None, with_total=True):
    """Return the CustomerPage the filter asks for (keyset cursor, `page` number, or the first page).

    A search or a filter usually comes short of a page of customers who came, so its page asks for the never-came
    phase in the same statement. An unfiltered keyset page almost always fills from its first phase: it sends that
    phase alone (the branch it would not read still cost PostgreSQL planning time) and asks for the rest only when
    it came short.
    """
    cursor = customer_filter.cursor
    cap = COUNT_CAP if with_total else None
    limit = customer_filter.per_page + 1
    offset = 0
    if customer_filter.page is not None and cursor is None:
        offset = (customer_filter.page - 1) * customer_filter.per_page
    walk = _walk(customer_filter, cursor)
    first_alone = not customer_filter.is_filtered and customer_filter.page is None
    taken = walk[:1] if first_alone else walk
    rows, total, tags = _fetch(customer_filter, salon, cursor, limit, now, taken, offset, cap)
    if len(rows) < limit and taken != walk:  # came short of the page: the following phases, one more statement
        more, _, more_tags = _fetch(customer_filter, salon, cursor, limit - len(rows), now, walk[len(taken):])
        forward = cursor is None or cursor.direction == "after"
        rows = rows + more if forward else more + rows  # backward pages come in display order
        tags.update(more_tags)
    return _page(customer_filter, salon, now, with_total, rows, total, tags)


def _page(customer_filter, salon, now, with_total, rows, total, tags):
    """The CustomerPage of the fetched rows (per_page + 1 of them when there is a next page)."""
    per_page, cursor = customer_filter.per_page, customer_filter.cursor
    if customer_filter.page is not None and cursor is None:
        has_previous, has_next = customer_filter.page > 1, len(rows) > per_page
        rows = rows[:per_page]
    else:
        more = len(rows) > per_page
        if cursor is not None and cursor.direction == "before":
            rows = rows[-per_page:] if more else rows
            has_previous, has_next = more, True
        else:
            rows = rows[:per_page]
            has_previous, has_next = cursor is not None, more
    if with_total and total is None:  # no row carried the count: one more statement
        total = count_matching(customer_filter, salon, now=now, cap=COUNT_CAP)
    return CustomerPage(
        customers=rows,
        total=total,
        tags={row.id: tags[row.id] for row in rows},  # not the extra row that told whether there is a next page
        next_cursor=_cursor_for(customer_filter, rows[-1], "after") if rows and has_next else None,
        previous_cursor=_cursor_for(customer_filter, rows[0], "before") if rows and has_previous else None,
        page=customer_filter.page,
    )


def count_matching(customer_filter, salon, *, now=None, cap=COUNT_CAP):
    """Return the number of matching customers, counting at most `cap` + 1 (so `> cap` means "more")."""
    sql, params = _capped_count_sql(_matching_sql(customer_filter, salon, now), cap)
    return db.execute_sql(sql, params).fetchone()[0]


def exact_count(customer_filter, salon, *, now=None):
    """Return the exact number of matching customers (the list fetches it after the page when it is capped)."""
    return count_matching(customer_filter, salon, now=now, cap=None)
