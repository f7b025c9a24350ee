"""Bulk tagging: add or remove one tag on selected customers, or on every customer matching a filter."""
import dataclasses

from peewee import Value

from salon_web.ids import parse_id
from salon_web.db import db
from salon_web.models import CustomerTag, SalonCustomer, Tag
from salon_web.services import audit
from salon_web.services.customers import ensure_tag

ACTIONS = ("add", "remove")
SCOPES = ("selected", "all")
MAX_SELECTED = 500


@dataclasses.dataclass(frozen=True)
class BulkTagChange:
    """What to do: add/remove `tag` on the `ids` selected, or on all customers matching the filter."""

    action: str
    tag: str
    scope: str
    ids: tuple = ()

    @classmethod
    def from_form(cls, form):
        """Return (change, errors) from the bulk form's fields (action, tag, scope, ids)."""
        errors = {}
        action = (form.get("action") or "").strip()
        if action not in ACTIONS:
            errors["action"] = "Choose to add or remove the tag."
        tag = " ".join((form.get("tag") or "").split())
        if not tag:
            errors["tag"] = "Enter the tag to add or remove."
        elif len(tag) > 50:
            errors["tag"] = "A tag has at most 50 characters."
        scope = (form.get("scope") or "selected").strip()
        if scope not in SCOPES:
            errors["scope"] = "Choose the selected customers or all matching ones."
        raw_ids = form.getlist("ids") if hasattr(form, "getlist") else form.get("ids", [])
        ids = []
        for raw in raw_ids:
            if parse_id(raw):
                ids.append(parse_id(raw))
            else:
                errors["ids"] = "The selection is not valid. Reload the page and try again."
        if scope == "selected" and not ids and "ids" not in errors:
            errors["ids"] = "Select at least one customer, or choose all matching customers."
        if len(ids) > MAX_SELECTED:
            errors["ids"] = f"Select at most {MAX_SELECTED} customers, or choose all matching customers."
        return cls(action, tag, scope, tuple(dict.fromkeys(ids))), errors


def _targets(change, customer_filter, salon):
    if change.scope == "all":
        return customer_filter.matching(salon, SalonCustomer.id)
    return SalonCustomer.select(SalonCustomer.id).where(
        (SalonCustomer.salon == salon) & SalonCustomer.id.in_(list(change.ids))
    )


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
            tag = Tag.get_or_none((Tag.salon == salon) & (Tag.name == change.tag))
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
