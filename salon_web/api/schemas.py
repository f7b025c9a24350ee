"""Response and request schemas shared by several API areas. Explicit fields only: nothing leaks."""
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
