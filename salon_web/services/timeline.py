"""A customer's activity timeline: one stream, newest first, paged by keyset.

Sources: sales (with their items), voids of sales, appointments, communications and
audited edits of the card. Each source is a keyset branch on an index that starts with the
customer (or salon, object), limited to one page; the branches are ONE `UNION ALL` statement
ordered and limited once, so opening a customer with 5,000 events costs what opening one with
5 does. The page's rows are then read by id (one query per kind of record shown) and its sale
items by the loader the sales page and API use (services/sales.items_by_sale_query), all in one
round trip (one_trip).

The stream's order is (at, kind rank, id) descending; a cursor is that triple.
"""
from salon_web import one_trip
from salon_web.models import Appointment, AuditEvent, CustomerCommunication, Sale, User
from salon_web.models.base import rows_by_id_query
from salon_web.models.sales import VOIDED
from salon_web.services import paging
from salon_web.services.sales import items_by_sale_query
from salon_web.texts import _l

PER_PAGE = 20
# Kind rank breaks ties between events at the same second; it is part of the cursor.
KINDS = {"sale": 5, "void": 4, "appointment": 3, "communication": 2, "edit": 1}
KIND_LABELS = {"sale": _l("Sales"), "void": _l("Voids"), "appointment": _l("Appointments"),
               "communication": _l("Messages"), "edit": _l("Edits")}
FILTERS = {"": tuple(KINDS), "sale": ("sale", "void"), "appointment": ("appointment",),
           "communication": ("communication",), "edit": ("edit",)}
FILTER_LABELS = {"": _l("Everything"), "sale": _l("Sales"), "appointment": _l("Appointments"),
                 "communication": _l("Messages"), "edit": _l("Edits")}
# Labels of values stored in the database (the values themselves are never translated).
APPOINTMENT_STATUS_LABELS = {"scheduled": _l("scheduled"), "confirmed": _l("confirmed"), "completed": _l("completed"),
                             "cancelled": _l("cancelled"), "no_show": _l("no-show")}
APPOINTMENT_STATUS_TITLES = {"scheduled": _l("Scheduled"), "confirmed": _l("Confirmed"), "completed": _l("Completed"),
                             "cancelled": _l("Cancelled"), "no_show": _l("No-show")}
WIDGET_LABELS = {"contact": _l("contact details"), "notes": _l("notes"), "preferences": _l("preferences"),
                 "follow_up": _l("follow-up"), "communication": _l("communication preferences"), "tags": _l("tags"),
                 "api": _l("API")}
FIELD_LABELS = {"full_name": _l("name"), "phone": _l("phone"), "phone_e164": _l("phone (international)"),
                "email": _l("email"), "birthday": _l("birthday"), "notes": _l("notes"),
                "preferences": _l("preferences"), "follow_up_on": _l("follow-up date"),
                "communication_preferences": _l("accepted channels"), "marketing_consent_at": _l("consent given"),
                "marketing_consent_withdrawn_at": _l("consent withdrawn")}

# What every row of a kind says, translated once per table (the template fills in the values: `word.sale % {...}`).
ROW_WORDS = {"sale": _l("Sale · <strong>%(amount)s</strong>"), "appointment": _l("Appointment · %(service)s"),
             "status_on": _l("%(status)s on %(moment)s"), "with": _l("with %(name)s"), "by": _l("by %(name)s")}


def field_list(fields):
    """The edited fields of an audited edit as one comma-separated text in the request's language."""
    return ", ".join(str(FIELD_LABELS.get(name, name.replace("_", " "))) for name in fields or ())


EDIT_ACTIONS = ("customer.created", "customer.updated", "customer.tags")


class BadCursor(ValueError):
    pass


class Event:
    """One line of the timeline."""

    __slots__ = ("kind", "at", "id", "record", "items", "user_name")

    def __init__(self, kind, at, record):
        self.kind, self.at, self.id, self.record = kind, at, record.id, record
        self.items, self.user_name = [], None

    @property
    def key(self):
        return (self.at, KINDS[self.kind], self.id)

    @property
    def cursor(self):
        """The token of this event's position (the paging codec's, like every list's)."""
        return paging.encode(self.at, KINDS[self.kind], self.id)


def parse_cursor(text):
    """Return (at, rank, id) from a cursor string, or None for an empty one; raise BadCursor."""
    if not text:
        return None
    try:
        return paging.decode(text, _position)
    except paging.BadCursor as error:
        raise BadCursor(_l("That page link is not valid.")) from error


def _position(at, rank, object_id):
    """The typed position of a timeline token; ValueError or TypeError when it is not one."""
    if paging.whole_number(rank, 0, max(KINDS.values())) not in KINDS.values():
        raise ValueError("no kind of event has this rank")
    return paging.moment(at), rank, paging.whole_number(object_id, 0, 2**62)


# Each kind's keyset branch, written once (composing five selects with peewee cost more than running them):
# (table, moment column, the kind's own conditions after salon and customer).
_BRANCHES = {
    "sale": ("sale", "sold_at", ""),
    "void": ("sale", "voided_at", ' AND "status" = ? AND "voided_at" IS NOT NULL'),
    "appointment": ("appointment", "scheduled_at", ""),
    "communication": ("customer_communication", "created_at", ""),
    "edit": ("audit_event", "at", ""),
}


def _branch(kind, customer, cursor, limit):
    """(SQL, params) of one kind's next `limit` events after the cursor, newest first, as (at, id)."""
    table, at, extra = _BRANCHES[kind]
    params = [customer.salon_id]
    if kind == "edit":  # audited edits name the card as their object
        mine = '"object_type" = ? AND "object_id" = ? AND "action" IN (?, ?, ?)'
        params += ["customer", str(customer.id), *EDIT_ACTIONS]
    else:
        mine = '"customer_id" = ?'
        params.append(customer.id)
    if kind == "void":
        params.append(VOIDED)
    after = ""
    if cursor is not None:  # strictly after the cursor in the stream's (at, rank, id) descending order
        moment, rank, object_id = cursor
        moment = MODELS[kind]._meta.fields[AT_FIELDS[kind]].db_value(moment)
        own = KINDS[kind]
        if own < rank:  # at the cursor's moment, a lower rank comes after it
            after, params = f' AND "{at}" <= ?', params + [moment]
        elif own > rank:
            after, params = f' AND "{at}" < ?', params + [moment]
        else:
            after, params = f' AND ("{at}" < ? OR ("{at}" = ? AND "id" < ?))', params + [moment, moment, object_id]
    sql = (f'SELECT "{at}", "id" FROM "{table}" WHERE "salon_id" = ? AND {mine}{extra}{after} '
           f'ORDER BY "{at}" DESC, "id" DESC LIMIT {int(limit)}')
    return sql, params


def positions_query(customer, kind="", cursor=None, per_page=PER_PAGE):
    """A Query of [(kind, at, id)]: the page's events (and one more, which says a next page exists), newest first.

    ONE UNION ALL statement: each branch is its own keyset query on an index that starts with the customer (or
    salon, object), limited to the page, so it reads at most a page of rows per kind whatever the history's
    length. `kind` is a key of FILTERS; `cursor` a string from a previous page (or None); raise BadCursor.
    """
    position, limit = parse_cursor(cursor), per_page + 1
    parts, params = [], []
    for index, branch_kind in enumerate(FILTERS[kind]):
        sql, branch_params = _branch(branch_kind, customer, position, limit)
        parts.append(f"SELECT {KINDS[branch_kind]} AS kind_rank, t{index}.* FROM ({sql}) AS t{index}")
        params.extend(branch_params)
    # Each branch yields (kind_rank, its moment, id): the stream's order is (at, rank, id) descending.
    text = " UNION ALL ".join(parts) + f" ORDER BY 2 DESC, 1 DESC, 3 DESC LIMIT {int(limit)}"
    types = ("INTEGER", *one_trip.sql_types([Sale.sold_at]), "INTEGER")
    return one_trip.Query(text, params, types, _typed_positions, fixed=True)


_KIND_OF = {rank: kind for kind, rank in KINDS.items()}


def _typed_positions(rows):
    found = []
    for rank, at, object_id in rows:
        kind = _KIND_OF[rank]
        found.append((kind, MODELS[kind]._meta.fields[AT_FIELDS[kind]].python_value(at), object_id))
    return found


AT_FIELDS = {"sale": "sold_at", "void": "voided_at", "appointment": "scheduled_at", "communication": "created_at",
             "edit": "at"}
MODELS = {"sale": Sale, "void": Sale, "appointment": Appointment, "communication": CustomerCommunication,
          "edit": AuditEvent}


def timeline_page(customer, *, kind="", cursor=None, per_page=PER_PAGE, known_names=None):
    """Return (events, next_cursor) for one page of the customer's timeline, newest first.

    `kind` is a key of FILTERS; `cursor` is a string from a previous page (or None); `known_names` ({user id:
    name}, e.g. the salon's staff the card lists anyway) spares looking those users up.
    """
    found = one_trip.fetch_one(positions_query(customer, kind, cursor, per_page))
    return events_page(customer, found, per_page, known_names)


def events_page(customer, found, per_page=PER_PAGE, known_names=None):
    """(events, next_cursor) of the positions `positions_query` found: their rows and sale items in one trip."""
    has_more = len(found) > per_page
    found = found[:per_page]
    wanted = {model: set() for model in MODELS.values()}  # in MODELS' order: one statement text per set of kinds
    for kind, _, object_id in found:
        wanted[MODELS[kind]].add(object_id)
    sale_ids = [object_id for kind, _, object_id in found if kind == "sale"]
    salon_id = customer.salon_id
    *loaded, items = one_trip.fetch(*(rows_by_id_query(model, salon_id, sorted(ids)) for model, ids in wanted.items()),
                                    items_by_sale_query(salon_id, sale_ids))
    records = {(row.__class__, row.id): row for rows in loaded for row in rows}
    events = [Event(kind, at, records[MODELS[kind], object_id]) for kind, at, object_id in found]
    for event in events:
        if event.kind == "sale":
            event.items = items.get(event.id, [])
    _attach_names(events, known_names or {})
    return events, (events[-1].cursor if has_more else None)


def _attach_names(events, known_names):
    """Name each event's member of staff; people no longer (or never) on the staff are looked up, in one query."""
    user_ids = {_user_id(e) for e in events} - {None} - set(known_names)
    names = dict(known_names)
    if user_ids:  # an admin, a former employee
        names.update(User.select(User.id, User.name).where(User.id.in_(list(user_ids))).tuples())
    for event in events:
        event.user_name = names.get(_user_id(event))


USER_FIELDS = {"sale": "created_by", "void": "voided_by", "appointment": "employee",
               "communication": "sent_by", "edit": "user"}


def _user_id(event):
    return event.record.__data__.get(USER_FIELDS[event.kind])
