"""Saved segments: a named customer-list filter, stored as its canonical query string."""
from urllib.parse import parse_qs

from peewee import IntegrityError

from salon_web.db import db
from salon_web.models import SavedSegment
from salon_web.services.customer_query import CustomerFilter

MAX_NAME = 100


def segments_for(salon):
    """The salon's segments, by name."""
    return list(SavedSegment.select().where(SavedSegment.salon == salon).order_by(SavedSegment.name))


def canonical_query(query_string, salon):
    """Return (query string, errors): the filter in `query_string` re-encoded without paging."""
    args = parse_qs(query_string.lstrip("?"), keep_blank_values=False)
    customer_filter, errors = CustomerFilter.from_args(args, salon)
    errors.pop("cursor", None)
    errors.pop("page", None)
    if errors:
        return "", {"query": "The filter has invalid values: " + " ".join(errors.values())}
    if not customer_filter.is_filtered:
        return "", {"query": "Set a search or a filter first: a segment of every customer is the whole list."}
    return customer_filter.query_string(), {}


def _name_error(name):
    if not name:
        return "Give the segment a name."
    if len(name) > MAX_NAME:
        return f"Use at most {MAX_NAME} characters."
    return None


def save_segment(salon, name, query_string, user=None):
    """Save the filter under a name; return (segment or None, errors)."""
    name = " ".join((name or "").split())
    errors = {}
    if _name_error(name):
        errors["name"] = _name_error(name)
    query, query_errors = canonical_query(query_string or "", salon)
    errors.update(query_errors)
    if errors:
        return None, errors
    try:
        with db.atomic():
            return SavedSegment.create(salon=salon, name=name, query=query, created_by=user), {}
    except IntegrityError:
        return None, {"name": "A segment with this name exists already."}


def rename_segment(segment, name):
    """Rename a segment; return errors (empty on success)."""
    name = " ".join((name or "").split())
    if _name_error(name):
        return {"name": _name_error(name)}
    try:
        with db.atomic():
            SavedSegment.update(name=name).where(SavedSegment.id == segment.id).execute()
    except IntegrityError:
        return {"name": "A segment with this name exists already."}
    segment.name = name
    return {}


def delete_segment(segment):
    """Delete a segment (the customers are untouched)."""
    SavedSegment.delete().where(SavedSegment.id == segment.id).execute()
