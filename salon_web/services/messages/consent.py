"""Consent changes that come from the client: the one-click unsubscribe link and an SMS "STOP"; feedback ratings.

Each change is written to the card (consent columns, version bumped so an open edit form sees it), the
communication history (an inbound row) and the audit log.
"""
from peewee import IntegrityError, fn

from salon_web.db import db
from salon_web.models import CustomerCommunication, NotInSalon, Salon, SalonCustomer, utcnow
from salon_web.models.messages import CustomerFeedback
from salon_web.services import audit
from salon_web.services.field_errors import FieldErrors
from salon_web.texts import _l

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET", "ARRÊT", "HAGARIKA"}
COMMENT_MAX = 2000


def is_stop(text):
    """True when an SMS reply asks to stop (Twilio's keywords, French and Kinyarwanda), whatever the case."""
    words = (text or "").strip().upper().split()
    return bool(words) and words[0].strip(".!") in STOP_WORDS


def _withdraw(salon, customer, *, channel, via, now, refuse_sms=False):
    changes = {"marketing_consent_withdrawn_at": now, "version": SalonCustomer.version + 1, "updated_at": now}
    if refuse_sms:
        accepted = customer.communication_preferences or ["sms", "email", "phone", "in_app"]
        changes["communication_preferences"] = [c for c in accepted if c != "sms"]
    with db.atomic():
        SalonCustomer.update(**changes).where(
            (SalonCustomer.salon == salon) & (SalonCustomer.id == customer.id)).execute()
        CustomerCommunication.create(salon=salon, customer=customer, type=channel, purpose="marketing",
                                     status="delivered", direction="inbound", message=f"Stopped messages ({via}).",
                                     recipient="", created_at=now, status_updated_at=now, metadata={"via": via})
        audit.record("consent.withdrawn", salon=salon, object_type="customer", object_id=customer.id,
                     detail={"via": via, "sms_refused": refuse_sms})


def unsubscribe(salon_id, customer_id, now=None):
    """Withdraw the customer's marketing consent (the signed link); return the salon, or raise NotInSalon."""
    now = now or utcnow()
    salon = Salon.get_or_none(Salon.id == salon_id)
    if salon is None:
        raise NotInSalon(Salon, salon_id)
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    if customer.has_marketing_consent or customer.marketing_consent_withdrawn_at is None:
        _withdraw(salon, customer, channel="email", via="unsubscribe link", now=now)
    return salon


def stop_from_phone(phone_e164, text, now=None):
    """An SMS reply from a phone: STOP withdraws marketing consent and SMS at every salon that has this phone on a
    card (the provider blocks that sender for the phone anyway); return how many cards changed."""
    if not is_stop(text) or not phone_e164:
        return 0
    now = now or utcnow()
    cards = list(SalonCustomer.select(SalonCustomer.salon, SalonCustomer.id).where(SalonCustomer.phone_e164 == phone_e164))
    for card in cards:
        salon = Salon.get_by_id(card.salon_id)
        customer = SalonCustomer.get_in_salon(salon, card.id)
        _withdraw(salon, customer, channel="sms", via="SMS STOP", now=now, refuse_sms=True)
    return len(cards)


def record_feedback(salon_id, customer_id, occasion, rating, comment, now=None):
    """Store a 1-5 rating with a comment for one visit; return (feedback, created). FieldErrors if refused."""
    errors = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = _l("Choose from 1 to 5 stars.")
    comment = (comment or "").replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _l("Use at most %(count)s characters.", count=COMMENT_MAX)
    if errors:
        raise FieldErrors(errors)
    salon = Salon.get_or_none(Salon.id == salon_id)
    if salon is None:
        raise NotInSalon(Salon, salon_id)
    customer = SalonCustomer.get_in_salon(salon, customer_id)
    existing = CustomerFeedback.in_salon(salon).where(
        (CustomerFeedback.customer == customer) & (CustomerFeedback.occasion == occasion)).first()
    if existing is not None:
        return existing, False
    try:
        with db.atomic():
            feedback = CustomerFeedback.create(salon=salon, customer=customer, occasion=occasion, rating=rating,
                                               comment=comment, created_at=now or utcnow())
            audit.record("feedback.received", salon=salon, object_type="customer", object_id=customer.id,
                         detail={"rating": rating, "occasion": occasion})
    except IntegrityError:  # the same link submitted twice at once
        return CustomerFeedback.in_salon(salon).where(
            (CustomerFeedback.customer == customer) & (CustomerFeedback.occasion == occasion)).first(), False
    return feedback, True


def existing_feedback(salon_id, customer_id, occasion):
    return CustomerFeedback.select().where((CustomerFeedback.salon == salon_id) & (CustomerFeedback.customer == customer_id)
                                           & (CustomerFeedback.occasion == occasion)).first()


def feedback_summary(salon, since=None):
    """Return (average rating rounded to 0.1 or None, count) of the salon's feedback (since a moment)."""
    query = CustomerFeedback.in_salon(salon, fn.AVG(CustomerFeedback.rating), fn.COUNT(CustomerFeedback.id))
    if since is not None:
        query = query.where(CustomerFeedback.created_at >= since)
    average, count = query.tuples().first() or (None, 0)
    return (round(float(average), 1) if average is not None else None), count


def feedback_of(customer, limit=5):
    return list(CustomerFeedback.in_salon(customer.salon_id).where(CustomerFeedback.customer == customer)
                .order_by(CustomerFeedback.created_at.desc()).limit(limit))
