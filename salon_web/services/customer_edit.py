"""Editing a customer card, one widget at a time, without losing a colleague's edit.

Each widget accepts only its own named fields (no mass assignment: visit figures,
salon, identity or ids are never among them). A save names the version it was based on;
the UPDATE only applies `WHERE version = ?`, so of two concurrent saves the second is
refused with the current values. Every change is audited with before and after.
"""
import datetime
import hashlib
import json

from peewee import JOIN, IntegrityError

from salon_web.db import db
from salon_web.ids import parse_id
from salon_web.models import AuditEvent, CustomerTag, SalonCustomer, Tag, User, utcnow
from salon_web.models.customers import CHANNELS
from salon_web.services import audit
from salon_web.services.customer_create import find_duplicates, parse_contact
from salon_web.services.customers import ensure_tag, identity_for_phone
from salon_web.services.salons import salon_staff
from salon_web.services.text import fold

NOTES_MAX = 5000
PREFERENCE_TEXT_MAX = 500
EXTRA_KEY_MAX = 40
EXTRA_VALUE_MAX = 200
EXTRA_MAX_ENTRIES = 20
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KNOWN_PREFERENCES = ("preferred_employee", "allergies", "special_requests", "preferred_times", "preferred_days")


class EditConflict(Exception):
    """Someone saved this customer after the version the form was based on."""

    def __init__(self, current):
        super().__init__("edit conflict")
        self.current = current


class InvalidEdit(Exception):
    """The submitted values do not validate; `errors` is keyed by field."""

    def __init__(self, errors, values):
        super().__init__("invalid edit")
        self.errors = errors
        self.values = values


def parse_version(text):
    """Return the version a form was based on, or None when missing or malformed."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


WIDGET_FIELDS = {
    "contact": ("full_name", "phone", "phone_e164", "email", "birthday"),
    "notes": ("notes",),
    "preferences": ("preferences",),
    "communication": ("communication_preferences", "marketing_consent_at", "marketing_consent_withdrawn_at"),
    "follow_up": ("follow_up_on",),
}


def widget_basis(customer, widget):
    """Return a short fingerprint of the widget's fields as the form showed them."""
    values = {name: _plain(getattr(customer, name)) for name in WIDGET_FIELDS[widget]}
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:16]


def apply_changes(customer, changes, *, expected_version, widget, basis=None, user=None, ip=None):
    """Save `changes` (column -> value) if nobody saved since `expected_version`; return the fresh customer.

    The version is the customer's, shared by all widgets: when it moved on but this widget's
    own fields are still what the form showed (`basis`), the other save touched another widget
    and this one goes ahead against the newer version. `expected_version=None` skips the check
    (one-tap actions such as follow-up "done").
    """
    if expected_version is not None and customer.version != expected_version:
        if basis is None or widget_basis(customer, widget) != basis:
            raise EditConflict(customer)
        expected_version = customer.version
    before = {name: _plain(getattr(customer, name)) for name in changes}
    after = {name: _plain(value) for name, value in changes.items()}
    if before == after:
        return customer
    try:
        with db.atomic():
            _save(customer, changes, before, after, expected_version)
            _audit_changes(customer, changes, before, after, widget, user, ip)
    except IntegrityError:
        if "phone_e164" not in changes:
            raise
        # A colleague gave another card this number since the form was checked (unique per salon).
        raise InvalidEdit({"phone": "This number is already on another card."}, changes) from None
    return reload(customer)


def _save(customer, changes, before, after, expected_version):
    condition = (SalonCustomer.id == customer.id) & (SalonCustomer.salon == customer.salon_id)
    if expected_version is not None:
        condition &= SalonCustomer.version == expected_version
    columns = {getattr(SalonCustomer, name): value for name, value in changes.items()}
    if "phone_e164" in changes and before["phone_e164"] != after["phone_e164"]:
        # The identity follows the card's phone, so it never claims a number this salon no longer holds.
        columns[SalonCustomer.identity] = identity_for_phone(changes["phone_e164"])
    updated = SalonCustomer.update(
        {**columns, SalonCustomer.version: SalonCustomer.version + 1, SalonCustomer.updated_at: utcnow()}
    ).where(condition).execute()
    if not updated:
        raise EditConflict(reload(customer))


def _audit_changes(customer, changes, before, after, widget, user, ip):
    changed = [name for name in changes if before[name] != after[name]]
    audit.record(
        "customer.updated", salon=customer.salon_id, user=user, object_type="customer",
        object_id=customer.id, ip=ip,
        detail={"widget": widget, "fields": changed,
                "before": {n: before[n] for n in changed}, "after": {n: after[n] for n in changed}},
    )


def reload(customer):
    """Return the customer as stored now."""
    return SalonCustomer.get_by_id(customer.id)


def last_editor(customer):
    """Return (user name, time) of the latest audited edit of this customer, or (None, None)."""
    event = (AuditEvent.select(AuditEvent, User).join(User, on=(AuditEvent.user == User.id), join_type=JOIN.LEFT_OUTER)
             .where((AuditEvent.salon == customer.salon_id) & (AuditEvent.object_type == "customer")
                    & (AuditEvent.object_id == str(customer.id)) & (AuditEvent.action == "customer.updated"))
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).first())
    if event is None:
        return None, None
    return (event.user.name if event.user_id else None), event.at


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


# --- the widgets: each parses only its own fields -------------------------------------------

def parse_contact_widget(salon, customer, form, today):
    """Return (changes, errors) for name, phone, email and birthday."""
    values, errors = parse_contact(salon, form, today=today)
    values["name_search"] = fold(values["full_name"])
    if values["phone_e164"] and "phone" not in errors and values["phone_e164"] != customer.phone_e164:
        taken = find_duplicates(salon, phone_e164=values["phone_e164"], exclude_id=customer.id)
        taken = [other for other in taken if other.phone_e164 == values["phone_e164"]]
        if taken:
            errors["phone"] = f"This number is already on the card of {taken[0].full_name}."
    return values, errors


def parse_notes_widget(salon, customer, form, today):
    """Return (changes, errors) for the salon's notes."""
    notes = (form.get("notes") or "").replace("\r\n", "\n").strip()
    errors = {"notes": f"Notes are limited to {NOTES_MAX} characters."} if len(notes) > NOTES_MAX else {}
    return {"notes": notes}, errors


def parse_preferences_widget(salon, customer, form, today):
    """Return (changes, errors) for the preferences JSON: known keys plus free key/value entries."""
    errors, preferences = {}, {}
    employee = (form.get("preferred_employee") or "").strip()
    if employee:
        staff_ids = {user.id for user in salon_staff(salon)}
        if parse_id(employee) not in staff_ids:
            errors["preferred_employee"] = "Choose someone from this salon's staff."
        else:
            preferences["preferred_employee"] = parse_id(employee)
    for key in ("allergies", "special_requests", "preferred_times"):
        text = (form.get(key) or "").replace("\r\n", "\n").strip()
        if len(text) > PREFERENCE_TEXT_MAX:
            errors[key] = f"Use at most {PREFERENCE_TEXT_MAX} characters."
        if text:
            preferences[key] = text
    days = form.getlist("preferred_days") if hasattr(form, "getlist") else form.get("preferred_days", [])
    unknown = [day for day in days if day not in WEEKDAYS]
    if unknown:
        errors["preferred_days"] = "Choose days of the week."
    chosen = [day for day in WEEKDAYS if day in days]
    if chosen:
        preferences["preferred_days"] = chosen
    extras, extra_error = _parse_extras(form)
    if extra_error:
        errors["extra"] = extra_error
    preferences.update(extras)
    return {"preferences": preferences}, errors


def _parse_extras(form):
    keys = form.getlist("extra_key") if hasattr(form, "getlist") else form.get("extra_key", [])
    values = form.getlist("extra_value") if hasattr(form, "getlist") else form.get("extra_value", [])
    extras = {}
    for index, key in enumerate(keys):
        key = " ".join(key.split())
        value = " ".join((values[index] if index < len(values) else "").split())
        if not key and not value:
            continue
        if not key:
            return extras, "Give every entry a name."
        if key in KNOWN_PREFERENCES or key in extras:
            return extras, f"“{key}” is used twice or is a built-in preference."
        if len(key) > EXTRA_KEY_MAX or len(value) > EXTRA_VALUE_MAX:
            return extras, f"Names have at most {EXTRA_KEY_MAX} characters, values {EXTRA_VALUE_MAX}."
        extras[key] = value
    if len(extras) > EXTRA_MAX_ENTRIES:
        return extras, f"At most {EXTRA_MAX_ENTRIES} entries."
    return extras, None


def extra_preferences(customer):
    """Return the free key/value preferences (everything but the built-in keys)."""
    return {k: v for k, v in (customer.preferences or {}).items() if k not in KNOWN_PREFERENCES}


def parse_communication_widget(salon, customer, form, today):
    """Return (changes, errors) for accepted channels and marketing consent (with its date)."""
    channels = form.getlist("channels") if hasattr(form, "getlist") else form.get("channels", [])
    errors = {}
    if any(channel not in CHANNELS for channel in channels):
        errors["channels"] = "Choose among SMS, email, phone and in-app."
    changes = {"communication_preferences": [c for c in CHANNELS if c in channels]}
    wants_marketing = form.get("marketing_consent") in ("yes", "on", "1")
    if wants_marketing and not customer.has_marketing_consent:
        changes["marketing_consent_at"] = utcnow()
    elif not wants_marketing and customer.has_marketing_consent:
        changes["marketing_consent_withdrawn_at"] = utcnow()
    return changes, errors


WIDGETS = {
    "contact": parse_contact_widget,
    "notes": parse_notes_widget,
    "preferences": parse_preferences_widget,
    "communication": parse_communication_widget,
}


def update_widget(salon, customer, widget, form, *, today, user=None, ip=None):
    """Validate and save one widget's fields; return the fresh customer or raise InvalidEdit/EditConflict."""
    changes, errors = WIDGETS[widget](salon, customer, form, today)
    expected = parse_version(form.get("version"))
    if errors:
        raise InvalidEdit(errors, changes)
    if expected is None:
        raise InvalidEdit({"version": "This form is out of date. Reload the page and try again."}, changes)
    return apply_changes(customer, changes, expected_version=expected, widget=widget,
                         basis=form.get("basis"), user=user, ip=ip)


def header_figures(customer):
    """Return the card's figures: average ticket and usual interval in days (None when unknown)."""
    average = customer.total_spent // customer.visit_count if customer.visit_count else None
    interval = None
    if customer.visit_count >= 2 and customer.first_visit_at and customer.last_visit_at:
        interval = round((customer.last_visit_at - customer.first_visit_at).days / (customer.visit_count - 1))
    return {"average_ticket": average, "usual_interval_days": interval}


# --- tags: set operations, so no version check is needed; audited all the same ---------------

TAG_MAX = 50
SUGGESTIONS_LIMIT = 200


def customer_tags(customer):
    """Return the customer's tags by name."""
    return list(Tag.select().join(CustomerTag).where(
        (CustomerTag.customer == customer) & (CustomerTag.salon == customer.salon_id)).order_by(Tag.name))


def tag_suggestions(salon, exclude=()):
    """Return names of the salon's tags for the add-tag suggestions."""
    names = [name for (name,) in Tag.select(Tag.name).where(Tag.salon == salon)
             .order_by(Tag.name).limit(SUGGESTIONS_LIMIT).tuples()]
    return [name for name in names if name not in set(exclude)]


def add_customer_tag(salon, customer, name, *, user=None, ip=None):
    """Attach a tag by name (created for the salon if new); return the tag or raise InvalidEdit."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidEdit({"tag": "Type a tag name."}, {"tag": name})
    if len(name) > TAG_MAX:
        raise InvalidEdit({"tag": f"Tags have at most {TAG_MAX} characters."}, {"tag": name})
    with db.atomic():
        tag = ensure_tag(salon, name)
        attached = CustomerTag.select().where((CustomerTag.customer == customer) & (CustomerTag.tag == tag))
        if not attached.exists():
            CustomerTag.insert(salon=salon, customer=customer, tag=tag).on_conflict_ignore().execute()
            _audit_tags(customer, "added", tag.name, user, ip)
    return tag


def remove_customer_tag(salon, customer, name, *, user=None, ip=None):
    """Detach the salon's tag with this name from the customer; return True if it was attached."""
    tag = Tag.get_or_none((Tag.salon == salon) & (Tag.name == " ".join((name or "").split())))
    if tag is None:
        return False
    with db.atomic():
        removed = CustomerTag.delete().where(
            (CustomerTag.customer == customer) & (CustomerTag.tag == tag) & (CustomerTag.salon == salon)
        ).execute()
        if removed:
            _audit_tags(customer, "removed", tag.name, user, ip)
    return bool(removed)


def _audit_tags(customer, change, name, user, ip):
    after = [tag.name for tag in customer_tags(customer)]
    before = sorted(set(after) - {name}) if change == "added" else sorted(after + [name])
    audit.record(
        "customer.tags", salon=customer.salon_id, user=user, object_type="customer", object_id=customer.id, ip=ip,
        detail={"widget": "tags", "change": change, "tag": name, "before": before, "after": after},
    )
