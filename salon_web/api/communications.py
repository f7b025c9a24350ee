"""A customer's communications: the history, recording one (consent respected), moving its status forward."""
from typing import Literal

from flask import request
from pydantic import Field
from werkzeug.datastructures import MultiDict

from salon_web.api import bp
from salon_web.api.customer_detail import customer_in_salon
from salon_web.api.framework import Schema, UtcDateTime, operation
from salon_web.api.problems import ApiProblem, service_errors
from salon_web.models import CustomerCommunication
from salon_web.models.communications import PURPOSES, STATUSES
from salon_web.models.customers import CHANNELS
from salon_web.security import client_ip
from salon_web.services import communications
from salon_web.services.communications import MESSAGE_MAX, SUBJECT_MAX


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
    form = MultiDict({key: value for key, value in body.model_dump().items() if value is not None})
    try:
        communication = communications.record_communication(salon, customer, form, user=user.id,
                                                            ip=client_ip(request))
    except communications.InvalidCommunication as invalid:
        raise service_errors(invalid.errors, "body")
    except communications.ConsentRefused as refusal:
        raise ApiProblem(422, str(refusal), errors=[{"field": "purpose" if body.purpose == "marketing" else "type",
                                                     "in": "body", "message": str(refusal)}])
    return _shown(communication, user.name), 201


@operation(bp, "POST", "/salons/<int:salon_id>/customers/<int:customer_id>/communications/<int:communication_id>/status",
           summary="Move a communication's status forward", body=StatusChange, response=Communication,
           tag="communications")
def communication_status(user, salon, customer_id, communication_id, body):
    """pending → sent → delivered or failed; any other change is refused with 422."""
    customer = customer_in_salon(salon, customer_id)
    communication = CustomerCommunication.get_or_none(
        (CustomerCommunication.id == communication_id) & (CustomerCommunication.salon == salon)
        & (CustomerCommunication.customer == customer))
    if communication is None:
        raise ApiProblem(404)
    try:
        communication = communications.change_status(salon, communication, body.status, user=user.id,
                                                     ip=client_ip(request))
    except communications.StatusRefused as refusal:
        raise ApiProblem(422, str(refusal), errors=[{"field": "status", "in": "body", "message": str(refusal)}])
    sent_by = communication.sent_by.name if communication.__data__.get("sent_by") else None
    return _shown(communication, sent_by)
