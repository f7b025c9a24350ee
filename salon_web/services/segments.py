"""Saved segments: a named customer-list filter, stored as its canonical query string."""
from peewee import IntegrityError

from salon_web.db import db
from salon_web.models import SavedSegment
from salon_web.services.field_errors import FieldErrors
from salon_web.texts import _l

MAX_NAME = 100
DUPLICATE_NAME = _l("A segment with this name exists already.")


def segments_for(salon):
    """The salon's segments, by name."""
    return list(SavedSegment.in_salon(salon).order_by(SavedSegment.name))


def _tidy_name(name, errors):
    """Return the name with its spaces tidied; a message in `errors` when it cannot be one."""
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = _l("Give the segment a name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _l("Use at most %(count)s characters.", count=MAX_NAME)
    return name


def save_segment(salon, name, customer_filter, user=None, *, refused=None):
    """Return the segment saving the filter (without paging) under a name; raise FieldErrors.

    `refused` holds what the edge could not read of the filter, so every message is given at once.
    """
    errors = {}
    name = _tidy_name(name, errors)
    if refused:
        errors.update(refused)
    elif not customer_filter.is_filtered:
        errors["query"] = _l("Set a search or a filter first: a segment of every customer is the whole list.")
    if errors:
        raise FieldErrors(errors)
    try:
        with db.atomic():
            return SavedSegment.create(salon=salon, name=name, query=customer_filter.query_string(),
                                       created_by=user)
    except IntegrityError:
        raise FieldErrors({"name": DUPLICATE_NAME}) from None


def rename_segment(segment, name):
    """Rename a segment; raise FieldErrors."""
    errors = {}
    name = _tidy_name(name, errors)
    if errors:
        raise FieldErrors(errors)
    try:
        with db.atomic():
            SavedSegment.update(name=name).where(
                (SavedSegment.salon == segment.salon_id) & (SavedSegment.id == segment.id)).execute()
    except IntegrityError:
        raise FieldErrors({"name": DUPLICATE_NAME}) from None
    segment.name = name


def delete_segment(segment):
    """Delete a segment (the customers are untouched)."""
    SavedSegment.delete().where((SavedSegment.salon == segment.salon_id) & (SavedSegment.id == segment.id)).execute()
