"""A salon's messaging settings: language, quiet hours, the marketing cap and the automation switches."""
import dataclasses
import uuid

from peewee import IntegrityError

from salon_web.db import db
from salon_web.models import utcnow
from salon_web.models.messages import LANGUAGES, MessageSettings
from salon_web.services import audit
from salon_web.services.field_errors import FieldErrors
from salon_web.services.messages.delivery import queue_messages
from salon_web.services.messages.render import DEFAULTS
from salon_web.services.messages.rules import AUTOMATIONS, choose_channel, recipient_for, refusal, settings_for
from salon_web.services.messages.templates import compose, placeholder_values, template_for
from salon_web.texts import _l


@dataclasses.dataclass(frozen=True)
class SettingsChange:
    language: str | None
    quiet_start: int | None  # minutes after local midnight
    quiet_end: int | None
    marketing_cap: int | None
    cap_days: int | None
    automations: tuple = ()


def save_settings(salon, change, user=None):
    """Store the salon's settings; return them; raise FieldErrors."""
    errors = {}
    if change.language not in LANGUAGES:
        errors["language"] = _l("Choose English, French or Kinyarwanda.")
    for field in ("quiet_start", "quiet_end"):
        value = getattr(change, field)
        if value is None or not 0 <= value < 24 * 60:
            errors[field] = _l("Enter a time such as 21:00.")
    if change.marketing_cap is None or not 0 <= change.marketing_cap <= 50:
        errors["marketing_cap"] = _l("Enter a whole number from 0 to 50.")
    if change.cap_days is None or not 1 <= change.cap_days <= 90:
        errors["cap_days"] = _l("Enter a whole number of days from 1 to 90.")
    unknown = [name for name in change.automations if name not in AUTOMATIONS]
    if unknown:
        errors["automations"] = _l("Unknown automation: %(names)s", names=", ".join(unknown))
    if errors:
        raise FieldErrors(errors)
    values = {"language": change.language, "quiet_start": change.quiet_start, "quiet_end": change.quiet_end,
              "marketing_cap": change.marketing_cap, "cap_days": change.cap_days,
              "automations": [name for name in AUTOMATIONS if name in change.automations], "updated_at": utcnow()}
    with db.atomic():
        updated = MessageSettings.update(**values).where(MessageSettings.salon == salon).execute()
        if not updated:
            try:
                with db.atomic():
                    MessageSettings.create(salon=salon, **values)
            except IntegrityError:
                MessageSettings.update(**values).where(MessageSettings.salon == salon).execute()
        audit.record("messages.settings", salon=salon, user=user, object_type="salon", object_id=salon.id,
                     detail={k: v for k, v in values.items() if k != "updated_at"})
    return settings_for(salon)


def switch_on(salon, *names):
    """Switch automations on (seed-demo), keeping the other settings."""
    settings = settings_for(salon)
    enabled = set(settings.automations or []) | set(names)
    return save_settings(salon, SettingsChange(settings.language, settings.quiet_start, settings.quiet_end,
                                               settings.marketing_cap, settings.cap_days, tuple(enabled)))


def send_template(salon, customer, purpose, channel, config, *, language=None, user=None, now=None):
    """Queue one message from a template to this customer by hand (sent by the next delivery); return its id.
    Raise FieldErrors when the purpose, channel or the customer's consent refuses it."""
    now = now or utcnow()
    settings = settings_for(salon)
    language = language if language in LANGUAGES else settings.language
    if purpose not in DEFAULTS:
        raise FieldErrors({"purpose": _l("Choose a template.")})
    if channel == "auto":
        channel, reason = choose_channel(customer, purpose)
    else:
        reason = refusal(customer, channel, purpose) if channel in ("sms", "email") else "no channel"
    if reason or channel is None:
        message = {"no consent": _l("This client has not given (or withdrew) marketing consent."),
                   "no channel": _l("This client cannot be reached on that channel (no contact, or not accepted).")}
        raise FieldErrors({"channel": message.get(reason, _l("Choose SMS or e-mail."))})
    if purpose in ("appointment_reminder", "appointment_confirmation"):
        raise FieldErrors({"purpose": _l("Appointment messages are sent by their automation, with the appointment.")})
    occasion = f"{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
    values = placeholder_values(salon, customer, config=config, occasion=occasion if purpose == "feedback" else None)
    subject, body = compose(template_for(salon, purpose, language), purpose, language, values)
    with db.atomic():
        queue_messages([{"salon": salon.id, "customer": customer.id, "source": "manual", "occasion": occasion,
                         "purpose": purpose, "channel": channel, "recipient": recipient_for(customer, channel),
                         "subject": subject, "body": body, "send_after": now, "sent_by": user}])
        audit.record("message.queued", salon=salon, user=user, object_type="customer", object_id=customer.id,
                     detail={"purpose": purpose, "channel": channel, "occasion": occasion})
    return occasion
