"""Editing a customer card, one widget at a time, without losing a colleague's edit.

Each widget accepts only its own named fields (no mass assignment: visit figures,
salon, identity or ids are never among them). A save names the version it was based on;
the UPDATE only applies `WHERE version = ?`, so of two concurrent saves the second is
refused with the current values. Every change is audited with before and after.
"""
import dataclasses
import datetime
import hashlib
import json

from peewee import JOIN, IntegrityError

from salon_web import one_trip
from salon_web.db import db
from salon_web.models import AuditEvent, CustomerTag, SalonCustomer, Tag, User, utcnow
from salon_web.models.base import column_list, row_model
from salon_web.models.customers import CHANNELS
from salon_web.services import audit
from salon_web.services.customer_create import contact_values, find_duplicates
from salon_web.services.customers import ensure_tag, identity_for_phone
from salon_web.services.field_errors import FieldErrors
from salon_web.services.salons import salon_staff
from salon_web.services.text import fold
from salon_web.sql_dialect import placeholders
from salon_web.texts import _l

NOTES_MAX = 5000
PREFERENCE_TEXT_MAX = 500
EXTRA_KEY_MAX = 40
EXTRA_VALUE_MAX = 200
EXTRA_MAX_ENTRIES = 20
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KNOWN_PREFERENCES = ("preferred_employee", "allergies", "special_requests", "preferred_times", "preferred_days")
WEEKDAY_LABELS = {"mon": _l("Mon"), "tue": _l("Tue"), "wed": _l("Wed"), "thu": _l("Thu"), "fri": _l("Fri"),
                  "sat": _l("Sat"), "sun": _l("Sun")}
PREFERENCE_LABELS = {"preferred_employee": _l("Preferred stylist"), "allergies": _l("Allergies and sensitivities"),
                     "special_requests": _l("Special requests"), "preferred_times": _l("Preferred times"),
                     "preferred_days": _l("Preferred days")}
OUT_OF_DATE = _l("This form is out of date. Reload the page and try again.")


class EditConflict(Exception):
    """Someone saved this customer after the version the form was based on."""

    def __init__(self, current):
        super().__init__("edit conflict")
        self.current = current


class InvalidEdit(FieldErrors):
    """Kept for services.follow_ups, which still raises it: a FieldErrors like any other."""

    def __init__(self, errors, values=None):
        super().__init__(errors)
        self.values = values


@dataclasses.dataclass(frozen=True)
class Seen:
    """What the form was based on: the customer's version and the widget's fingerprint (`widget_basis`)."""

    version: int | None
    basis: str | None = None


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
        raise FieldErrors({"phone": _l("This number is already on another card.")}) from None
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
    return SalonCustomer.in_salon(customer.salon_id).where(SalonCustomer.id == customer.id).get()


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


# --- the widgets: each takes its typed values and enforces the salon's rules -------------------

@dataclasses.dataclass(frozen=True)
class Preferences:
    """The preferences widget's values: known keys plus free (name, value) entries in the order given."""

    preferred_employee: int | None = None
    allergies: str = ""
    special_requests: str = ""
    preferred_times: str = ""
    preferred_days: tuple = ()
    extra: tuple = ()


@dataclasses.dataclass(frozen=True)
class CommunicationChoices:
    """The channels accepted for service messages, and whether marketing is agreed to."""

    channels: tuple = ()
    marketing_consent: bool = False


def contact_changes(salon, customer, contact, *, today):
    """Return the contact columns to save; raise FieldErrors (also for a number on another card here)."""
    values, errors = contact_values(salon, contact, today=today)
    values["name_search"] = fold(values["full_name"])
    if values["phone_e164"] and "phone" not in errors and values["phone_e164"] != customer.phone_e164:
        taken = find_duplicates(salon, phone_e164=values["phone_e164"], exclude_id=customer.id)
        taken = [other for other in taken if other.phone_e164 == values["phone_e164"]]
        if taken:
            errors["phone"] = _l("This number is already on the card of %(name)s.", name=taken[0].full_name)
    if errors:
        raise FieldErrors(errors)
    return values


def notes_changes(notes):
    """Return the notes column to save; raise FieldErrors when too long."""
    notes = (notes or "").replace("\r\n", "\n").strip()
    if len(notes) > NOTES_MAX:
        raise FieldErrors({"notes": _l("Notes are limited to %(count)s characters.", count=NOTES_MAX)})
    return {"notes": notes}


def preferences_changes(salon, preferences):
    """Return the preferences JSON to save; raise FieldErrors keyed by the widget's fields."""
    errors, stored = {}, {}
    if preferences.preferred_employee is not None:
        if preferences.preferred_employee not in {user.id for user in salon_staff(salon)}:
            errors["preferred_employee"] = _l("Choose someone from this salon's staff.")
        else:
            stored["preferred_employee"] = preferences.preferred_employee
    for key in ("allergies", "special_requests", "preferred_times"):
        text = (getattr(preferences, key) or "").replace("\r\n", "\n").strip()
        if len(text) > PREFERENCE_TEXT_MAX:
            errors[key] = _l("Use at most %(count)s characters.", count=PREFERENCE_TEXT_MAX)
        if text:
            stored[key] = text
    if any(day not in WEEKDAYS for day in preferences.preferred_days):
        errors["preferred_days"] = _l("Choose days of the week.")
    chosen = [day for day in WEEKDAYS if day in preferences.preferred_days]
    if chosen:
        stored["preferred_days"] = chosen
    extras, extra_error = _extras(preferences.extra)
    if extra_error:
        errors["extra"] = extra_error
    if errors:
        raise FieldErrors(errors)
    return {"preferences": {**stored, **extras}}


def _extras(entries):
    """Return ({name: value}, None) from (name, value) pairs, or (partial, the first problem)."""
    extras = {}
    for key, value in entries:
        key, value = " ".join((key or "").split()), " ".join((value or "").split())
        if not key and not value:
            continue
        if not key:
            return extras, _l("Give every entry a name.")
        if key in KNOWN_PREFERENCES or key in extras:
            return extras, _l("“%(name)s” is used twice or is a built-in preference.", name=key)
        if len(key) > EXTRA_KEY_MAX or len(value) > EXTRA_VALUE_MAX:
            return extras, _l("Names have at most %(names)s characters, values %(values)s.", names=EXTRA_KEY_MAX,
                          values=EXTRA_VALUE_MAX)
        extras[key] = value
    if len(extras) > EXTRA_MAX_ENTRIES:
        return extras, _l("At most %(count)s entries.", count=EXTRA_MAX_ENTRIES)
    return extras, None


def extra_preferences(customer):
    """Return the free key/value preferences (everything but the built-in keys)."""
    return {k: v for k, v in (customer.preferences or {}).items() if k not in KNOWN_PREFERENCES}


def communication_changes(customer, choices):
    """Return accepted channels and consent dates to save (consent keeps when it was given or withdrawn)."""
    if any(channel not in CHANNELS for channel in choices.channels):
        raise FieldErrors({"channels": _l("Choose among SMS, email, phone and in-app.")})
    changes = {"communication_preferences": [c for c in CHANNELS if c in choices.channels]}
    if choices.marketing_consent and not customer.has_marketing_consent:
        changes["marketing_consent_at"] = utcnow()
    elif not choices.marketing_consent and customer.has_marketing_consent:
        changes["marketing_consent_withdrawn_at"] = utcnow()
    return changes


@dataclasses.dataclass(frozen=True)
class FollowUpChoice:
    """The follow-up widget's choice: clear it, a quick choice ("2w", "1m", "3m") or a picked day."""

    day: datetime.date | None = None
    quick: str | None = None
    clear: bool = False


def follow_up_changes(choice, *, today):
    """Return the follow-up date to save (None clears it); raise FieldErrors outside today .. three years ahead."""
    from salon_web.services.follow_ups import MAX_DAYS_AHEAD, quick_choice_date  # follow_ups builds on this module

    if choice.clear:
        return {"follow_up_on": None}
    if choice.quick:
        day = quick_choice_date(choice.quick, today)
        if day is None:
            raise FieldErrors({"follow_up_on": _l("Choose 2 weeks, 1 month or 3 months.")})
        return {"follow_up_on": day}
    if choice.day is None:
        raise FieldErrors({"follow_up_on": _l("Pick a date, a quick choice, or clear.")})
    if not today - datetime.timedelta(days=1) <= choice.day <= today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise FieldErrors({"follow_up_on": _l("Choose a date from today up to three years ahead.")})
    return {"follow_up_on": choice.day}


def widget_changes(salon, customer, widget, value, *, today):
    """Return the columns one widget's typed `value` changes; raise FieldErrors."""
    if widget == "contact":
        return contact_changes(salon, customer, value, today=today)
    if widget == "notes":
        return notes_changes(value)
    if widget == "preferences":
        return preferences_changes(salon, value)
    if widget == "follow_up":
        return follow_up_changes(value, today=today)
    return communication_changes(customer, value)


def save_widget(customer, widget, changes, seen, *, user=None, ip=None):
    """Save one widget's checked `changes` against what the form `seen`; return the fresh customer.

    Raise FieldErrors when the form carried no version, EditConflict when someone saved meanwhile.
    """
    if seen.version is None:
        raise FieldErrors({"version": OUT_OF_DATE})
    return apply_changes(customer, changes, expected_version=seen.version, widget=widget, basis=seen.basis,
                         user=user, ip=ip)


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


# The card reads these on every view: fixed SQL (composing them with peewee cost more than running them).
_TAG_FIELDS = Tag._meta.sorted_fields
_TAG_NAME_AT = [field.name for field in _TAG_FIELDS].index("name")
_CUSTOMER_TAGS_SQL = (
    f'SELECT {column_list(_TAG_FIELDS, "t")} FROM "tag" AS t '
    'JOIN "customer_tag" AS ct ON ct."tag_id" = t."id" '
    'WHERE t."salon_id" = ? AND ct."salon_id" = ? AND ct."customer_id" = ? ORDER BY t."name"')
# The card's tags and its suggestions in one statement: the customer's tags (mine = 1), then the salon's first
# tags by name (mine = 0).
_CARD_TAGS_SQL = (
    f'SELECT 1 AS mine, {column_list(_TAG_FIELDS, "t")} FROM "tag" AS t '
    'JOIN "customer_tag" AS ct ON ct."tag_id" = t."id" '
    'WHERE t."salon_id" = ? AND ct."salon_id" = ? AND ct."customer_id" = ? '
    f'UNION ALL SELECT 0 AS mine, {column_list(_TAG_FIELDS, "salon_tags")} FROM '
    f'(SELECT {column_list(_TAG_FIELDS)} FROM "tag" WHERE "salon_id" = ? ORDER BY "name" LIMIT ?) AS salon_tags '
    'ORDER BY mine DESC, "name"')


def customer_tags(customer):
    """Return the customer's tags by name."""
    rows = db.execute_sql(placeholders(_CUSTOMER_TAGS_SQL), [customer.salon_id, customer.salon_id, customer.id])
    return [row_model(Tag, _TAG_FIELDS, row) for row in rows]


def card_tags(customer):
    """Return (the customer's tags by name, names of the salon's other tags for the add-tag suggestions)."""
    return one_trip.fetch_one(card_tags_query(customer.salon_id, customer.id))


def card_tags_query(salon_id, customer_id):
    """The Query of `card_tags`, to run in one trip with the card's other look-ups."""
    params = [salon_id, salon_id, customer_id, salon_id, SUGGESTIONS_LIMIT]
    return one_trip.Query(_CARD_TAGS_SQL, params, ("INTEGER", *one_trip.sql_types(_TAG_FIELDS)), _card_tags,
                          fixed=True)


def _card_tags(rows):
    tags, first_names = [], []
    for mine, *tag in rows:
        if mine:
            tags.append(row_model(Tag, _TAG_FIELDS, tag))
        else:
            first_names.append(tag[_TAG_NAME_AT])
    attached = {tag.name for tag in tags}
    return tags, [name for name in first_names if name not in attached]


def add_customer_tag(salon, customer, name, *, user=None, ip=None):
    """Attach a tag by name (created for the salon if new); return the tag or raise FieldErrors."""
    name = " ".join((name or "").split())
    if not name:
        raise FieldErrors({"tag": _l("Type a tag name.")})
    if len(name) > TAG_MAX:
        raise FieldErrors({"tag": _l("Tags have at most %(count)s characters.", count=TAG_MAX)})
    with db.atomic():
        tag = ensure_tag(salon, name)
        attached = CustomerTag.in_salon(salon).where((CustomerTag.customer == customer) & (CustomerTag.tag == tag))
        if not attached.exists():
            CustomerTag.insert(salon=salon, customer=customer, tag=tag).on_conflict_ignore().execute()
            _audit_tags(customer, "added", tag.name, user, ip)
    return tag


def remove_customer_tag(salon, customer, name, *, user=None, ip=None):
    """Detach the salon's tag with this name from the customer; return True if it was attached."""
    tag = Tag.in_salon(salon).where(Tag.name == " ".join((name or "").split())).first()
    if tag is None:
        return False
    with db.atomic():
        removed = CustomerTag.delete().where(
            (CustomerTag.salon == salon) & (CustomerTag.customer == customer) & (CustomerTag.tag == tag)
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
