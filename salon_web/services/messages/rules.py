"""The rules no message breaks: consent and channel, quiet hours (defer, never drop) and the marketing cap.

They are checked when a message is queued (to say who a campaign reaches) and again when a worker claims it,
so consent withdrawn in between is respected.
"""
import datetime

from peewee import Query, fn

from salon_web.models.messages import SENDING, SENT, MessageSettings, OutboundMessage
from salon_web.services.clock import to_local, to_utc
from salon_web.services.communications import consent_problem
from salon_web.services.messages.render import MARKETING, PURPOSES

NO_CONSENT, NO_CHANNEL, CAPPED = "no consent", "no channel", "capped"
AUTOMATIONS = ("birthday", "anniversary", "follow_up", "win_back", "appointment_reminder",
               "appointment_confirmation", "feedback")


def settings_for(salon):
    """Return the salon's MessageSettings (an unsaved row of defaults until the owner edits them).

    Until the owner picks one, clients' messages speak the salon's own default language.
    """
    found = MessageSettings.in_salon(salon).first()
    return found or MessageSettings(salon=salon, language=getattr(salon, "language", None) or "en")


def recipient_for(customer, channel):
    return customer.phone_e164 if channel == "sms" else (customer.email or None)


def choose_channel(customer, purpose, preferred="auto"):
    """Return (channel, None) to reach the customer for this template purpose, or (None, reason)."""
    communication_purpose = PURPOSES[purpose]
    if purpose in MARKETING and not customer.has_marketing_consent:
        return None, NO_CONSENT
    candidates = ("sms", "email") if preferred == "auto" else (preferred,)
    for channel in candidates:
        if recipient_for(customer, channel) and consent_problem(customer, channel, communication_purpose) is None:
            return channel, None
    return None, NO_CHANNEL


def refusal(customer, channel, purpose):
    """Why this message may not go to this customer on this channel now (NO_CONSENT, NO_CHANNEL), or None."""
    if purpose in MARKETING and not customer.has_marketing_consent:
        return NO_CONSENT
    if not recipient_for(customer, channel) or consent_problem(customer, channel, PURPOSES[purpose]):
        return NO_CHANNEL
    return None


def quiet_until(now, timezone, settings):
    """Return the naive-UTC end of quiet hours when `now` falls in them (salon time), else None."""
    local = to_local(now, timezone).replace(tzinfo=None)
    minutes = local.hour * 60 + local.minute
    start, end = settings.quiet_start, settings.quiet_end
    if start == end:
        return None
    quiet = (start <= minutes or minutes < end) if start > end else (start <= minutes < end)
    if not quiet:
        return None
    day = local.date() if minutes < end else local.date() + datetime.timedelta(days=1)
    return to_utc(datetime.datetime.combine(day, datetime.time(end // 60, end % 60)), timezone)


def marketing_sent_since(salon, customer_ids, since, exclude=None):
    """Return {customer id: marketing messages sent (or being sent) since `since`} for these customers."""
    if not isinstance(customer_ids, Query):
        customer_ids = list(customer_ids)
        if not customer_ids:
            return {}
    query = (OutboundMessage.in_salon(salon, OutboundMessage.customer, fn.COUNT(OutboundMessage.id))
             .where(OutboundMessage.customer.in_(customer_ids)
                    & OutboundMessage.purpose.in_(sorted(MARKETING))
                    & OutboundMessage.status.in_([SENT, SENDING])
                    & (OutboundMessage.claimed_at >= since))
             .group_by(OutboundMessage.customer))
    if exclude is not None:
        query = query.where(OutboundMessage.id != exclude)
    return {customer_id: count for customer_id, count in query.tuples()}


def is_capped(salon, customer, settings, now, exclude=None):
    """True when the customer already had the salon's cap of marketing messages in its window."""
    since = now - datetime.timedelta(days=settings.cap_days)
    return marketing_sent_since(salon, [customer.id], since, exclude).get(customer.id, 0) >= settings.marketing_cap

