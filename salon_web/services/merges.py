"""Merging two cards of one client, and undoing it within 30 days.

A merge moves the merged card's sales, appointments, communications, tags and ledger rows to the survivor,
takes the winning value of each field, joins the notes, rebuilds the survivor's figures through the visit
hook (services/visits.py) and deletes the merged card, so its id answers 404. The merge row keeps a snapshot
of both cards and the id of every moved row: undo puts the survivor's columns back, re-creates the merged card
with its own id and moves exactly those rows back. Undo is refused once the survivor was edited since (it
would lose that edit), after 30 days, or when a card took the merged card's phone in between.
"""
import dataclasses
import datetime

from peewee import DateField, DateTimeField, IntegrityError

from salon_web.db import db
from salon_web.models import (
    Appointment, Customer, CustomerCommunication, CustomerMerge, CustomerTag, NotInSalon, Sale, Salon, SalonCustomer,
    Tag, Visit, utcnow,
)
from salon_web.services import audit
from salon_web.services.customers import identity_for_phone
from salon_web.services.field_errors import FieldErrors
from salon_web.services.text import fold
from salon_web.services.visits import FIGURES, lock_customer, reassign_visits
from salon_web.texts import _l

UNDO_DAYS = 30
# What the person merging chooses, field by field; each choice carries the columns that belong together.
CHOICES = {
    "full_name": ("full_name",),
    "phone": ("phone", "phone_e164"),
    "email": ("email",),
    "birthday": ("birthday",),
    "preferences": ("preferences",),
    "follow_up_on": ("follow_up_on",),
    "communication": ("communication_preferences", "marketing_consent_at", "marketing_consent_withdrawn_at"),
}
SURVIVOR, MERGED = "survivor", "merged"
# Every column a snapshot keeps (the figures come back from the ledger, never from a snapshot).
SNAPSHOT = ("customer_id", "full_name", "name_search", "phone", "phone_e164", "email", "birthday", "notes",
            "preferences", "follow_up_on", "communication_preferences", "marketing_consent_at",
            "marketing_consent_withdrawn_at", "version", "created_at", "updated_at", "forgotten_at")
MOVED_MODELS = {"sale": Sale, "appointment": Appointment, "communication": CustomerCommunication}


class MergeRefused(Exception):
    """The merge or undo cannot happen; `message` says why (HTML and API answer 409)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _field(column):
    return SalonCustomer.identity if column == "customer_id" else getattr(SalonCustomer, column)


def snapshot(card):
    """Return a card's columns as JSON-able values."""
    values = {}
    for column in SNAPSHOT:
        value = card.customer_id if column == "customer_id" else getattr(card, column)
        values[column] = value.isoformat() if isinstance(value, datetime.date) else value
    return values


def _restored(column, value):
    """A snapshot value back as the column's Python value."""
    field = _field(column)
    if value is None:
        return None
    if isinstance(field, DateTimeField):
        return datetime.datetime.fromisoformat(value)
    if isinstance(field, DateField):
        return datetime.date.fromisoformat(value)
    return value


def _has_value(card, choice):
    return any(getattr(card, column) not in (None, "", [], {}) for column in CHOICES[choice])


def default_choices(survivor, merged):
    """The survivor's value for every field, the merged card's where the survivor has none."""
    return {choice: SURVIVOR if _has_value(survivor, choice) or not _has_value(merged, choice) else MERGED
            for choice in CHOICES}


def joined_notes(survivor_notes, merged_notes):
    """Both cards' notes, the survivor's first; one copy when they are the same."""
    parts = [text.strip() for text in (survivor_notes, merged_notes) if text and text.strip()]
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = parts[:1]
    return "\n\n".join(parts)


@dataclasses.dataclass(frozen=True)
class MergeResult:
    survivor: SalonCustomer
    merge: CustomerMerge


def merge_cards(salon, merged_id, survivor_id, choices=None, *, user=None, ip=None, now=None):
    """Merge one card into another and return MergeResult; raise NotInSalon, FieldErrors or MergeRefused."""
    if merged_id == survivor_id:
        raise FieldErrors({"into": _l("Choose two different cards.")})
    unknown = set(choices or {}) - set(CHOICES)
    bad = [name for name, side in (choices or {}).items() if side not in (SURVIVOR, MERGED)]
    if unknown or bad:
        raise FieldErrors({name: _l("Choose which card's value to keep.") for name in sorted(unknown | set(bad))})
    now = now or utcnow()
    with db.atomic():
        for customer_id in sorted((merged_id, survivor_id)):  # id order: no deadlock between two merges
            SalonCustomer.get_in_salon(salon, customer_id)
            lock_customer(salon.id, customer_id)
        survivor = SalonCustomer.get_in_salon(salon, survivor_id)
        merged = SalonCustomer.get_in_salon(salon, merged_id)
        if survivor.forgotten_at or merged.forgotten_at:
            raise MergeRefused(_l("A forgotten client's card cannot be merged."))
        chosen = {**default_choices(survivor, merged), **(choices or {})}
        moved = _move_rows(salon, merged, survivor)
        # Imported past visits are their own source (no sale or appointment to follow back on undo).
        moved["import"] = [source_id for (source_id,) in Visit.in_salon(salon, Visit.source_id).where(
            (Visit.customer == merged.id) & (Visit.source_type == "import")).order_by(Visit.source_id).tuples()]
        moved["visit"] = reassign_visits(salon.id, survivor.id, from_customer_id=merged.id)
        record = CustomerMerge.create(
            salon=salon, survivor_id=survivor.id, merged_id=merged.id, survivor_before=snapshot(survivor),
            merged_card=snapshot(merged), moved=moved, survivor_version=survivor.version + 1, created_by=user,
            created_at=now)
        SalonCustomer.delete().where((SalonCustomer.salon == salon.id) & (SalonCustomer.id == merged.id)).execute()
        _update_survivor(survivor, _winning_values(survivor, merged, chosen), now)
        audit.record("customer.merged", salon=salon.id, user=user, ip=ip, object_type="customer",
                     object_id=survivor.id, detail={"merged_id": merged.id, "merge_id": record.id,
                                                     "moved": {kind: len(ids) for kind, ids in moved.items()}})
    return MergeResult(SalonCustomer.get_in_salon(salon, survivor.id), record)


def _move_rows(salon, merged, survivor):
    """Give the merged card's sales, appointments, communications and tags to the survivor; return their ids."""
    moved = {}
    for kind, model in MOVED_MODELS.items():
        mine = (model.salon == salon.id) & (model.customer == merged.id)
        moved[kind] = [row_id for (row_id,) in model.select(model.id).where(mine).order_by(model.id).tuples()]
        model.update(customer=survivor.id).where(mine).execute()
    tags = [tag for (tag,) in CustomerTag.in_salon(salon, CustomerTag.tag).where(
        CustomerTag.customer == merged.id).order_by(CustomerTag.tag).tuples()]
    had = {tag for (tag,) in CustomerTag.in_salon(salon, CustomerTag.tag).where(
        CustomerTag.customer == survivor.id).tuples()}
    moved["tag"] = tags
    moved["tag_added"] = [tag for tag in tags if tag not in had]
    if moved["tag_added"]:
        CustomerTag.insert_many([{"salon": salon.id, "customer": survivor.id, "tag": tag}
                                 for tag in moved["tag_added"]]).execute()
    CustomerTag.delete().where((CustomerTag.salon == salon.id) & (CustomerTag.customer == merged.id)).execute()
    return moved


def _winning_values(survivor, merged, chosen):
    values = {}
    for choice, side in chosen.items():
        card = merged if side == MERGED else survivor
        values.update({column: getattr(card, column) for column in CHOICES[choice]})
    values["notes"] = joined_notes(survivor.notes, merged.notes)
    return values


def _update_survivor(survivor, values, now):
    columns = {getattr(SalonCustomer, column): value for column, value in values.items()}
    columns[SalonCustomer.name_search] = fold(values["full_name"])
    if values["phone_e164"] != survivor.phone_e164:
        # The identity follows the card's phone (ARCHITECTURE.md, the identity rule).
        columns[SalonCustomer.identity] = identity_for_phone(values["phone_e164"])
    columns.update({SalonCustomer.version: SalonCustomer.version + 1, SalonCustomer.updated_at: now})
    SalonCustomer.update(columns).where(
        (SalonCustomer.salon == survivor.salon_id) & (SalonCustomer.id == survivor.id)).execute()


def merges_of(salon, limit=20):
    """The salon's latest merges, newest first."""
    return list(CustomerMerge.in_salon(salon).order_by(CustomerMerge.created_at.desc(), CustomerMerge.id.desc())
                .limit(limit))


def can_undo_until(merge):
    """The last moment this merge can be undone."""
    return merge.created_at + datetime.timedelta(days=UNDO_DAYS)


def undoable(merge, now=None):
    """True while the merge can still be undone (not undone yet, not older than UNDO_DAYS)."""
    return merge.undone_at is None and (now or utcnow()) <= can_undo_until(merge)


def forget_expired_merges(now):
    """Delete the merges that can no longer be undone: their snapshots hold a deleted card's personal data."""
    in_any_salon = CustomerMerge.salon.in_(Salon.select(Salon.id))  # names salon_id, as every tenant statement must
    return CustomerMerge.delete().where(
        in_any_salon & (CustomerMerge.created_at < now - datetime.timedelta(days=UNDO_DAYS))).execute()


def undo_merge(salon, merge_id, *, user=None, ip=None, now=None):
    """Put both cards and every moved row back as they were; return (survivor, restored card); raise MergeRefused."""
    now = now or utcnow()
    with db.atomic():
        merge = CustomerMerge.get_in_salon(salon, merge_id)
        if merge.undone_at is not None:
            raise MergeRefused(_l("This merge was already undone."))
        if now > can_undo_until(merge):
            raise MergeRefused(_l("A merge can be undone for %(days)s days; this one is older.", days=UNDO_DAYS))
        try:
            SalonCustomer.get_in_salon(salon, merge.survivor_id)
        except NotInSalon:
            raise MergeRefused(_l("The surviving card was merged into another since: undo that merge first.")) from None
        lock_customer(salon.id, merge.survivor_id)
        survivor = SalonCustomer.get_in_salon(salon, merge.survivor_id)
        if survivor.version != merge.survivor_version:
            raise MergeRefused(_l("The surviving card was edited since the merge; undoing it would lose that edit."))
        if survivor.forgotten_at:
            raise MergeRefused(_l("The surviving card was forgotten since."))
        try:
            with db.atomic():
                restored = _restore_cards(salon, merge, survivor)
        except IntegrityError:
            raise MergeRefused(_l("Another card now has the merged card's phone number.")) from None
        _move_back(salon, merge, survivor, restored)
        CustomerMerge.update(undone_at=now).where(
            (CustomerMerge.salon == salon.id) & (CustomerMerge.id == merge.id)).execute()
        audit.record("customer.merge_undone", salon=salon.id, user=user, ip=ip, object_type="customer",
                     object_id=survivor.id, detail={"merged_id": merge.merged_id, "merge_id": merge.id})
    return SalonCustomer.get_in_salon(salon, survivor.id), SalonCustomer.get_in_salon(salon, restored)


def _restore_cards(salon, merge, survivor):
    """Put the survivor's columns back, then re-create the merged card with its own id; return that id."""
    before = {column: _restored(column, value) for column, value in merge.survivor_before.items()}
    before["version"] = survivor.version + 1  # never reuse a version: an old edit form must still conflict
    SalonCustomer.update({_field(c): v for c, v in before.items()}).where(
        (SalonCustomer.salon == salon.id) & (SalonCustomer.id == survivor.id)).execute()
    card = {column: _restored(column, value) for column, value in merge.merged_card.items()}
    identity = card.pop("customer_id")
    if not Customer.select().where(Customer.id == identity).exists() or card["phone_e164"] and (
            Customer.get_by_id(identity).phone_e164 != card["phone_e164"]):
        identity = identity_for_phone(card["phone_e164"])
    SalonCustomer.insert({**{getattr(SalonCustomer, c): v for c, v in card.items()}, SalonCustomer.id: merge.merged_id,
                          SalonCustomer.salon: salon.id, SalonCustomer.identity: identity,
                          **{getattr(SalonCustomer, f): 0 if f in ("visit_count", "total_spent") else None
                             for f in FIGURES}}).execute()
    return merge.merged_id


def _move_back(salon, merge, survivor, restored):
    """Give the merged card back exactly the rows the merge moved, and the figures of its ledger rows."""
    moved = merge.moved
    for kind, model in MOVED_MODELS.items():
        ids = moved.get(kind, [])
        for start in range(0, len(ids), 500):
            model.update(customer=restored).where(
                (model.salon == salon.id) & (model.customer == survivor.id) & model.id.in_(ids[start:start + 500])
            ).execute()
    added = moved.get("tag_added", [])
    if added:
        CustomerTag.delete().where((CustomerTag.salon == salon.id) & (CustomerTag.customer == survivor.id)
                                   & CustomerTag.tag.in_(added)).execute()
    tags = [tag for (tag,) in Tag.in_salon(salon, Tag.id).where(Tag.id.in_(moved.get("tag", []))).tuples()]
    if tags:
        CustomerTag.insert_many([{"salon": salon.id, "customer": restored, "tag": tag} for tag in tags]).execute()
    reassign_visits(salon.id, restored, sources={"sale": moved.get("sale", []),
                                                 "appointment": moved.get("appointment", []),
                                                 "import": moved.get("import", [])})
