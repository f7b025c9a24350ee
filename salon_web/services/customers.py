"""Creating customers: one shared identity per person, one private record per salon."""
from peewee import IntegrityError

from salon_web.db import db
from salon_web.models import Customer, CustomerTag, SalonCustomer, Tag
from salon_web.services.auth import normalize_email
from salon_web.services.text import fold


def find_or_create_identity(phone_e164, email):
    """Return the shared identity for this phone (else email), creating it if new.

    Only the identity row is touched: nothing another salon recorded is read.
    """
    email = normalize_email(email) or None
    if phone_e164:
        identity = Customer.get_or_none(Customer.phone_e164 == phone_e164)
        if identity is None:
            try:
                with db.atomic():
                    return Customer.create(phone_e164=phone_e164, email=email)
            except IntegrityError:  # created concurrently by another salon
                return Customer.get(Customer.phone_e164 == phone_e164)
        return identity
    if email:
        identity = Customer.select().where(Customer.email == email).order_by(Customer.id).first()
        if identity is not None:
            return identity
    return Customer.create(phone_e164=None, email=email)


def create_salon_customer(salon, *, full_name, phone=None, phone_e164=None, email=None, birthday=None, **fields):
    """Create this salon's record of a person and return it (raises IntegrityError if it exists)."""
    email = normalize_email(email) or None
    with db.atomic():
        identity = find_or_create_identity(phone_e164, email)
        return SalonCustomer.create(
            salon=salon,
            identity=identity,
            full_name=full_name.strip(),
            name_search=fold(full_name),
            phone=phone,
            phone_e164=phone_e164,
            email=email,
            birthday=birthday,
            **fields,
        )


def ensure_tag(salon, name):
    """Return the salon's tag with this name, creating it if needed."""
    name = " ".join(name.split())[:50]
    tag = Tag.get_or_none((Tag.salon == salon) & (Tag.name == name))
    if tag is None:
        try:
            with db.atomic():
                tag = Tag.create(salon=salon, name=name)
        except IntegrityError:
            tag = Tag.get((Tag.salon == salon) & (Tag.name == name))
    return tag


def add_tag(customer, tag):
    """Attach a tag to a customer; attaching twice changes nothing."""
    CustomerTag.insert(salon=customer.salon_id, customer=customer, tag=tag).on_conflict_ignore().execute()

