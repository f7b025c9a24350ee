"""A customer's activity timeline: one stream, newest first, paged by keyset.

Sources: sales (with their items), voids of sales, appointments, communications and
audited edits of the card. Each source is read with its own keyset query on an index
that starts with the customer (or salon, object), limited to one page, and the pages
are merged; so opening a customer with 5,000 events costs what opening one with 5 does.

The stream's order is (at, kind rank, id) descending; a cursor is that triple.
"""
import heapq
import itertools

from peewee import SQL

from salon_web.models import Appointment, AuditEvent, CustomerCommunication, Sale, SaleItem, User
from salon_web.models.sales import VOIDED
from salon_web.services import paging
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


def _before(column, id_column, kind, cursor):
    """The keyset condition "this source's rows strictly after the cursor in newest-first order"."""
    if cursor is None:
        return SQL("1 = 1")
    at, rank, object_id = cursor
    own = KINDS[kind]
    if own < rank:
        return column <= at
    if own > rank:
        return column < at
    return (column < at) | ((column == at) & (id_column < object_id))


def _sales(customer, cursor, limit):
    query = Sale.in_salon(customer.salon_id).where((Sale.customer == customer)
                                                   & _before(Sale.sold_at, Sale.id, "sale", cursor))
    return [Event("sale", s.sold_at, s) for s in query.order_by(Sale.sold_at.desc(), Sale.id.desc()).limit(limit)]


def _voids(customer, cursor, limit):
    query = Sale.in_salon(customer.salon_id).where((Sale.customer == customer) & (Sale.status == VOIDED)
                                                   & Sale.voided_at.is_null(False)
                                                   & _before(Sale.voided_at, Sale.id, "void", cursor))
    return [Event("void", s.voided_at, s) for s in query.order_by(Sale.voided_at.desc(), Sale.id.desc()).limit(limit)]


def _appointments(customer, cursor, limit):
    query = Appointment.in_salon(customer.salon_id).where(
        (Appointment.customer == customer) & _before(Appointment.scheduled_at, Appointment.id, "appointment", cursor))
    rows = query.order_by(Appointment.scheduled_at.desc(), Appointment.id.desc()).limit(limit)
    return [Event("appointment", a.scheduled_at, a) for a in rows]


def _communications(customer, cursor, limit):
    model = CustomerCommunication
    query = model.in_salon(customer.salon_id).where(
        (model.customer == customer) & _before(model.created_at, model.id, "communication", cursor))
    return [Event("communication", c.created_at, c)
            for c in query.order_by(model.created_at.desc(), model.id.desc()).limit(limit)]


def _edits(customer, cursor, limit):
    query = AuditEvent.select().where(
        (AuditEvent.salon == customer.salon_id) & (AuditEvent.object_type == "customer")
        & (AuditEvent.object_id == str(customer.id)) & AuditEvent.action.in_(EDIT_ACTIONS)
        & _before(AuditEvent.at, AuditEvent.id, "edit", cursor))
    return [Event("edit", e.at, e) for e in query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)]


SOURCES = {"sale": _sales, "void": _voids, "appointment": _appointments,
           "communication": _communications, "edit": _edits}


def timeline_page(customer, *, kind="", cursor=None, per_page=PER_PAGE):
    """Return (events, next_cursor) for one page of the customer's timeline, newest first.

    `kind` is a key of FILTERS; `cursor` is a string from a previous page (or None).
    """
    position = parse_cursor(cursor)
    streams = [SOURCES[name](customer, position, per_page + 1) for name in FILTERS[kind]]
    merged = heapq.merge(*streams, key=lambda event: event.key, reverse=True)
    events = list(itertools.islice(merged, per_page + 1))
    has_more = len(events) > per_page
    events = events[:per_page]
    _attach_details(customer.salon_id, events)
    return events, (events[-1].cursor if has_more else None)


def _attach_details(salon_id, events):
    """Load the page's sale items and staff names in one query each (no N+1)."""
    sales = {e.id: e for e in events if e.kind == "sale"}
    if sales:
        for item in SaleItem.in_salon(salon_id).where(SaleItem.sale.in_(list(sales))).order_by(SaleItem.id):
            sales[item.sale_id].items.append(item)
    user_ids = {_user_id(e) for e in events} - {None}
    names = {}
    if user_ids:
        names = dict(User.select(User.id, User.name).where(User.id.in_(list(user_ids))).tuples())
    for event in events:
        event.user_name = names.get(_user_id(event))


USER_FIELDS = {"sale": "created_by", "void": "voided_by", "appointment": "employee",
               "communication": "sent_by", "edit": "user"}


def _user_id(event):
    return event.record.__data__.get(USER_FIELDS[event.kind])
