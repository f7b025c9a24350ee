"""Merging duplicate customers and undoing a merge (owners and admins)."""
from typing import Literal

from flask import request
from pydantic import Field

from salon_web.api import bp
from salon_web.api.customer_detail import CustomerDetail, customer_detail, customer_in_salon
from salon_web.api.framework import MAX_ID, Schema, operation
from salon_web.api.problems import ApiProblem, service_errors
from salon_web.models import NotInSalon, SalonCustomer
from salon_web.security import client_ip
from salon_web.services import merges
from salon_web.services.field_errors import FieldErrors
from salon_web.tenancy import MANAGERS
from salon_web.texts import _l

Choice = Literal[tuple(merges.CHOICES)]
Side = Literal[merges.SURVIVOR, merges.MERGED]


class MergeRequest(Schema):
    """Merge the customer of the URL into `into`; `choices` picks the merged card's value for some fields."""

    into: int = Field(ge=1, le=MAX_ID, description="The id of the card that stays")
    choices: dict[Choice, Side] = Field(default_factory=dict, description=(
        "Whose value wins per field; by default the surviving card's, the merged card's where it has none. "
        "Notes are always joined."))


class MergeAnswer(Schema):
    merge_id: int
    survivor: CustomerDetail


class UndoAnswer(Schema):
    survivor: CustomerDetail
    restored: CustomerDetail


@operation(bp, "POST", "/salons/<int:salon_id>/customers/<int:customer_id>/merge", summary="Merge into another customer",
           body=MergeRequest, response=MergeAnswer, roles=MANAGERS)
def merge_customer(user, salon, customer_id, body):
    """Move this customer's sales, appointments, messages, tags and visits to `into`; this id then answers 404."""
    customer_in_salon(salon, customer_id)
    try:
        SalonCustomer.get_in_salon(salon, body.into)
    except NotInSalon:
        raise service_errors({"into": _l("No such customer in this salon.")}, "body") from None
    try:
        result = merges.merge_cards(salon, customer_id, body.into, dict(body.choices), user=user.id,
                                    ip=client_ip(request))
    except FieldErrors as refused:
        raise service_errors(refused.errors, "body") from None
    except merges.MergeRefused as refused:
        raise ApiProblem(409, refused.message) from None
    return {"merge_id": result.merge.id, "survivor": customer_detail(salon, result.survivor)}


@operation(bp, "POST", "/salons/<int:salon_id>/merges/<int:merge_id>/undo", summary="Undo a merge",
           response=UndoAnswer, roles=MANAGERS)
def undo_merge(user, salon, merge_id):
    """Restore both cards and every moved row as they were before the merge (for 30 days; 409 otherwise)."""
    try:
        survivor, restored = merges.undo_merge(salon, merge_id, user=user.id, ip=client_ip(request))
    except merges.MergeRefused as refused:
        raise ApiProblem(409, refused.message) from None
    return {"survivor": customer_detail(salon, survivor), "restored": customer_detail(salon, restored)}
