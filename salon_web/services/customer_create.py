"""Creating a customer from the new-customer form: validation and duplicate detection within the salon.

Duplicates are looked for only in this salon's own `salon_customer` columns, and the only
constraint that can refuse the insert is this salon's unique (salon, phone_e164): the shared
identity (services.customers.identity_for_phone) never decides anything a salon is told.
"""
import dataclasses
import datetime
import re

from peewee import IntegrityError

from salon_web.models import SalonCustomer
from salon_web.services import audit
from salon_web.services.auth import normalize_email
from salon_web.services.customers import create_salon_customer
from salon_web.services.field_errors import FieldErrors
from salon_web.services.phones import InvalidPhone, normalize_phone
from salon_web.services.text import fold
from salon_web.texts import _l

EMAIL_PATTERN = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
NAME_MAX = 200
PHONE_MAX = 40
BIRTHDAY_FORMAT = _l("Enter a date such as 1990-05-21.")


class DuplicateCustomer(FieldErrors):
    """This salon already has customers with the same phone or email (`matches`, at most five)."""

    def __init__(self, matches, *, can_override):
        super().__init__({"phone" if not can_override else "email":
                          _l("This salon already has a customer with this phone or e-mail.")})
        self.matches = matches
        self.can_override = can_override


@dataclasses.dataclass(frozen=True)
class Contact:
    """Contact details as typed at the edge: text as entered, the birthday already a date."""

    full_name: str
    phone: str = ""
    email: str = ""
    birthday: datetime.date | None = None


def contact_values(salon, contact, *, today):
    """Return (values, errors): the columns for `contact` (name tidied, phone in E.164, email lower-cased)."""
    values, errors = {}, {}
    full_name = " ".join((contact.full_name or "").split())
    if not full_name:
        errors["full_name"] = _l("Enter the customer's name.")
    elif len(full_name) > NAME_MAX:
        errors["full_name"] = _l("Use at most %(count)s characters.", count=NAME_MAX)
    elif len(fold(full_name)) > NAME_MAX:  # the search column holds the folded name: "ß" becomes "ss"
        errors["full_name"] = _l("Use a shorter name: written without accents it has more than %(count)s characters.",
                                 count=NAME_MAX)
    values["full_name"] = full_name

    phone = (contact.phone or "").strip()
    values["phone"], values["phone_e164"] = phone or None, None
    if len(phone) > PHONE_MAX:
        errors["phone"] = _l("That phone number is too long.")
    elif phone:
        try:
            values["phone_e164"] = normalize_phone(phone, salon.country)
        except InvalidPhone as error:
            errors["phone"] = str(error)

    email = normalize_email(contact.email)
    values["email"] = email or None
    if email and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
        errors["email"] = _l("Enter an email address such as name@example.com.")

    values["birthday"] = contact.birthday
    if birthday_problem(contact.birthday, today=today):
        errors["birthday"] = birthday_problem(contact.birthday, today=today)
    return values, errors


def birthday_problem(birthday, *, today):
    """Return why a birthday cannot be right, or None (no birthday is fine)."""
    if birthday and (birthday > today or birthday.year < 1900):
        return _l("A birthday lies between 1900 and today.")
    return None


def check_contact(salon, contact, *, today):
    """Return the columns for `contact`; raise FieldErrors with every field the salon's rules refuse."""
    values, errors = contact_values(salon, contact, today=today)
    if errors:
        raise FieldErrors(errors)
    return values


def parse_birthday(text):
    """Return the date in an ISO text (None when empty); raise ValueError."""
    text = (text or "").strip()
    return datetime.date.fromisoformat(text) if text else None


def parse_contact(salon, form, *, today):
    """Return (values, errors) from a form-like dict of strings (for callers that hand over text, e.g. the API)."""
    try:
        birthday, unparsed = parse_birthday(form.get("birthday")), {}
    except ValueError:
        birthday, unparsed = None, {"birthday": BIRTHDAY_FORMAT}
    contact = Contact(full_name=form.get("full_name") or "", phone=form.get("phone") or "",
                      email=form.get("email") or "", birthday=birthday)
    values, errors = contact_values(salon, contact, today=today)
    return values, {field: str(message) for field, message in {**errors, **unparsed}.items()}  # text in the request's language


def find_duplicates(salon, *, phone_e164=None, email=None, exclude_id=None):
    """Return this salon's customers (only this salon's) with the same phone or email."""
    condition = None
    if phone_e164:
        condition = SalonCustomer.phone_e164 == phone_e164
    if email:
        by_email = SalonCustomer.email == email
        condition = by_email if condition is None else (condition | by_email)
    if condition is None:
        return []
    query = SalonCustomer.in_salon(salon).where(condition)
    if exclude_id is not None:
        query = query.where(SalonCustomer.id != exclude_id)
    return list(query.order_by(SalonCustomer.id).limit(5))


def create_customer(salon, values, *, user=None, ip=None, allow_shared_email=False):
    """Create this salon's customer from validated values and return it; raise DuplicateCustomer.

    A phone match is always a duplicate (one person, one record per salon). An email-only
    match may be overridden (families share an address) with `allow_shared_email`.
    """
    matches = find_duplicates(salon, phone_e164=values["phone_e164"], email=values["email"])
    phone_match = any(m.phone_e164 and m.phone_e164 == values["phone_e164"] for m in matches)
    if matches and (phone_match or not allow_shared_email):
        raise DuplicateCustomer(matches, can_override=not phone_match)
    try:
        customer = create_salon_customer(salon, **values)
    except IntegrityError:
        # A colleague saved a card with this phone since the check above (unique per salon).
        taken = find_duplicates(salon, phone_e164=values["phone_e164"])
        raise DuplicateCustomer(taken, can_override=False) from None
    audit.record(
        "customer.created", salon=salon, user=user, object_type="customer", object_id=customer.id, ip=ip,
        detail={"after": {"full_name": customer.full_name, "phone": customer.phone_e164, "email": customer.email}},
    )
    return customer
