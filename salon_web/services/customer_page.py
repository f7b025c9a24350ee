"""One page of the customer list: its rows by keyset (or OFFSET) paging with their tags, and the count.

Keyset paging: an opaque cursor holds the last (or first) row's sort value and id, so a deep page
costs what the first page costs, and id breaks ties so no row is ever shown on two pages or
skipped. Customers who never came (no last visit) always come last. `page` is also accepted for
API-style clients (OFFSET paging, which gets slower with depth).
"""
import collections
import dataclasses

from peewee import SQL, DateTimeField, Tuple, fn

from salon_web.db import db
from salon_web.models import SalonCustomer, Tag
from salon_web.services import formats
from salon_web.services.customer_filter import Cursor, sort_column
from salon_web.sql_dialect import placeholders
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


def _phases(customer_filter):
    """The ordering split into index-friendly parts: rows with a sort value, then those without."""
    column = sort_column(customer_filter.sort)
    if customer_filter.sort == "last_visit":
        return [(column.is_null(False), column), (column.is_null(), None)]
    return [(None, column)]


def _keyset(column, value, row_id, descending, forward):
    """Rows strictly after (forward) or before (backward) the position, as a row comparison."""
    later = descending == forward  # moving towards smaller values
    if column is None:
        return SalonCustomer.id < row_id if later else SalonCustomer.id > row_id
    left, right = Tuple(column, SalonCustomer.id), Tuple(value, row_id)
    return left < right if later else left > right


# The page is ONE statement. Its phases (rows with a sort value, then those without) are branches of a UNION ALL,
# each on its own index and limited to what the page could take from it; a later branch runs only when the earlier
# ones came short of the page (a one-time condition on their row count: neither database then reads it). A search
# in a small salon used to be two statements, the second for the never-visited customers the first left room for.
#
# The rows' tags ride in it too, joined around the page so that only the rows its LIMIT kept are joined (inside it,
# a sort would first join every matching row). One row per tag, by name after the page's order (which the outer
# ORDER BY repeats): the same SQL on both databases, and on SQLite cheaper than a JSON array per row. The unary +
# keeps both planners off the (salon_id, tag_id, customer_id) index, which they walked whole for every row instead
# of finding the row's own links by customer: SQLite without statistics 0.53 ms against 0.15 ms a demo page,
# PostgreSQL 0.78 against 0.55 ms.
_PAGE_SQL = (
    'WITH {branches} SELECT "page".*{count}, t."name" FROM ({page}) AS "page" '
    'LEFT JOIN "customer_tag" AS ct ON ct."customer_id" = "page"."id" AND +ct."salon_id" = ? '
    'LEFT JOIN "tag" AS t ON t."id" = ct."tag_id" AND t."salon_id" = ? ORDER BY {order}, t."name"')


def _page_statement(branches, column, down, limit, offset, count, salon):
    """(SQL, params) of the page: the branches' rows in their order, LIMIT and OFFSET, tags, the capped count."""
    direction = "DESC" if down else "ASC"
    names, parts, params = [], [], []
    for number, branch in enumerate(branches):
        sql, branch_params = branch.sql()
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
        count_sql, count_params = count.sql()
        count_sql = f', ({count_sql}) AS "matching_total"'
        params.extend(count_params)
    text = placeholders(_PAGE_SQL).format(  # the branches' SQL is the driver's already
        branches=", ".join(names), count=count_sql, page=page,
        order=", ".join(f'"page"."{name}" {way}' for name, way in order))
    return text, [*params, salon.id, salon.id]


def _run_page(text, params, tags):
    """Run the page statement, putting each row's tag names, alphabetically, in `tags` by id; return its rows."""
    rows, last_id = [], None
    for row in db.execute_sql(text, params):
        if row[1] != last_id:  # the customer's first row (one per tag, or one without); row[0] is its phase
            last_id = row[1]
            rows.append(row)
            names = tags[last_id] = []
        if row[-1] is not None:  # None: no tags, or a tag of another salon's
            names.append(row[-1])
    return rows


def _list_row(row):
    values = list(row[1:len(LIST_COLUMNS) + 1])
    for index, convert in _TIMESTAMPS:
        values[index] = convert(values[index])
    return ListRow._make(values)


def _fetch(customer_filter, salon, cursor, limit, now, offset=0, count_cap=None):
    """Fetch up to `limit` rows from the cursor (or the start, skipping `offset`) in the cursor's direction.

    Returns (rows, total, tags). With `count_cap`, the statement also counts the matches up to the cap (an
    uncorrelated subquery, run once): total is that count, or None when no row came to carry it.
    tags maps each row's id to its tag names, alphabetically.
    """
    phases = _phases(customer_filter)
    descending = customer_filter.order == "desc"
    forward = cursor is None or cursor.direction == "after"
    start = 0 if cursor is None else cursor.phase
    down = descending == forward
    branches = []
    for index in range(start, len(phases)) if forward else range(start, -1, -1):
        condition, column = phases[index]
        query = customer_filter.matching(salon, *LIST_COLUMNS, now=now)
        if condition is not None:
            query = query.where(condition)
        if cursor is not None and index == cursor.phase:
            query = query.where(_keyset(column, cursor.value, cursor.id, descending, forward))
        order = ([] if column is None else [column]) + [SalonCustomer.id]
        branches.append(query.order_by(*[c.desc() if down else c.asc() for c in order]).limit(offset + limit))
    count = None if count_cap is None else _capped_count(customer_filter, salon, now, count_cap)
    tags = {}
    found = _run_page(*_page_statement(branches, sort_column(customer_filter.sort), down, limit, offset, count, salon),
                      tags)
    total = found[0][-2] if found and count is not None else None  # the column before the tag's name
    # Named tuples: the page only reads these columns, and building model instances cost ~0.5 ms a page.
    rows = [_list_row(row) for row in found]
    return (rows if forward else rows[::-1]), total, tags


def _cursor_for(customer_filter, customer, direction):
    """Return the token of this row's position, to page on in `direction`."""
    value = getattr(customer, sort_column(customer_filter.sort).name)
    phase = 1 if customer_filter.sort == "last_visit" and value is None else 0
    return Cursor(customer_filter.sort, customer_filter.order, direction, phase, value, customer.id).encode()


def customer_page(customer_filter, salon, *, now=None, with_total=True):
    """Return the CustomerPage the filter asks for (keyset cursor, `page` number, or the first page)."""
    per_page = customer_filter.per_page
    cursor = customer_filter.cursor
    cap = COUNT_CAP if with_total else None
    if customer_filter.page is not None and cursor is None:
        offset = (customer_filter.page - 1) * per_page
        rows, total, tags = _fetch(customer_filter, salon, None, per_page + 1, now, offset=offset, count_cap=cap)
        has_previous, has_next = customer_filter.page > 1, len(rows) > per_page
        rows = rows[:per_page]
    else:
        rows, total, tags = _fetch(customer_filter, salon, cursor, per_page + 1, now, count_cap=cap)
        more = len(rows) > per_page
        if cursor is not None and cursor.direction == "before":
            rows = rows[-per_page:] if more else rows
            has_previous, has_next = more, True
        else:
            rows = rows[:per_page]
            has_previous, has_next = cursor is not None, more
    if with_total and total is None:  # no row carried the count
        total = count_matching(customer_filter, salon, now=now, cap=cap)
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
    return _capped_count(customer_filter, salon, now, cap).scalar()


def _capped_count(customer_filter, salon, now, cap):
    matching = customer_filter.matching(salon, SalonCustomer.id, now=now)
    if cap is not None:
        matching = matching.limit(cap + 1)
    return SalonCustomer.select(fn.COUNT(SQL("1"))).from_(matching.alias("matching"))


def exact_count(customer_filter, salon, *, now=None):
    """Return the exact number of matching customers (the list fetches it after the page when it is capped)."""
    return count_matching(customer_filter, salon, now=now, cap=None)


def salon_tags(salon):
    """The salon's tag names, alphabetically (the tag filter's choices)."""
    return [name for (name,) in Tag.in_salon(salon, Tag.name).order_by(Tag.name).tuples()]
