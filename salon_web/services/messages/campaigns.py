"""Campaigns: one marketing message to a saved segment or a list filter, now or at a set time; progress; stop.

Creating a campaign queues one row per customer it reaches (source "campaign:<id>"), rendered for each, so the
preview's "reaches N" is exactly what is queued; consent and the cap are checked again when each is sent.
"""
import datetime


from salon_web.db import db
from salon_web.models import SalonCustomer, utcnow
from salon_web.models.messages import DEFERRED, LANGUAGES, QUEUED, STOPPED, Campaign, OutboundMessage
from salon_web.services import audit
from salon_web.services.field_errors import FieldErrors
from salon_web.services.messages.delivery import queue_messages, status_counts
from salon_web.services.messages.rules import CAPPED, NO_CHANNEL, NO_CONSENT, choose_channel, marketing_sent_since, recipient_for
from salon_web.services.messages.templates import Wording, check_template, compose, placeholder_values
from salon_web.texts import _l

CHANNELS = ("auto", "sms", "email")
NAME_MAX = 100
# Only what a message needs is read for each recipient (notes, preferences and figures stay behind).
AUDIENCE_COLUMNS = (SalonCustomer.id, SalonCustomer.salon, SalonCustomer.full_name, SalonCustomer.phone_e164,
                    SalonCustomer.email, SalonCustomer.communication_preferences, SalonCustomer.marketing_consent_at,
                    SalonCustomer.marketing_consent_withdrawn_at)


def audience(salon, customer_filter, channel, settings, now):
    """Return ([(customer, channel)], {reason: count}) for a campaign to the filter's customers."""
    since = now - datetime.timedelta(days=settings.cap_days)
    sent = marketing_sent_since(salon, customer_filter.matching(salon, SalonCustomer.id, now=now), since)
    reached, skipped = [], {NO_CONSENT: 0, NO_CHANNEL: 0, CAPPED: 0}
    query = customer_filter.matching(salon, *AUDIENCE_COLUMNS, now=now).order_by(SalonCustomer.id)
    for customer in query.iterator():
        chosen, reason = choose_channel(customer, "marketing", channel)
        if chosen is None:
            skipped[reason] += 1
        elif sent.get(customer.id, 0) >= settings.marketing_cap:
            skipped[CAPPED] += 1
        else:
            reached.append((customer, chosen))
    return reached, skipped


def check_campaign(name, channel, language, subject, body, send_at, now):
    """Return the tidied (name, subject, body); raise FieldErrors."""
    errors = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = _l("Name the campaign.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("Use at most %(count)s characters.", count=NAME_MAX)
    if channel not in CHANNELS:
        errors["channel"] = _l("Choose SMS, e-mail or the best channel per client.")
    try:
        subject, body = check_template("marketing", language, subject, body)
    except FieldErrors as refused:
        errors.update(refused.errors)
    if send_at is not None and send_at < now - datetime.timedelta(minutes=1):
        errors["send_at"] = _l("Choose a time in the future, or send now.")
    if errors:
        raise FieldErrors(errors)
    return name, subject, body


def create_campaign(salon, settings, config, *, name, customer_filter, channel, language, subject, body,
                    send_at=None, user=None, now=None):
    """Create a campaign and queue its messages (sent from `send_at`, else now); return it. FieldErrors if refused."""
    now = now or utcnow()
    name, subject, body = check_campaign(name, channel, language, subject, body, send_at, now)
    language = language if language in LANGUAGES else settings.language
    reached, skipped = audience(salon, customer_filter, channel, settings, now)
    wording = Wording(subject, body, True)
    with db.atomic():
        campaign = Campaign.create(salon=salon, name=name, query=customer_filter.query_string(), channel=channel,
                                   language=language, subject=subject, body=body, send_at=send_at,
                                   status="scheduled" if send_at and send_at > now else "sending",
                                   created_by=user, skipped=skipped)
    rows = []
    for customer, chosen in reached:
        values = placeholder_values(salon, customer, config=config)
        rendered_subject, rendered_body = compose(wording, "marketing", language, values)
        rows.append({"salon": salon.id, "customer": customer.id, "source": f"campaign:{campaign.id}", "occasion": "1",
                     "purpose": "marketing", "channel": chosen, "recipient": recipient_for(customer, chosen),
                     "subject": rendered_subject, "body": rendered_body, "send_after": send_at or now,
                     "campaign": campaign.id, "sent_by": user})
    queued = queue_messages(rows)
    with db.atomic():
        Campaign.update(queued_count=queued).where((Campaign.salon == salon) & (Campaign.id == campaign.id)).execute()
        audit.record("campaign.created", salon=salon, user=user, object_type="campaign", object_id=campaign.id,
                     detail={"queued": queued, "skipped": skipped, "query": campaign.query, "channel": channel})
    campaign.queued_count = queued
    return campaign


def stop_campaign(salon, campaign, user=None):
    """Stop a campaign: what is not yet being sent never will be; return how many were stopped."""
    with db.atomic():
        stopped = OutboundMessage.update(status=STOPPED, error="campaign stopped").where(
            (OutboundMessage.salon == salon) & (OutboundMessage.campaign == campaign.id)
            & OutboundMessage.status.in_([QUEUED, DEFERRED])).execute()
        Campaign.update(status="stopped").where((Campaign.salon == salon) & (Campaign.id == campaign.id)).execute()
        audit.record("campaign.stopped", salon=salon, user=user, object_type="campaign", object_id=campaign.id,
                     detail={"stopped": stopped})
    return stopped


def progress(salon, campaign):
    """Return {status: count} of the campaign's messages, with "done" when nothing is left to send."""
    counts = status_counts(salon, campaign=campaign.id)
    counts["pending"] = counts.get(QUEUED, 0) + counts.get(DEFERRED, 0) + counts.get("sending", 0)
    counts["done"] = counts["pending"] == 0
    return counts


def campaigns_of(salon, limit=50):
    return list(Campaign.in_salon(salon).order_by(Campaign.id.desc()).limit(limit))

