"""A customer's communications: the history, recording one (consent respected), moving its status forward."""
from typing import Literal

from flask import request
from pydantic import Field

from salon_web.api import bp
from salon_web.api.customer_detail import customer_in_salon
from salon_web.api.framework import Schema, UtcDateTime, operation
from salon_web.api.problems import ApiProblem, service_errors
from salon_web.models import get_in
from salon_web.models.communications import PURPOSES, STATUSES
from salon_web.models.customers import CHANNELS
from salon_web.security import client_ip
from salon_web.services import communications
from salon_web.services.communications import MESSAGE_MAX, SUBJECT_MAX
from salon_web.services.field_errors import FieldErrors


class Communication(Schema):
    id: int
    customer_id: int
    type: str
    purpose: str
    status: str
    subject: str
    message: str
    recipient: str
    sent_by: str | None = Field(description="Name of the staff member who recorded it")
    created_at: UtcDateTime
    status_updated_at: UtcDateTime


class CommunicationList(Schema):
    data: list[Communication]


class CommunicationQuery(Schema):
    limit: int = Field(communications.PER_PAGE, ge=1, le=100)


class CommunicationCreate(Schema):
    type: Literal[CHANNELS]
    purpose: Literal[PURPOSES]
    status: Literal[STATUSES] = "sent"
    subject: str = Field("", max_length=SUBJECT_MAX)
    message: str = Field("", max_length=MESSAGE_MAX)
    recipient: str | None = Field(None, max_length=254, description="Defaults to the customer's phone or e-mail")


class StatusChange(Schema):
    status: Literal[STATUSES]


def _shown(communication, sent_by=None):
    return {
        "id": communication.id, "customer_id": communication.customer_id, "type": communication.type,
        "purpose": communication.purpose, "status": communication.status, "subject": communication.subject or "",
        "message": communication.message or "", "recipient": communication.recipient or "", "sent_by": sent_by,
        "created_at": communication.created_at, "status_updated_at": communication.status_updated_at,
    }


@operation(bp, "GET", "/salons/<int:salon_id>/customers/<int:customer_id>/communications",
           summary="A customer's communications", query=CommunicationQuery, response=CommunicationList,
           tag="communications")
def list_communications(user, salon, customer_id, query):
    """The customer's messages and calls, newest first."""
    customer = customer_in_salon(salon, customer_id)
    rows = communications.communication_history(customer, limit=query.limit)
    return {"data": [_shown(c, c.sent_by.name if c.__data__.get("sent_by") else None) for c in rows]}


@operation(bp, "POST", "/salons/<int:salon_id>/customers/<int:customer_id>/communications",
           summary="Record a communication", body=CommunicationCreate, response=Communication, status=201,
           tag="communications")
def record_communication(user, salon, customer_id, body):
    """Record a message or call; 422 when the customer's consent or accepted channels forbid it."""
    customer = customer_in_salon(salon, customer_id)
    new = communications.NewMessage(type=body.type, purpose=body.purpose, status=body.status, subject=body.subject,
                                    message=body.message, recipient=body.recipient or "")
    try:
        values = communications.check_message(salon, customer, new)
        communication = communications.record_communication(salon, customer, values, user=user.id,
                                                            ip=client_ip(request))
    except communications.ConsentRefused as refusal:
        raise ApiProblem(422, refusal.message, errors=[{"field": field, "in": "body", "message": refusal.message}
                                                       for field in refusal.errors])
    except FieldErrors as refused:
        raise service_errors(refused.errors, "body")
    return _shown(communication, user.name), 201


@operation(bp, "POST", "/salons/<int:salon_id>/customers/<int:customer_id>/communications/<int:communication_id>/status",
           summary="Move a communication's status forward", body=StatusChange, response=Communication,
           tag="communications")
def communication_status(user, salon, customer_id, communication_id, body):
    """pending → sent → delivered or failed; any other change is refused with 422."""
    customer = customer_in_salon(salon, customer_id)
    communication = get_in(communications.of_customer(customer), communication_id)
    try:
        communication = communications.change_status(salon, communication, body.status, user=user.id,
                                                     ip=client_ip(request))
    except communications.StatusRefused as refusal:
        raise ApiProblem(422, refusal.message, errors=[{"field": "status", "in": "body", "message": refusal.message}])
    sent_by = communication.sent_by.name if communication.__data__.get("sent_by") else None
    return _shown(communication, sent_by)
