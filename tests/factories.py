"""Small builders for test data: salons, staff, customers. Fast and explicit."""
import itertools

from salon_web.models import Membership, Salon, User
from salon_web.services.customers import add_tag, create_salon_customer, ensure_tag
from salon_web.services.passwords import hash_password
from salon_web.services.phones import normalize_phone

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashing once keeps per-test setup fast
_sequence = itertools.count(1)


def make_salon(name="Kigali Glow", country="RW", timezone="Africa/Kigali", currency="RWF", **fields):
    slug = fields.pop("slug", None) or f"salon-{next(_sequence)}"
    return Salon.create(name=name, slug=slug, country=country, timezone=timezone, currency=currency, **fields)


def make_user(email=None, *, name="Staff Member", is_admin=False, salon=None, role=None, **fields):
    user = User.create(
        email=email or f"user{next(_sequence)}@example.com",
        name=name,
        is_admin=is_admin,
        password_hash=_PASSWORD_HASH,
        **fields,
    )
    if salon is not None:
        Membership.create(salon=salon, user=user, role=role or "employee")
    return user


def make_customer(salon, full_name="Aline Uwase", *, phone=None, email=None, tags=(), **fields):
    """Create a salon's customer; `phone` is typed as staff would, in the salon's country."""
    phone_e164 = normalize_phone(phone, salon.country) if phone else None
    customer = create_salon_customer(
        salon, full_name=full_name, phone=phone, phone_e164=phone_e164, email=email, **fields
    )
    for name in tags:
        add_tag(customer, ensure_tag(salon, name))
    return customer
