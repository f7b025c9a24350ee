"""The salon's customer list as a query: parameters, search, filters, sorting and keyset paging.

Used by the HTML list, the CSV export, bulk tagging, saved segments and (later) the JSON API,
so everything here works without Flask: `CustomerFilter.from_args(args, salon)` takes any
mapping of query parameters (a werkzeug MultiDict or a plain dict of strings or lists).

Search (`q`):
- text with "@" searches e-mail addresses (substring);
- text made only of digits and phone punctuation searches phones: a complete number typed in
  any local or international format is normalised with the salon's country and matched
  exactly; a partial one matches the E.164 number by prefix (when typed with a leading "+" or
  the country's trunk prefix, e.g. "0788 12") or by substring (e.g. the last digits "3456");
- anything else searches names, case- and accent-insensitively, through `name_search`.
Searches of three characters or more are substring matches (pg_trgm GIN indexes on
PostgreSQL). One or two characters cannot use a trigram index, so they match the start of
the name (or the start of the national phone number): a b-tree prefix scan.
`%` and `_` are literal characters everywhere.

Paging is keyset paging: an opaque cursor holds the last (or first) row's sort value and id,
so a deep page costs what the first page costs, and id breaks ties so no row is ever shown on
two pages or skipped. Customers who never came (no last visit) always come last. `page` is also
accepted for API-style clients (OFFSET paging, which gets slower with depth).
"""
import base64
import binascii
import dataclasses
import datetime
import json
import re
from urllib.parse import urlencode

import phonenumbers
from peewee import SQL, Case, NodeList, Tuple, Value, fn

from salon_web.ids import in_range
from salon_web.models import CustomerTag, SalonCustomer, Tag
from salon_web.services.clock import in_date_range, local_day_bounds, local_today
from salon_web.services.money import InvalidAmount, format_money_input, parse_money
from salon_web.services.phones import try_normalize_phone
from salon_web.services.text import fold

PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_QUERY_LENGTH = 100
MAX_TAGS = 20
MAX_DAYS = 36_500
MAX_PAGE = 100_000
MAX_CURSOR_LENGTH = 1_000
BIGINT = 2**63
MIN_TRIGRAM_LENGTH = 3
# Counting is exact up to this many matches, then shown as "More than 1,000 customers": an exact
# count reads every matching index entry (60-150 ms for 200,000 customers on the bench machine),
# a capped one reads at most COUNT_CAP / selectivity entries whatever the salon's size.
COUNT_CAP = 1_000

SORTS = ("last_visit", "total_spent", "visit_count", "name")
SORT_LABELS = {"last_visit": "Last visit", "total_spent": "Total spent", "visit_count": "Visits", "name": "Name"}
DEFAULT_ORDER = {"last_visit": "desc", "total_spent": "desc", "visit_count": "desc", "name": "asc"}
TAG_MODES = ("any", "all")
ORDERS = ("asc", "desc")

_PHONE_TEXT = re.compile(r"^\+?[\d\s().\-/]+$")
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


def _sort_column(sort):
    return {
        "last_visit": SalonCustomer.last_visit_at,
        "total_spent": SalonCustomer.total_spent,
        "visit_count": SalonCustomer.visit_count,
        "name": SalonCustomer.name_search,
    }[sort]


def _values(args, key):
    """All values of a parameter from a MultiDict or a plain dict (str or list values)."""
    if hasattr(args, "getlist"):
        return [v for v in args.getlist(key)]
    value = args.get(key)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _value(args, key):
    values = _values(args, key)
    return (values[0] if values else "").strip()


def _int(args, key, errors, *, minimum, maximum, message):
    text = _value(args, key)
    if text == "":
        return None
    try:
        number = int(text)
    except ValueError:
        errors[key] = message
        return None
    if not minimum <= number <= maximum:
        errors[key] = message
        return None
    return number


@dataclasses.dataclass(frozen=True)
class Cursor:
    """A position in the ordering: the phase (0: has a sort value, 1: never came), value and id."""

    sort: str
    order: str
    direction: str  # "after" (next page) or "before" (previous page)
    phase: int
    value: object
    id: int

    def encode(self):
        value = self.value.isoformat() if isinstance(self.value, datetime.datetime) else self.value
        raw = json.dumps([self.sort, self.order, self.direction, self.phase, value, self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text):
        """Return the Cursor in `text`, or None when it is not one of ours."""
        if len(text) > MAX_CURSOR_LENGTH:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            sort, order, direction, phase, value, row_id = json.loads(raw)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
            return None
        if sort not in SORTS or order not in ORDERS or direction not in ("after", "before"):
            return None
        if not _whole_number(phase) or phase not in (0, 1) or not _whole_number(row_id) or not in_range(row_id):
            return None
        if phase == 1 and (sort != "last_visit" or value is not None):
            return None
        if phase == 0:
            try:
                value = _typed_sort_value(sort, value)
            except (ValueError, TypeError):
                return None
        return cls(sort, order, direction, phase, value, row_id)


def _whole_number(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _typed_sort_value(sort, value):
    """The cursor's sort value as its column holds it; ValueError or TypeError when no row could hold it.

    A cursor is text from the URL: a value out of the column's range (a huge number, a date at the
    ends of the calendar, an over-long name or one with NUL) would be a database error, not a page.
    """
    if sort == "last_visit":
        moment = datetime.datetime.fromisoformat(value)
        if moment.tzinfo is not None or not in_date_range(moment):
            raise ValueError("last visit out of range")
        return moment
    if sort == "name":
        if not isinstance(value, str) or "\x00" in value or len(value) > SalonCustomer.name_search.max_length:
            raise TypeError("name cursor needs text the column can hold")
        return value
    if not _whole_number(value) or not -BIGINT <= value < BIGINT:
        raise TypeError("number expected")
    return value


@dataclasses.dataclass(frozen=True)
class CustomerFilter:
    """Validated list parameters. Build it with `from_args`; it never holds invalid values."""

    q: str = ""
    tags: tuple = ()
    tag_ids: tuple = ()
    tag_mode: str = "any"
    min_visits: int | None = None
    min_spent: int | None = None  # minor units of the salon's currency
    days_since_last_visit: int | None = None
    sort: str = "last_visit"
    order: str = "desc"
    per_page: int = PER_PAGE
    page: int | None = None
    cursor: Cursor | None = None
    currency: str = "RWF"

    @classmethod
    def from_args(cls, args, salon):
        """Return (filter, errors): the valid parameters, and a message per invalid field."""
        errors = {}
        q = " ".join(_value(args, "q").split())
        if len(q) > MAX_QUERY_LENGTH:
            errors["q"] = f"Search for at most {MAX_QUERY_LENGTH} characters."
            q = ""
        tags = tuple(dict.fromkeys(" ".join(t.split()) for t in _values(args, "tags") if t.strip()))
        tag_ids = ()
        if len(tags) > MAX_TAGS:
            errors["tags"] = f"Choose at most {MAX_TAGS} tags."
            tags = ()
        elif tags:
            found = dict(Tag.select(Tag.name, Tag.id).where((Tag.salon == salon) & (Tag.name.in_(tags))).tuples())
            unknown = [t for t in tags if t not in found]
            if unknown:
                errors["tags"] = "No tag named " + ", ".join(f"“{t}”" for t in unknown) + " in this salon."
                tags = ()
            else:
                tag_ids = tuple(found[t] for t in tags)
        tag_mode = _value(args, "tag_mode") or "any"
        if tag_mode not in TAG_MODES:
            errors["tag_mode"] = "Choose “any” or “all”."
            tag_mode = "any"
        min_visits = _int(args, "min_visits", errors, minimum=0, maximum=1_000_000,
                          message="Enter a whole number of visits, 0 or more.")
        min_spent = None
        if _value(args, "min_spent"):
            try:
                min_spent = parse_money(_value(args, "min_spent"), salon.currency)
            except InvalidAmount as error:
                errors["min_spent"] = str(error)
        days = _int(args, "days_since_last_visit", errors, minimum=0, maximum=MAX_DAYS,
                    message=f"Enter a whole number of days between 0 and {MAX_DAYS}.")
        sort = _value(args, "sort") or "last_visit"
        if sort not in SORTS:
            errors["sort"] = "Sort by last visit, total spent, visits or name."
            sort = "last_visit"
        order = _value(args, "order") or DEFAULT_ORDER[sort]
        if order not in ORDERS:
            errors["order"] = "Order is “asc” or “desc”."
            order = DEFAULT_ORDER[sort]
        per_page = _int(args, "per_page", errors, minimum=1, maximum=MAX_PER_PAGE,
                        message=f"Show between 1 and {MAX_PER_PAGE} customers per page.") or PER_PAGE
        page = _int(args, "page", errors, minimum=1, maximum=MAX_PAGE,
                    message=f"Page is a whole number between 1 and {MAX_PAGE:,}.")
        cursor = None
        if _value(args, "cursor"):
            cursor = Cursor.decode(_value(args, "cursor"))
            if cursor is None or (cursor.sort, cursor.order) != (sort, order):
                errors["cursor"] = "That page link is out of date. Start again from the first page."
                cursor = None
        if cursor is not None:
            page = None  # the cursor is the precise position; `page` is for clients without one
        found = cls(q, tags, tag_ids, tag_mode, min_visits, min_spent, days, sort, order, per_page, page, cursor,
                    salon.currency)
        return found, errors

    # -- turning the filter back into URL parameters ------------------------------------------
    def to_args(self, *, paging=False, **overrides):
        """Return the non-default parameters as a list of (name, value) pairs for a URL."""
        fields = {
            "q": self.q or None,
            "tags": list(self.tags),
            "tag_mode": self.tag_mode if self.tags and self.tag_mode != "any" else None,
            "min_visits": self.min_visits,
            "min_spent": None if self.min_spent is None else format_money_input(self.min_spent, self.currency),
            "days_since_last_visit": self.days_since_last_visit,
            "sort": self.sort if self.sort != "last_visit" else None,
            "order": self.order if self.order != DEFAULT_ORDER[self.sort] else None,
            "per_page": self.per_page if self.per_page != PER_PAGE else None,
        }
        if paging:
            fields["page"] = self.page
            fields["cursor"] = self.cursor.encode() if self.cursor else None
        fields.update(overrides)
        pairs = []
        for name, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                if item is not None and item != "":
                    pairs.append((name, str(item)))
        return pairs

    def query_string(self, **overrides):
        """The filter as a query string (no paging): what a saved segment stores."""
        return urlencode(self.to_args(**overrides))

    def sorted_by(self, sort):
        """Parameters for a column header: that sort, toggling the order if already sorted by it."""
        if sort == self.sort:
            order = "asc" if self.order == "desc" else "desc"
        else:
            order = DEFAULT_ORDER[sort]
        return self.to_args(sort=sort if sort != "last_visit" else None,
                            order=order if order != DEFAULT_ORDER[sort] else None)

    @property
    def is_filtered(self):
        return bool(self.q or self.tags or self.min_visits is not None or self.min_spent is not None
                    or self.days_since_last_visit is not None)

    def describe(self):
        """A JSON-able summary of the filter for the audit trail."""
        return {
            "q": self.q, "tags": list(self.tags), "tag_mode": self.tag_mode, "min_visits": self.min_visits,
            "min_spent": self.min_spent, "days_since_last_visit": self.days_since_last_visit,
            "sort": self.sort, "order": self.order,
        }

    # -- SQL ------------------------------------------------------------------------------------
    def where(self, salon, now=None):
        """Return the peewee condition selecting the salon's customers that match the filter."""
        condition = SalonCustomer.salon == salon
        if self.q:
            condition &= search_condition(self.q, salon.country)
        if self.tag_ids:
            condition &= _tag_condition(salon, self.tag_ids, self.tag_mode)
        if self.min_visits is not None:
            condition &= SalonCustomer.visit_count >= self.min_visits
        if self.min_spent is not None:
            condition &= SalonCustomer.total_spent >= self.min_spent
        if self.days_since_last_visit is not None:
            # "At least N days" in the salon's calendar: the last visit fell on or before that local day.
            day = local_today(salon.timezone, now) - datetime.timedelta(days=self.days_since_last_visit)
            condition &= SalonCustomer.last_visit_at < local_day_bounds(day, salon.timezone)[1]
        return condition

    def matching(self, salon, *columns, now=None):
        """Return an unordered query of the matching customers (all columns unless given)."""
        return SalonCustomer.select(*columns).where(self.where(salon, now))

    def ordering(self, reverse=False):
        """ORDER BY terms of the full ordering (never-came last), optionally reversed."""
        column = _sort_column(self.sort)
        descending = (self.order == "desc") != reverse
        terms = []
        if self.sort == "last_visit":
            never_came = Case(None, [(SalonCustomer.last_visit_at.is_null(), 1)], 0)
            terms.append(never_came.desc() if reverse else never_came.asc())
        terms.append(column.desc() if descending else column.asc())
        terms.append(SalonCustomer.id.desc() if descending else SalonCustomer.id.asc())
        return terms


def _like(column, template, text):
    """`column LIKE template % text` with `%`, `_` and `\\` in `text` taken literally.

    Plain LIKE, not ILIKE: the searched columns are stored lower-cased (names folded, e-mails
    normalised, phones are digits), and LIKE is what both the trigram and the text_pattern_ops
    indexes serve fastest.
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    # Spelled out: peewee renders OP.LIKE as GLOB on SQLite, which takes no ESCAPE clause.
    return NodeList((column, SQL("LIKE"), Value(template % escaped, converter=False), SQL("ESCAPE"),
                     Value("\\", converter=False)))


def _contains(column, text):
    return _like(column, "%%%s%%", text)


def _startswith(column, text):
    return _like(column, "%s%%", text)


def search_condition(q, country):
    """Return the condition for a search box text (see the module docstring)."""
    text = q.strip()
    if "@" in text:
        return _contains(SalonCustomer.email, text.lower())
    if _PHONE_TEXT.match(text) and any(ch.isdigit() for ch in text):
        return _phone_condition(text, country)
    folded = fold(text)
    if len(folded) < MIN_TRIGRAM_LENGTH:
        return _startswith(SalonCustomer.name_search, folded)
    return _contains(SalonCustomer.name_search, folded)


def _phone_condition(text, country):
    digits = re.sub(r"\D", "", text)
    e164 = try_normalize_phone(text, country) if len(digits) >= 6 else None
    if e164 and phonenumbers.is_valid_number(phonenumbers.parse(e164)):
        return SalonCustomer.phone_e164 == e164
    if text.startswith("+"):
        return _startswith(SalonCustomer.phone_e164, "+" + digits)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(country.upper())
    trunk = metadata.national_prefix if metadata else None
    calling_code = phonenumbers.country_code_for_region(country.upper())
    if trunk and digits.startswith(trunk) and calling_code:
        # "0788 12" is the start of a national number; "000111" may also be the last digits.
        national = _startswith(SalonCustomer.phone_e164, f"+{calling_code}{digits[len(trunk):]}")
        if len(digits) >= MIN_TRIGRAM_LENGTH:
            return national | _contains(SalonCustomer.phone_e164, digits)
        return national
    if len(digits) < MIN_TRIGRAM_LENGTH and calling_code:
        return _startswith(SalonCustomer.phone_e164, f"+{calling_code}{digits}")
    return _contains(SalonCustomer.phone_e164, digits)


def _tag_condition(salon, tag_ids, mode):
    """EXISTS per tag (all) or one EXISTS over the tags (any): a probe of the unique
    (customer_id, tag_id) index per candidate row, so an index-ordered page stops after one page."""
    def has(ids):
        return fn.EXISTS(
            CustomerTag.select(SQL("1")).where(
                (CustomerTag.customer == SalonCustomer.id) & CustomerTag.tag.in_(list(ids))
            )
        )

    if mode == "all":
        condition = has([tag_ids[0]])
        for tag_id in tag_ids[1:]:
            condition &= has([tag_id])
        return condition
    return has(tag_ids)


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
        return self.total is not None and self.total > COUNT_CAP

    @property
    def count_label(self):
        """The count as shown: "234 customers", or "More than 1,000 customers" past the cap."""
        if self.total_is_capped:
            return f"More than {COUNT_CAP:,} customers"
        return f"{self.total:,} customer{'' if self.total == 1 else 's'}"


def _phases(customer_filter):
    """The ordering split into index-friendly parts: rows with a sort value, then those without."""
    column = _sort_column(customer_filter.sort)
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


def _fetch(customer_filter, salon, cursor, limit, now, offset=0):
    """Fetch up to `limit` rows from the cursor (or the start, skipping `offset`) in the cursor's direction."""
    phases = _phases(customer_filter)
    descending = customer_filter.order == "desc"
    forward = cursor is None or cursor.direction == "after"
    if cursor is None:
        start = 0
    else:
        start = cursor.phase
    indices = range(start, len(phases)) if forward else range(start, -1, -1)
    base = customer_filter.where(salon, now)
    rows = []
    for index in indices:
        condition, column = phases[index]
        query = SalonCustomer.select(*LIST_COLUMNS).where(base)
        if condition is not None:
            query = query.where(condition)
        if cursor is not None and index == cursor.phase:
            query = query.where(_keyset(column, cursor.value, cursor.id, descending, forward))
        down = descending == forward
        order = [] if column is None else [column.desc() if down else column.asc()]
        order.append(SalonCustomer.id.desc() if down else SalonCustomer.id.asc())
        query = query.order_by(*order).limit(limit - len(rows))
        found = list(query.offset(offset) if offset else query)
        if offset and not found and index + 1 < len(phases):
            offset = max(0, offset - query.order_by().limit(None).count())  # skip past this phase's rows
        else:
            offset = 0
        rows.extend(found)
        if len(rows) >= limit:
            break
    return rows if forward else rows[::-1]


def _cursor_for(customer_filter, customer, direction):
    column = _sort_column(customer_filter.sort)
    value = getattr(customer, column.name)
    phase = 1 if customer_filter.sort == "last_visit" and value is None else 0
    return Cursor(customer_filter.sort, customer_filter.order, direction, phase, value, customer.id).encode()


def customer_page(customer_filter, salon, *, now=None, with_total=True):
    """Return the CustomerPage the filter asks for (keyset cursor, `page` number, or the first page)."""
    per_page = customer_filter.per_page
    cursor = customer_filter.cursor
    if customer_filter.page is not None and cursor is None:
        offset = (customer_filter.page - 1) * per_page
        rows = _fetch(customer_filter, salon, None, per_page + 1, now, offset=offset)
        has_previous, has_next = customer_filter.page > 1, len(rows) > per_page
        rows = rows[:per_page]
    else:
        rows = _fetch(customer_filter, salon, cursor, per_page + 1, now)
        more = len(rows) > per_page
        if cursor is not None and cursor.direction == "before":
            rows = rows[-per_page:] if more else rows
            has_previous, has_next = more, True
        else:
            rows = rows[:per_page]
            has_previous, has_next = cursor is not None, more
    total = count_matching(customer_filter, salon, now=now) if with_total else None
    return CustomerPage(
        customers=rows,
        total=total,
        tags=tags_for(rows),
        next_cursor=_cursor_for(customer_filter, rows[-1], "after") if rows and has_next else None,
        previous_cursor=_cursor_for(customer_filter, rows[0], "before") if rows and has_previous else None,
        page=customer_filter.page,
    )


def count_matching(customer_filter, salon, *, now=None, cap=COUNT_CAP):
    """Return the number of matching customers, counting at most `cap` + 1 (so `> cap` means "more")."""
    matching = customer_filter.matching(salon, SalonCustomer.id, now=now)
    if cap is not None:
        matching = matching.limit(cap + 1)
    return SalonCustomer.select(fn.COUNT(SQL("1"))).from_(matching.alias("matching")).scalar()


def tags_for(customers):
    """Return {customer id: [tag names, alphabetically]} for these customers, in one query."""
    ids = [c.id for c in customers]
    tags = {customer_id: [] for customer_id in ids}
    if not ids:
        return tags
    query = (
        CustomerTag.select(CustomerTag.customer, Tag.name)
        .join(Tag)
        .where(CustomerTag.customer.in_(ids))
        .order_by(Tag.name)
        .tuples()
    )
    for customer_id, name in query:
        tags[customer_id].append(name)
    return tags


def salon_tags(salon):
    """The salon's tag names, alphabetically (the tag filter's choices)."""
    return [name for (name,) in Tag.select(Tag.name).where(Tag.salon == salon).order_by(Tag.name).tuples()]
