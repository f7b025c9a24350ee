"""Recording messages and calls for a customer, respecting consent; status moves forward only."""
import dataclasses

from peewee import JOIN, Tuple

from salon_web.db import db
from salon_web.ids import MAX_ID
from salon_web.models import CustomerCommunication, User, utcnow
from salon_web.models.communications import DIRECTIONS, PURPOSES, STATUSES
from salon_web.models.customers import CHANNELS
from salon_web.services import audit, paging
from salon_web.services.customer_create import EMAIL_PATTERN
from salon_web.services.field_errors import FieldErrors
from salon_web.services.phones import InvalidPhone, normalize_phone
from salon_web.texts import _l

SUBJECT_MAX = 200
MESSAGE_MAX = 5000
PER_PAGE = 20
# pending -> sent -> delivered | failed; delivered and failed are final.
NEXT_STATUSES = {"pending": ("sent", "delivered", "failed"), "sent": ("delivered", "failed"), "delivered": (), "failed": ()}
CHANNEL_LABELS = {"sms": _l("SMS"), "email": _l("Email"), "phone": _l("Phone call"), "in_app": _l("In-app")}
# The timeline names the in-app channel in full.
EVENT_CHANNEL_LABELS = {**CHANNEL_LABELS, "in_app": _l("In-app message")}
# Labels of values stored in the database (the values themselves are never translated).
PURPOSE_LABELS = {
    "appointment_reminder": _l("Appointment reminder"), "appointment_confirmation": _l("Appointment confirmation"),
    "appointment_cancellation": _l("Appointment cancellation"), "marketing": _l("Marketing"),
    "follow_up": _l("Follow-up"), "birthday": _l("Birthday"), "anniversary": _l("Anniversary"),
    "feedback": _l("Feedback"), "other": _l("Other"),
}
STATUS_LABELS = {"pending": _l("pending"), "sent": _l("sent"), "delivered": _l("delivered"), "failed": _l("failed")}
STATUS_TITLES = {"pending": _l("Pending"), "sent": _l("Sent"), "delivered": _l("Delivered"), "failed": _l("Failed")}
MARK_LABELS = {"pending": _l("Mark pending"), "sent": _l("Mark sent"), "delivered": _l("Mark delivered"),
               "failed": _l("Mark failed")}



def channel_list(channels):
    """Accepted channels as one comma-separated text in the request's language ("" when none)."""
    return ", ".join(str(CHANNEL_LABELS.get(channel, channel)) for channel in channels or ())


class ConsentRefused(FieldErrors):
    """The customer has not agreed to this kind of message on this channel; `message` says why."""

    def __init__(self, field, message):
        super().__init__({field: message})
        self.message = str(message)


class StatusRefused(FieldErrors):
    """A status may only move forward; `message` says why."""

    def __init__(self, message):
        super().__init__({"status": message})
        self.message = str(message)


@dataclasses.dataclass(frozen=True)
class NewMessage:
    """A message or call to record, as typed (the channel, purpose and status among the known ones, or None)."""

    type: str | None
    purpose: str | None
    status: str | None = "sent"
    subject: str = ""
    message: str = ""
    recipient: str = ""
    direction: str | None = "outbound"  # "inbound": the customer called or wrote


def default_recipient(customer, channel):
    """Return the recipient pre-filled for a channel: the phone for sms/phone, the email for email."""
    if channel in ("sms", "phone"):
        return customer.phone_e164 or customer.phone or ""
    if channel == "email":
        return customer.email or ""
    return ""


def consent_problem(customer, channel, purpose):
    """Return why this message may not be sent to the customer, or None.

    Marketing needs consent that was not withdrawn. A channel is refused when the customer
    recorded the channels they accept and this one is not among them; no record yet means
    no channel has been refused.
    """
    accepted = customer.communication_preferences or []
    label = CHANNEL_LABELS.get(channel, channel)
    if purpose == "marketing" and not customer.has_marketing_consent:
        if customer.marketing_consent_withdrawn_at:
            return _l("This customer withdrew marketing consent: marketing messages cannot be recorded.")
        return _l("This customer has not given marketing consent: marketing messages cannot be recorded.")
    if accepted and channel not in accepted:
        return _l("This customer does not accept %(channel)s messages. Use one of: %(channels)s.", channel=label,
                  channels=", ".join(str(CHANNEL_LABELS[c]) for c in accepted if c in CHANNEL_LABELS))
    return None


def check_message(salon, customer, new):
    """Return the columns to record for `new` (recipient defaulted and normalised); raise FieldErrors."""
    errors = {}
    if new.type not in CHANNELS:
        errors["type"] = _l("Choose SMS, email, phone or in-app.")
    if new.purpose not in PURPOSES:
        errors["purpose"] = _l("Choose a purpose.")
    if new.status not in STATUSES:
        errors["status"] = _l("Choose a status.")
    if new.direction not in DIRECTIONS:
        errors["direction"] = _l("Choose whether the salon or the customer made contact.")
    subject = " ".join((new.subject or "").split())
    message = (new.message or "").replace("\r\n", "\n").strip()
    recipient = (new.recipient or "").strip() or default_recipient(customer, new.type)
    if len(subject) > SUBJECT_MAX:
        errors["subject"] = _l("Use at most %(count)s characters.", count=SUBJECT_MAX)
    if len(message) > MESSAGE_MAX:
        errors["message"] = _l("Use at most %(count)s characters.", count=MESSAGE_MAX)
    if new.type in ("sms", "email") and not message:
        errors["message"] = _l("Write the message that was sent.")
    if new.type == "email":
        recipient = recipient.lower()
        if not EMAIL_PATTERN.match(recipient) or len(recipient) > 254:
            errors["recipient"] = _l("Enter the email address it went to.")
    elif new.type in ("sms", "phone"):
        try:
            recipient = normalize_phone(recipient, salon.country)
        except InvalidPhone:
            errors["recipient"] = _l("Enter the phone number it went to.")
    elif len(recipient) > 254:
        errors["recipient"] = _l("That recipient is too long.")
    if errors:
        raise FieldErrors(errors)
    return {"type": new.type, "purpose": new.purpose, "status": new.status, "subject": subject,
            "message": message, "recipient": recipient, "direction": new.direction}


def record_communication(salon, customer, values, *, user=None, ip=None):
    """Store one communication from `check_message`'s values and return it; raise ConsentRefused.

    An inbound call or message is the customer's own doing: it is recorded whatever their consent."""
    inbound = values.get("direction") == "inbound"
    problem = None if inbound else consent_problem(customer, values["type"], values["purpose"])
    if problem:
        raise ConsentRefused("purpose" if values["purpose"] == "marketing" else "type", problem)
    now = utcnow()
    with db.atomic():
        communication = CustomerCommunication.create(
            salon=salon, customer=customer, sent_by=user, created_at=now, status_updated_at=now, **values)
        audit.record("communication.recorded", salon=salon, user=user, object_type="customer",
                     object_id=customer.id, ip=ip,
                     detail={"communication_id": communication.id, "type": values["type"], "purpose": values["purpose"]})
    return communication


def change_status(salon, communication, new_status, *, user=None, ip=None):
    """Move a communication's status forward; return it fresh or raise StatusRefused."""
    allowed_from = [old for old, nexts in NEXT_STATUSES.items() if new_status in nexts]
    if new_status not in STATUSES or not allowed_from:
        raise StatusRefused(_l("“%(status)s” is not a status it can move to.", status=new_status))
    with db.atomic():
        updated = CustomerCommunication.update(status=new_status, status_updated_at=utcnow()).where(
            (CustomerCommunication.id == communication.id) & (CustomerCommunication.salon == salon)
            & CustomerCommunication.status.in_(allowed_from)).execute()
        if not updated:
            raise StatusRefused(_l("A %(old)s message cannot become %(new)s: status only moves forward.",
                                    old=STATUS_LABELS.get(communication.status, communication.status),
                                    new=STATUS_LABELS.get(new_status, new_status)))
        audit.record("communication.status", salon=salon, user=user, object_type="communication",
                     object_id=communication.id, ip=ip,
                     detail={"before": communication.status, "after": new_status})
    return CustomerCommunication.get_in_salon(salon, communication.id)


def of_customer(customer):
    """Return a select of the customer's communications (in the customer's salon)."""
    return CustomerCommunication.in_salon(customer.salon_id).where(CustomerCommunication.customer == customer)


def communication_history(customer, *, limit=PER_PAGE, before=None):
    """Return the customer's communications, newest first, with who recorded them (older than the keyset
    position `before` = (created_at, id) when given)."""
    query = (CustomerCommunication.in_salon(customer.salon_id, CustomerCommunication, User)
             .join(User, on=(CustomerCommunication.sent_by == User.id), join_type=JOIN.LEFT_OUTER)
             .where(CustomerCommunication.customer == customer)
             .order_by(CustomerCommunication.created_at.desc(), CustomerCommunication.id.desc()))
    if before is not None:
        query = query.where(Tuple(CustomerCommunication.created_at, CustomerCommunication.id) < Tuple(*before))
    return list(query.limit(limit))


def history_page(customer, cursor=None, per_page=PER_PAGE):
    """Return (communications, next cursor or None): one keyset page of the history (services/paging.py)."""
    before = None if cursor is None else paging.decode(cursor, _position)
    rows = communication_history(customer, limit=per_page + 1, before=before)
    more = len(rows) > per_page
    rows = rows[:per_page]
    return rows, (paging.encode(rows[-1].created_at, rows[-1].id) if more else None)


def _position(created_at, communication_id):
    return paging.moment(created_at), paging.whole_number(communication_id, 1, MAX_ID)
