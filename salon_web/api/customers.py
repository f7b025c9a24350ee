"""The customer list, its CSV export and creating a customer.

The list accepts the HTML parameters and the original system's names; both build the list's
typed `CustomerFilter` directly and the salon's rules check it, so filtering, sorting and paging
are the HTML list's own.
"""
import datetime
import math
from typing import Annotated, Literal

from flask import request
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.datastructures import MultiDict

from salon_web.api import bp
from salon_web.api.framework import MAX_ID, Schema, operation
from salon_web.api.customer_detail import CustomerDetail, customer_detail
from salon_web.api.problems import ApiProblem, service_errors
from salon_web.api.schemas import CustomerSummary
from salon_web.i18n import current_language
from salon_web.models import SalonCustomer
from salon_web.security import client_ip
from salon_web.services import export
from salon_web.services.clock import local_today
from salon_web.services.customer_create import DuplicateCustomer, create_customer, parse_contact
from salon_web.services.customer_filter import (
    MAX_DAYS, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_LENGTH, PER_PAGE, STALE_CURSOR, Cursor, CustomerFilter,
    InvalidFilter, checked, in_field_order,
)
from salon_web.services.customer_page import count_matching, customer_page
from salon_web.services.money import InvalidAmount, parse_money
from salon_web.services.customer_filter import MAX_MISSED
from salon_web.services.service_menu import MAX_SERVICE_DAYS
from salon_web.tenancy import MANAGERS
from salon_web.texts import _l

ORIGINAL_SORTS = {"lastVisit": "last_visit", "totalSpent": "total_spent", "visitCount": "visit_count", "name": "name"}


class CustomerListQuery(BaseModel):
    """The list's parameters: the HTML names and the original system's names."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(None, min_length=1, max_length=MAX_QUERY_LENGTH, description="Name, phone or e-mail")
    search: str | None = Field(None, min_length=1, max_length=MAX_QUERY_LENGTH, description="Original name of `q`")
    tags: list[Annotated[str, Field(min_length=1)]] | None = Field(None, max_length=20, description="Repeatable; a value with commas is split")
    tag_mode: Literal["any", "all"] | None = None
    min_visits: int | None = Field(None, ge=0, le=1_000_000)
    minVisits: int | None = Field(None, ge=0, le=1_000_000)
    min_spent: str | None = Field(None, max_length=30, pattern=r"^ *[0-9]{1,12}([.,][0-9]{1,3})? *$", description="In the salon's currency, major units (e.g. 150.50)")
    minSpent: str | None = Field(None, max_length=30, pattern=r"^ *[0-9]{1,12}([.,][0-9]{1,3})? *$", description="Original name of `min_spent`")
    days_since_last_visit: int | None = Field(None, ge=0, le=MAX_DAYS)
    daysSinceLastVisit: int | None = Field(None, ge=0, le=MAX_DAYS)
    min_missed: int | None = Field(None, ge=0, le=MAX_MISSED, description="No-shows plus late cancellations, at least")
    service: int | None = Field(None, ge=1, le=MAX_ID, description="Had this service of the menu ...")
    service_days: int | None = Field(None, ge=1, le=MAX_SERVICE_DAYS, description="... in the last N days (default 90)")
    sort: Literal["last_visit", "total_spent", "visit_count", "name"] | None = None
    sortBy: Literal["lastVisit", "totalSpent", "visitCount", "name"] | None = None
    order: Literal["asc", "desc"] | None = None
    sortOrder: Literal["ASC", "DESC", "asc", "desc"] | None = None
    per_page: int | None = Field(None, ge=1, le=MAX_PER_PAGE)
    limit: int | None = Field(None, ge=1, le=MAX_PER_PAGE, description="Original name of `per_page`")
    page: int | None = Field(None, ge=1, le=MAX_PAGE, description="OFFSET paging; `cursor` is faster")
    cursor: str | None = Field(None, min_length=1, max_length=500, description="`nextCursor` of the previous page")

    def proposed_filter(self, currency, errors):
        """Return the CustomerFilter these parameters ask for (HTML names win); messages for what does not parse."""
        tags = [part.strip() for value in (self.tags or []) for part in value.split(",") if part.strip()]
        order = self.order or (self.sortOrder.lower() if self.sortOrder else None)
        min_spent = self.min_spent if self.min_spent is not None else self.minSpent
        cursor = Cursor.decode(self.cursor) if self.cursor else None
        if self.cursor and cursor is None:
            errors["cursor"] = STALE_CURSOR
        return CustomerFilter(
            q=self.q if self.q is not None else self.search or "", tags=tuple(tags), tag_mode=self.tag_mode or "any",
            min_visits=_first(self.min_visits, self.minVisits), min_spent=_money(min_spent, currency, errors),
            days_since_last_visit=_first(self.days_since_last_visit, self.daysSinceLastVisit),
            min_missed=self.min_missed, service=self.service, service_days=self.service_days,
            sort=self.sort or ORIGINAL_SORTS.get(self.sortBy or "", "last_visit"), order=order,
            per_page=_first(self.per_page, self.limit) or PER_PAGE, page=self.page, cursor=cursor,
        )


def _first(*values):
    return next((v for v in values if v is not None), None)


def _money(text, currency, errors):
    """Minor units of an amount typed in major units; a message in `errors` when it is not one."""
    if not (text or "").strip():
        return None
    try:
        return parse_money(text, currency)
    except InvalidAmount as error:
        errors["min_spent"] = str(error)
        return None


ORIGINAL_NAMES = {"q": "search", "min_visits": "minVisits", "min_spent": "minSpent",
                  "days_since_last_visit": "daysSinceLastVisit", "sort": "sortBy", "order": "sortOrder",
                  "per_page": "limit"}


def customer_filter_for(query, salon):
    """The checked CustomerFilter for the query, or a 422 problem naming the bad parameters."""
    errors = {}
    try:
        customer_filter = checked(query.proposed_filter(salon.currency, errors), salon)
    except InvalidFilter as refused:
        errors.update(refused.errors)
    if errors:
        raise ApiProblem(422, _l("The filter is not valid."), errors=[
            {"field": name if getattr(query, name, None) is not None or name not in ORIGINAL_NAMES
             else ORIGINAL_NAMES[name], "in": "query", "message": message}
            for name, message in in_field_order(errors).items()])
    return customer_filter


class CustomerList(Schema):
    data: list[CustomerSummary]
    total: int = Field(description="Exact number of matching customers")
    page: int | None = Field(description="Page number (OFFSET paging); null when a cursor was used")
    limit: int
    total_pages: int
    next_cursor: str | None
    previous_cursor: str | None


@operation(bp, "GET", "/salons/<int:salon_id>/customers", summary="List customers (filters, sorting, paging)",
           query=CustomerListQuery, response=CustomerList)
def list_customers(user, salon, query):
    """The salon's customers matching the filter, a page at a time (HTML or original parameter names)."""
    customer_filter = customer_filter_for(query, salon)
    page = customer_page(customer_filter, salon, with_total=False)
    # The HTML list caps its count at COUNT_CAP; the original API reports the exact total and page count.
    total = count_matching(customer_filter, salon, cap=None)
    ids = [c.id for c in page.customers]
    extra = {row[0]: row[1:] for row in SalonCustomer.in_salon(
        salon, SalonCustomer.id, SalonCustomer.birthday, SalonCustomer.follow_up_on
    ).where(SalonCustomer.id.in_(ids)).tuples()} if ids else {}
    data = [
        {"id": c.id, "full_name": c.full_name, "phone": c.phone, "email": c.email, "birthday": extra[c.id][0],
         "visit_count": c.visit_count, "total_spent": c.total_spent, "currency": salon.currency,
         "first_visit_at": c.first_visit_at, "last_visit_at": c.last_visit_at, "tags": page.tags.get(c.id, []),
         "follow_up_on": extra[c.id][1]}
        for c in page.customers
    ]
    return {
        "data": data, "total": total,
        "page": customer_filter.page or (None if customer_filter.cursor else 1),
        "limit": customer_filter.per_page, "total_pages": math.ceil(total / customer_filter.per_page),
        "next_cursor": page.next_cursor, "previous_cursor": page.previous_cursor,
    }


@operation(bp, "GET", "/salons/<int:salon_id>/customers/export", summary="Export matching customers as CSV",
           query=CustomerListQuery, roles=MANAGERS, produces="text/csv")
def export_customers(user, salon, query):
    """The customers matching the list's filter as CSV, streamed (owners and admins; audited)."""
    from salon_web.views.customers import csv_response

    customer_filter = customer_filter_for(query, salon)
    rows = export.stream_csv(customer_filter, salon, user=user.id, ip=client_ip(request), language=current_language())
    return csv_response(rows, export.file_name(salon))


class CustomerCreate(Schema):
    full_name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    birthday: datetime.date | None = None
    allow_shared_email: bool = Field(False, description="Create even if another customer of the salon has this e-mail")


def create_customer_payload(values):
    """The form values parse_contact reads, from the API body."""
    return MultiDict({"full_name": values.full_name, "phone": values.phone or "", "email": values.email or "",
                      "birthday": values.birthday.isoformat() if values.birthday else ""})


@operation(bp, "POST", "/salons/<int:salon_id>/customers", summary="Create a customer", body=CustomerCreate,
           response=CustomerDetail, status=201)
def create_customer_api(user, salon, body):
    """Create this salon's customer; a possible duplicate in this salon is refused with 409."""
    values, errors = parse_contact(salon, create_customer_payload(body), today=local_today(salon.timezone))
    if errors:
        raise service_errors(errors, "body")
    try:
        customer = create_customer(salon, values, user=user.id, ip=client_ip(request),
                                   allow_shared_email=body.allow_shared_email)
    except DuplicateCustomer as duplicate:
        raise ApiProblem(409, _l("This salon already has a customer with this phone or e-mail. Send allowSharedEmail to "
                                 "create anyway.") if duplicate.can_override
                         else _l("This salon already has a customer with this phone or e-mail."),
                         errors=[{"field": "phone" if values["phone_e164"] and m.phone_e164 == values["phone_e164"]
                                  else "email", "in": "body",
                                  "message": _l("Same as customer %(id)s (%(name)s)", id=m.id, name=m.full_name)}
                                 for m in duplicate.matches])
    return customer_detail(salon, customer), 201
