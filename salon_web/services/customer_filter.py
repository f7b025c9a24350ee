"""The customer list's filter: typed values, the salon's rules on them, and their SQL condition.

The edges parse strings into a `CustomerFilter` (the HTML list through its WTForms form, the API
through its pydantic query); `checked` then applies the rules that need the salon (its tags exist,
the page link belongs to this sort) and raises InvalidFilter, a FieldErrors keyed by these names.
Used by the list, the CSV export, bulk tagging and saved segments.
"""
import dataclasses
import datetime
from urllib.parse import urlencode

from peewee import SQL, fn

from salon_web.ids import MAX_ID
from salon_web.models import CustomerTag, SalonCustomer, Tag
from salon_web.services import paging
from salon_web.services.clock import in_date_range, local_day_bounds, local_today
from salon_web.services.customer_search import search_condition
from salon_web.services.field_errors import FieldErrors
from salon_web.services.front_desk import missed_at_least
from salon_web.services.service_menu import MAX_SERVICE_DAYS, had_service
from salon_web.services.money import format_money_input
from salon_web.texts import _l

PER_PAGE = 25
MAX_PER_PAGE = 100
PAGE_SIZES = (10, 25, 50, 100)  # the list's "Per page" menu (any size up to MAX_PER_PAGE is accepted)
MAX_QUERY_LENGTH = 100
MAX_TAGS = 20
MAX_DAYS = 36_500
MAX_PAGE = 100_000
MAX_VISITS = 1_000_000
BIGINT = 2**63

SORTS = ("last_visit", "total_spent", "visit_count", "name")
SORT_LABELS = {"last_visit": _l("Last visit"), "total_spent": _l("Total spent"), "visit_count": _l("Visits"),
               "name": _l("Name")}
DEFAULT_ORDER = {"last_visit": "desc", "total_spent": "desc", "visit_count": "desc", "name": "asc"}
TAG_MODES = ("any", "all")
ORDERS = ("asc", "desc")
# The parameters in the order their messages are listed.
FIELDS = ("q", "tags", "tag_mode", "min_visits", "min_spent", "days_since_last_visit", "min_missed", "service",
          "service_days", "sort", "order", "per_page", "page", "cursor")
MAX_MISSED = 1_000
SERVICE_DAYS = 90  # "had service S in the last N days" when no N is given
STALE_CURSOR = _l("That page link is out of date. Start again from the first page.")


def sort_column(sort):
    """Return the column a sort orders by."""
    return {
        "last_visit": SalonCustomer.last_visit_at,
        "total_spent": SalonCustomer.total_spent,
        "visit_count": SalonCustomer.visit_count,
        "name": SalonCustomer.name_search,
    }[sort]


@dataclasses.dataclass(frozen=True)
class Cursor:
    """A position in the list's ordering: the phase (0: has a sort value, 1: never came), value and id."""

    sort: str
    order: str
    direction: str  # "after" (next page) or "before" (previous page)
    phase: int
    value: object
    id: int

    def encode(self):
        """Return the opaque token for this position."""
        return paging.encode(self.sort, self.order, self.direction, self.phase, self.value, self.id)

    @classmethod
    def decode(cls, text):
        """Return the Cursor in `text`, or None when it is not one of ours."""
        try:
            return paging.decode(text, cls._build)
        except paging.BadCursor:
            return None

    @classmethod
    def _build(cls, sort, order, direction, phase, value, row_id):
        if sort not in SORTS or order not in ORDERS or direction not in ("after", "before"):
            raise ValueError("not a position of the customer list")
        paging.whole_number(phase, 0, 1)
        paging.whole_number(row_id, 1, MAX_ID)
        if phase == 1:
            if sort != "last_visit" or value is not None:
                raise ValueError("only customers who never came have no sort value")
        else:
            value = _typed_sort_value(sort, value)
        return cls(sort, order, direction, phase, value, row_id)


def _typed_sort_value(sort, value):
    """The cursor's sort value as its column holds it; ValueError or TypeError when no row could hold it.

    A cursor is text from the URL: a value out of the column's range (a huge number, a date at the
    ends of the calendar, an over-long name or one with NUL) would be a database error, not a page.
    """
    if sort == "last_visit":
        moment = paging.moment(value)
        if not in_date_range(moment):
            raise ValueError("last visit out of range")
        return moment
    if sort == "name":
        if not isinstance(value, str) or "\x00" in value or len(value) > SalonCustomer.name_search.max_length:
            raise TypeError("name cursor needs text the column can hold")
        return value
    return paging.whole_number(value, -BIGINT, BIGINT - 1)


@dataclasses.dataclass(frozen=True)
class CustomerFilter:
    """The list's parameters as typed values; `checked` completes them for a salon."""

    q: str = ""
    tags: tuple = ()
    tag_ids: tuple = ()
    tag_mode: str = "any"
    min_visits: int | None = None
    min_spent: int | None = None  # minor units of the salon's currency
    days_since_last_visit: int | None = None
    min_missed: int | None = None  # no-shows plus late cancellations (services/front_desk.py)
    service: int | None = None  # had this service of the menu (services/service_menu.py) ...
    service_days: int | None = None  # ... in the last this many days (SERVICE_DAYS when None)
    sort: str = "last_visit"
    order: str | None = None  # None: the sort's usual order
    per_page: int = PER_PAGE
    page: int | None = None
    cursor: Cursor | None = None
    currency: str = "RWF"

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
            "min_missed": self.min_missed,
            "service": self.service,
            "service_days": self.service_days if self.service is not None else None,
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
        """True when a search or a filter narrows the list."""
        return bool(self.q or self.tags or self.min_visits is not None or self.min_spent is not None
                    or self.days_since_last_visit is not None or self.min_missed is not None
                    or self.service is not None)

    def describe(self):
        """A JSON-able summary of the filter for the audit trail."""
        return {
            "q": self.q, "tags": list(self.tags), "tag_mode": self.tag_mode, "min_visits": self.min_visits,
            "min_spent": self.min_spent, "days_since_last_visit": self.days_since_last_visit,
            "min_missed": self.min_missed, "service": self.service, "service_days": self.service_days,
            "sort": self.sort, "order": self.order,
        }

    # -- SQL ------------------------------------------------------------------------------------
    def conditions(self, salon, now=None):
        """Return the peewee conditions a salon's customer must meet to match (unfiltered: every card not forgotten)."""
        conditions = [SalonCustomer.forgotten_at.is_null()]  # a forgotten client is found by no list, search or export
        if self.q:
            conditions.append(search_condition(self.q, salon.country))
        if self.tag_ids:
            conditions.append(_tag_condition(salon, self.tag_ids, self.tag_mode))
        if self.min_visits is not None:
            conditions.append(SalonCustomer.visit_count >= self.min_visits)
        if self.min_spent is not None:
            conditions.append(SalonCustomer.total_spent >= self.min_spent)
        if self.days_since_last_visit is not None:
            # "At least N days" in the salon's calendar: the last visit fell on or before that local day.
            day = local_today(salon.timezone, now) - datetime.timedelta(days=self.days_since_last_visit)
            conditions.append(SalonCustomer.last_visit_at < local_day_bounds(day, salon.timezone)[1])
        if self.min_missed:  # 0 keeps everyone: no condition
            conditions.append(SalonCustomer.id.in_(missed_at_least(salon, self.min_missed)))
        if self.service is not None:  # another salon's service id matches nobody: the subquery names this salon
            days = self.service_days if self.service_days is not None else SERVICE_DAYS
            conditions.append(SalonCustomer.id.in_(had_service(salon, self.service, days, now)))
        return conditions

    def matching(self, salon, *columns, now=None):
        """Return an unordered query of the salon's matching customers (all columns unless given)."""
        return SalonCustomer.in_salon(salon, *columns).where(*self.conditions(salon, now))

    def ordering(self, reverse=False):
        """ORDER BY terms of the full ordering (never-came last), optionally reversed."""
        column = sort_column(self.sort)
        descending = (self.order == "desc") != reverse
        # NULLS LAST rather than a CASE key in front: the same order, but PostgreSQL sorted 200,000 rows
        # by the CASE key about twice as slowly (the export's ORDER BY).
        nulls = ("FIRST" if reverse else "LAST") if self.sort == "last_visit" else None
        terms = [column.desc(nulls=nulls) if descending else column.asc(nulls=nulls)]
        terms.append(SalonCustomer.id.desc() if descending else SalonCustomer.id.asc())
        return terms


def _tag_condition(salon, tag_ids, mode):
    """EXISTS per tag (all) or one EXISTS over the tags (any): a probe of the unique
    (customer_id, tag_id) index per candidate row, so an index-ordered page stops after one page."""
    def has(ids):
        return fn.EXISTS(
            CustomerTag.in_salon(salon, SQL("1")).where(
                (CustomerTag.customer == SalonCustomer.id) & CustomerTag.tag.in_(list(ids))
            )
        )

    if mode == "all":
        condition = has([tag_ids[0]])
        for tag_id in tag_ids[1:]:
            condition &= has([tag_id])
        return condition
    return has(tag_ids)


class InvalidFilter(FieldErrors):
    """Values the salon's rules refuse; `usable` is the filter without them (the page still shows it)."""

    def __init__(self, errors, usable):
        super().__init__(errors)
        self.usable = usable


def checked(customer_filter, salon):
    """Return the filter completed for this salon (tag ids, order, currency); raise InvalidFilter."""
    errors = {}
    q = " ".join(customer_filter.q.split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = _l("Search for at most %(count)s characters.", count=MAX_QUERY_LENGTH)
        q = ""
    tags, tag_ids = _salon_tags_named(customer_filter.tags, salon, errors)
    order = customer_filter.order or DEFAULT_ORDER[customer_filter.sort]
    cursor, page = customer_filter.cursor, customer_filter.page
    if cursor is not None and (cursor.sort, cursor.order) != (customer_filter.sort, order):
        errors["cursor"] = STALE_CURSOR
        cursor = None
    if cursor is not None:
        page = None  # the cursor is the precise position; `page` is for clients without one
    completed = dataclasses.replace(customer_filter, q=q, tags=tags, tag_ids=tag_ids, order=order, page=page,
                                    cursor=cursor, currency=salon.currency)
    if errors:
        raise InvalidFilter(errors, completed)
    return completed


def _salon_tags_named(names, salon, errors):
    """Return (tags, their ids): the names tidied, each one a tag of this salon; else a message in `errors`."""
    tags = tuple(dict.fromkeys(" ".join(name.split()) for name in names if name.strip()))
    if len(tags) > MAX_TAGS:
        errors["tags"] = _l("Choose at most %(count)s tags.", count=MAX_TAGS)
        return (), ()
    if not tags:
        return (), ()
    found = dict(Tag.in_salon(salon, Tag.name, Tag.id).where(Tag.name.in_(tags)).tuples())
    unknown = [tag for tag in tags if tag not in found]
    if unknown:
        errors["tags"] = _l("No tag named %(tags)s in this salon.", tags=", ".join(f"“{tag}”" for tag in unknown))
        return (), ()
    return tags, tuple(found[tag] for tag in tags)


def in_field_order(errors):
    """Return the messages ordered as the parameters are (edge and rule messages merged)."""
    return {name: errors[name] for name in sorted(errors, key=lambda n: FIELDS.index(n) if n in FIELDS else 99)}
