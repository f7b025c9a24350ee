"""Response and request schemas shared by several API areas. Explicit fields only: nothing leaks."""
import datetime

from pydantic import Field

from salon_web.api.framework import Schema, UtcDateTime


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[dict] | None = None


class SalonSummary(Schema):
    id: int
    name: str
    country: str
    timezone: str
    currency: str
    role: str


class Me(Schema):
    id: int
    email: str
    name: str
    is_admin: bool
    salons: list[SalonSummary]


class TokenInfo(Schema):
    id: int
    name: str
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None


class CustomerSummary(Schema):
    """A customer as the list shows it."""

    id: int
    full_name: str
    phone: str | None
    email: str | None
    birthday: datetime.date | None
    visit_count: int
    total_spent: int = Field(description="Minor units of `currency`")
    currency: str
    first_visit_at: UtcDateTime | None
    last_visit_at: UtcDateTime | None
    tags: list[str]
    follow_up_on: datetime.date | None
