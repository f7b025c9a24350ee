"""Creating customers: one private record per salon, linked to a phone-keyed identity."""
from peewee import IntegrityError

from salon_web.db import db
from salon_web.models import Customer, CustomerTag, SalonCustomer, Tag, utcnow
from salon_web.services.auth import normalize_email
from salon_web.services.text import fold


def identity_for_phone(phone_e164):
    """Return the id of the shared identity for this phone (a new, unshared one when there is no phone).

    Keyed by phone alone and never refused: a concurrent insert by another salon is simply joined.
    """
    if not phone_e164:
        return Customer.insert(phone_e164=None, created_at=utcnow()).execute()
    Customer.insert(phone_e164=phone_e164, created_at=utcnow()).on_conflict_ignore().execute()
    return Customer.select(Customer.id).where(Customer.phone_e164 == phone_e164).scalar()


def create_salon_customer(salon, *, full_name, phone=None, phone_e164=None, email=None, birthday=None, **fields):
    """Create this salon's record of a person and return it (IntegrityError if the salon has this phone)."""
    email = normalize_email(email) or None
    with db.atomic():
        return SalonCustomer.create(
            salon=salon,
            identity=identity_for_phone(phone_e164),
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
    tag = Tag.in_salon(salon).where(Tag.name == name).first()
    if tag is None:
        try:
            with db.atomic():
                tag = Tag.create(salon=salon, name=name)
        except IntegrityError:
            tag = Tag.in_salon(salon).where(Tag.name == name).get()
    return tag


def add_tag(customer, tag):
    """Attach a tag to a customer; attaching twice changes nothing."""
    CustomerTag.insert(salon=customer.salon_id, customer=customer, tag=tag).on_conflict_ignore().execute()

