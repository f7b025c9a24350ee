"""Bulk tagging: add or remove one tag on selected customers, or on every customer matching a filter."""
import dataclasses

from peewee import Value

from salon_web.db import db
from salon_web.models import CustomerTag, SalonCustomer, Tag
from salon_web.services import audit
from salon_web.services.customers import ensure_tag

ACTIONS = ("add", "remove")
SCOPES = ("selected", "all")
MAX_SELECTED = 500
MAX_TAG_LENGTH = 50


@dataclasses.dataclass(frozen=True)
class BulkTagChange:
    """What to do: add/remove `tag` on the `ids` selected, or on all customers matching the filter."""

    action: str
    tag: str
    scope: str
    ids: tuple = ()


def _targets(change, customer_filter, salon):
    """Return a query of the ids of the salon's customers the change is for."""
    if change.scope == "all":
        return customer_filter.matching(salon, SalonCustomer.id)
    return SalonCustomer.in_salon(salon, SalonCustomer.id).where(SalonCustomer.id.in_(list(change.ids)))


def apply(change, customer_filter, salon, *, user=None, ip=None):
    """Apply the change in one transaction, audit it, and return how many customers changed."""
    with db.atomic():
        targets = _targets(change, customer_filter, salon)
        if change.action == "add":
            tag = ensure_tag(salon, change.tag)
            rows = targets.select(Value(salon.id), SalonCustomer.id, Value(tag.id))
            changed = (
                CustomerTag.insert_from(rows, [CustomerTag.salon, CustomerTag.customer, CustomerTag.tag])
                .on_conflict_ignore()
                .as_rowcount()
                .execute()
            )
        else:
            tag = Tag.in_salon(salon).where(Tag.name == change.tag).first()
            changed = 0
            if tag is not None:
                changed = CustomerTag.delete().where(
                    (CustomerTag.salon == salon) & (CustomerTag.tag == tag) & CustomerTag.customer.in_(targets)
                ).execute()
        detail = {"action": change.action, "tag": change.tag, "scope": change.scope, "changed": changed}
        if change.scope == "all":
            detail["filter"] = customer_filter.describe()
        else:
            detail["ids"] = list(change.ids)
        audit.record("customer.bulk_tags", salon=salon.id, user=user, ip=ip, object_type="tag",
                     object_id=tag.id if tag else None, detail=detail)
    return changed
