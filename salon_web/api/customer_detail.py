"""One customer: the card's figures, updating its named fields with the version check, tags, timeline."""
import datetime
from typing import Annotated, Literal

from flask import request
from pydantic import Field

from salon_web.api import bp
from salon_web.api.framework import MAX_ID, Schema, UtcDateTime, operation
from salon_web.api.problems import ApiProblem, service_errors
from salon_web.api.schemas import CustomerSummary
from salon_web.models import SalonCustomer
from salon_web.models.customers import CHANNELS
from salon_web.security import client_ip
from salon_web.services import customer_edit, follow_ups, paging, timeline
from salon_web.services.clock import local_today
from salon_web.services.customer_create import birthday_problem
from salon_web.services.customer_edit import (
    EXTRA_MAX_ENTRIES, NOTES_MAX, PREFERENCE_TEXT_MAX, TAG_MAX, WEEKDAYS,
    CommunicationChoices, EditConflict, FollowUpChoice,
)
from salon_web.services.field_errors import FieldErrors
from salon_web.texts import _l

Channel = Literal[CHANNELS]
TagName = Annotated[str, Field(min_length=1, max_length=TAG_MAX)]
Weekday = Literal[WEEKDAYS]


def customer_in_salon(salon, customer_id):
    """This salon's customer; NotInSalon answers 404 (another salon's customer is not revealed)."""
    return SalonCustomer.get_in_salon(salon, customer_id)


class Preferences(Schema):
    preferred_employee: int | None = Field(None, ge=1, le=MAX_ID, description="User id of a member of the salon's staff")
    allergies: str | None = Field(None, max_length=PREFERENCE_TEXT_MAX)
    special_requests: str | None = Field(None, max_length=PREFERENCE_TEXT_MAX)
    preferred_times: str | None = Field(None, max_length=PREFERENCE_TEXT_MAX)
    preferred_days: list[Weekday] = Field(default_factory=list, max_length=7)
    extra: dict[str, str] = Field(default_factory=dict, max_length=EXTRA_MAX_ENTRIES,
                                  description="Free entries: name -> value")


class PreferencesOut(Schema):
    preferred_employee: int | None
    allergies: str | None
    special_requests: str | None
    preferred_times: str | None
    preferred_days: list[str]
    extra: dict[str, str]


class CustomerDetail(CustomerSummary):
    """The list's summary plus the card: figures, notes, preferences, consent, the version to PATCH with."""

    average_ticket: int | None = Field(description="Minor units")
    usual_interval_days: int | None
    notes: str
    preferences: PreferencesOut
    communication_preferences: list[str]
    marketing_consent: bool
    marketing_consent_at: UtcDateTime | None
    marketing_consent_withdrawn_at: UtcDateTime | None
    version: int = Field(description="Send it back with PATCH (optimistic lock)")
    created_at: UtcDateTime
    updated_at: UtcDateTime | None


def _preferences(customer):
    stored = customer.preferences or {}
    employee = stored.get("preferred_employee")
    days = stored.get("preferred_days")
    return {
        "preferred_employee": employee if isinstance(employee, int) and not isinstance(employee, bool) else None,
        **{key: (str(stored[key]) if stored.get(key) is not None else None)
           for key in ("allergies", "special_requests", "preferred_times")},
        "preferred_days": [d for d in days if isinstance(d, str)] if isinstance(days, list) else [],
        "extra": {str(k): "" if v is None else str(v) for k, v in customer_edit.extra_preferences(customer).items()},
    }


def customer_detail(salon, customer):
    """The explicit fields of the customer card (nothing else of the row, nothing of other salons)."""
    return {
        "id": customer.id, "full_name": customer.full_name, "phone": customer.phone, "email": customer.email,
        "birthday": customer.birthday, "visit_count": customer.visit_count, "total_spent": customer.total_spent,
        "currency": salon.currency, "first_visit_at": customer.first_visit_at, "last_visit_at": customer.last_visit_at,
        **customer_edit.header_figures(customer),
        "tags": [tag.name for tag in customer_edit.customer_tags(customer)],
        "notes": customer.notes or "", "preferences": _preferences(customer), "follow_up_on": customer.follow_up_on,
        "communication_preferences": list(customer.communication_preferences or []),
        "marketing_consent": bool(customer.has_marketing_consent),
        "marketing_consent_at": customer.marketing_consent_at,
        "marketing_consent_withdrawn_at": customer.marketing_consent_withdrawn_at,
        "version": customer.version, "created_at": customer.created_at, "updated_at": customer.updated_at,
    }


@operation(bp, "GET", "/salons/<int:salon_id>/customers/<int:customer_id>", summary="One customer",
           response=CustomerDetail)
def get_customer(user, salon, customer_id):
    """The customer card: contact, figures, tags, notes, preferences, follow-up, consent and version."""
    return customer_detail(salon, customer_in_salon(salon, customer_id))


class CustomerUpdate(Schema):
    """Only these fields can change; visit figures never can. Omitted fields stay as they are."""

    version: int = Field(ge=0, le=MAX_ID, description="The version you read; 409 if someone saved since")
    notes: str | None = Field(None, max_length=NOTES_MAX)
    preferences: Preferences | None = None
    birthday: datetime.date | None = None
    follow_up_on: datetime.date | None = None
    communication_preferences: list[Channel] | None = Field(None, max_length=len(CHANNELS))
    marketing_consent: bool | None = None


def _changes(salon, customer, body):
    """Return the column changes the body asks for, checked by the card widgets' own rules; raise FieldErrors."""
    today, given = local_today(salon.timezone), body.model_fields_set
    checks = []
    if "notes" in given:
        checks.append(("", lambda: customer_edit.notes_changes(body.notes or "")))
    if "preferences" in given:
        checks.append(("preferences.", lambda: customer_edit.preferences_changes(salon, _typed(body.preferences))))
    if "birthday" in given:
        checks.append(("", lambda: _birthday_changes(body.birthday, today)))
    if "follow_up_on" in given:
        choice = FollowUpChoice(day=body.follow_up_on, clear=body.follow_up_on is None)
        checks.append(("", lambda: customer_edit.follow_up_changes(choice, today=today)))
    if "communication_preferences" in given or "marketing_consent" in given:
        checks.append(("", lambda: customer_edit.communication_changes(customer, _choices(customer, body))))
    changes, errors = {}, {}
    for prefix, check in checks:
        try:
            changes.update(check())
        except FieldErrors as refused:
            errors.update({prefix + field: message for field, message in refused.errors.items()})
    if errors:
        raise FieldErrors(errors)
    return changes


def _typed(preferences):
    p = preferences or Preferences()
    return customer_edit.Preferences(
        preferred_employee=p.preferred_employee, allergies=p.allergies or "", special_requests=p.special_requests or "",
        preferred_times=p.preferred_times or "", preferred_days=tuple(p.preferred_days), extra=tuple(p.extra.items()))


def _birthday_changes(birthday, today):
    problem = birthday_problem(birthday, today=today)
    if problem:
        raise FieldErrors({"birthday": problem})
    return {"birthday": birthday}


def _choices(customer, body):
    """The channels and consent after the PATCH: what it names, else what the customer has."""
    channels = body.communication_preferences
    consent = body.marketing_consent
    return CommunicationChoices(
        channels=tuple(channels if channels is not None else customer.communication_preferences or ()),
        marketing_consent=consent if consent is not None else bool(customer.has_marketing_consent))


@operation(bp, "PATCH", "/salons/<int:salon_id>/customers/<int:customer_id>", summary="Update a customer",
           body=CustomerUpdate, response=CustomerDetail)
def update_customer(user, salon, customer_id, body):
    """Update notes, preferences, birthday, follow-up date and communication preferences; 409 on a stale version."""
    customer = customer_in_salon(salon, customer_id)
    try:
        customer = customer_edit.apply_changes(customer, _changes(salon, customer, body), expected_version=body.version,
                                               widget="api", user=user.id, ip=client_ip(request))
    except FieldErrors as refused:
        raise service_errors(refused.errors, "body")
    except EditConflict as conflict:
        raise ApiProblem(409, _l("Someone saved this customer since version %(version)s; it is now at version "
                                 "%(current)s. Read it again and reapply your change.", version=body.version,
                                 current=conflict.current.version))
    return customer_detail(salon, customer)


class TagsInput(Schema):
    """`tags` (a list) and/or `tag` (one name); sending neither changes nothing."""

    tags: list[TagName] | None = Field(None, max_length=20)
    tag: TagName | None = None

    def names(self):
        return list(dict.fromkeys((self.tags or []) + ([self.tag] if self.tag else [])))


class TagList(Schema):
    tags: list[str]


@operation(bp, "POST", "/salons/<int:salon_id>/customers/<int:customer_id>/tags", summary="Add tags",
           body=TagsInput, response=TagList)
def add_tags(user, salon, customer_id, body):
    """Attach tags by name (created for the salon if new)."""
    customer = customer_in_salon(salon, customer_id)
    for name in body.names():
        try:
            customer_edit.add_customer_tag(salon, customer, name, user=user.id, ip=client_ip(request))
        except FieldErrors as refused:
            raise service_errors(refused.errors, "body")
    return {"tags": [tag.name for tag in customer_edit.customer_tags(customer)]}


@operation(bp, "DELETE", "/salons/<int:salon_id>/customers/<int:customer_id>/tags", summary="Remove tags",
           body=TagsInput, response=TagList)
def remove_tags(user, salon, customer_id, body):
    """Detach tags by name; a tag the customer does not have is ignored."""
    customer = customer_in_salon(salon, customer_id)
    for name in body.names():
        customer_edit.remove_customer_tag(salon, customer, name, user=user.id, ip=client_ip(request))
    return {"tags": [tag.name for tag in customer_edit.customer_tags(customer)]}


class TimelineQuery(Schema):
    kind: Literal["sale", "appointment", "communication", "edit"] | None = None
    cursor: str | None = Field(None, min_length=1, max_length=100, pattern=paging.PATTERN, description="`nextCursor` of the previous page")
    limit: int = Field(timeline.PER_PAGE, ge=1, le=100)


class TimelineItem(Schema):
    description: str
    quantity: int
    unit_price: int


class TimelineEvent(Schema):
    kind: Literal["sale", "void", "appointment", "communication", "edit"]
    id: int
    at: UtcDateTime
    by: str | None = Field(description="Name of the staff member")
    status: str | None = None
    amount: int | None = Field(None, description="Minor units")
    title: str | None = None
    items: list[TimelineItem] = Field(default_factory=list)
    fields: list[str] = Field(default_factory=list, description="Edited fields (edits)")


class TimelinePage(Schema):
    data: list[TimelineEvent]
    next_cursor: str | None


def _event(event):
    record = event.record
    shown = {"kind": event.kind, "id": event.id, "at": event.at, "by": event.user_name}
    if event.kind in ("sale", "void"):
        shown.update(status=record.status, amount=record.total,
                     items=[{"description": i.description, "quantity": i.quantity, "unit_price": i.unit_price}
                            for i in event.items])
        if event.kind == "void":
            shown["title"] = getattr(record, "void_reason", None)
    elif event.kind == "appointment":
        shown.update(status=record.status, amount=record.price, title=record.service_name)
    elif event.kind == "communication":
        shown.update(status=record.status, title=f"{record.type} · {record.purpose}"
                     + (f": {record.subject}" if record.subject else ""))
    else:
        detail = record.detail or {}
        fields = detail.get("fields") if isinstance(detail.get("fields"), list) else []
        if detail.get("widget") == "tags":
            fields = ["tags"]
        shown.update(title=record.action, fields=[str(f) for f in fields])
    return shown


@operation(bp, "GET", "/salons/<int:salon_id>/customers/<int:customer_id>/timeline", summary="A customer's timeline",
           query=TimelineQuery, response=TimelinePage)
def customer_timeline(user, salon, customer_id, query):
    """Sales, voids, appointments, messages and edits, newest first, with a keyset cursor."""
    customer = customer_in_salon(salon, customer_id)
    try:
        events, next_cursor = timeline.timeline_page(customer, kind=query.kind or "", cursor=query.cursor,
                                                     per_page=query.limit)
    except timeline.BadCursor as error:
        raise ApiProblem(422, str(error), errors=[{"field": "cursor", "in": "query", "message": str(error)}])
    return {"data": [_event(event) for event in events], "next_cursor": next_cursor}
