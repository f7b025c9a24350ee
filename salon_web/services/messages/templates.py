"""A salon's templates per purpose and language (its own wording, or the built-in default) and composing a message."""
import dataclasses

from peewee import IntegrityError

from salon_web.db import db
from salon_web.models import utcnow
from salon_web.models.messages import LANGUAGES, MessageTemplate
from salon_web.services.clock import to_local
from salon_web.services.field_errors import FieldErrors
from salon_web.services.messages import links
from salon_web.services.messages.render import (
    DEFAULTS, MARKETING, UNSUBSCRIBE_LINE, first_name, placeholders_in, render, unknown_placeholders)
from salon_web.texts import _l

SUBJECT_MAX = 200
BODY_MAX = 2000


@dataclasses.dataclass(frozen=True)
class Wording:
    subject: str
    body: str
    custom: bool = False


def template_for(salon, purpose, language):
    """Return the Wording the salon uses for a purpose in a language (its own, else the default)."""
    row = MessageTemplate.in_salon(salon).where(
        (MessageTemplate.purpose == purpose) & (MessageTemplate.language == language)).first()
    if row is not None:
        return Wording(row.subject, row.body, True)
    subject, body = DEFAULTS[purpose][language if language in LANGUAGES else "en"]
    return Wording(subject, body)


def templates_of(salon):
    """Return {(purpose, language): Wording} for every purpose and language."""
    own = {(t.purpose, t.language): Wording(t.subject, t.body, True) for t in MessageTemplate.in_salon(salon)}
    return {(purpose, language): own.get((purpose, language)) or Wording(*DEFAULTS[purpose][language])
            for purpose in DEFAULTS for language in LANGUAGES}


def check_template(purpose, language, subject, body):
    """Return (subject, body) tidied; raise FieldErrors (unknown purpose, language or placeholder, lengths)."""
    errors = {}
    if purpose not in DEFAULTS:
        errors["purpose"] = _l("Choose a purpose.")
    if language not in LANGUAGES:
        errors["language"] = _l("Choose English, French or Kinyarwanda.")
    subject = " ".join((subject or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    if len(subject) > SUBJECT_MAX:
        errors["subject"] = _l("Use at most %(count)s characters.", count=SUBJECT_MAX)
    if not body:
        errors["body"] = _l("Write the message.")
    elif len(body) > BODY_MAX:
        errors["body"] = _l("Use at most %(count)s characters.", count=BODY_MAX)
    unknown = unknown_placeholders(subject + " " + body)
    if unknown:
        errors["body"] = _l("Unknown placeholder: %(names)s.", names=", ".join("{" + name + "}" for name in unknown))
    if errors:
        raise FieldErrors(errors)
    return subject, body


def save_template(salon, purpose, language, subject, body):
    """Store the salon's wording for a purpose and language; raise FieldErrors."""
    subject, body = check_template(purpose, language, subject, body)
    with db.atomic():
        updated = MessageTemplate.update(subject=subject, body=body, updated_at=utcnow()).where(
            (MessageTemplate.salon == salon) & (MessageTemplate.purpose == purpose)
            & (MessageTemplate.language == language)).execute()
        if not updated:
            try:
                with db.atomic():
                    MessageTemplate.create(salon=salon, purpose=purpose, language=language, subject=subject, body=body)
            except IntegrityError:  # saved at the same moment by someone else: ours is the later edit
                MessageTemplate.update(subject=subject, body=body, updated_at=utcnow()).where(
                    (MessageTemplate.salon == salon) & (MessageTemplate.purpose == purpose)
                    & (MessageTemplate.language == language)).execute()
    return Wording(subject, body, True)


def reset_template(salon, purpose, language):
    """Forget the salon's wording: the default applies again."""
    MessageTemplate.delete().where((MessageTemplate.salon == salon) & (MessageTemplate.purpose == purpose)
                                   & (MessageTemplate.language == language)).execute()


def placeholder_values(salon, customer, *, config, appointment=None, occasion=None):
    """Return the values the renderer may use for this customer (and appointment)."""
    values = {"first_name": first_name(customer.full_name), "full_name": customer.full_name, "salon_name": salon.name}
    if appointment is not None:
        local = to_local(appointment.scheduled_at, salon.timezone)
        values.update(appointment_date=local.strftime("%d/%m/%Y"), appointment_time=local.strftime("%H:%M"),
                      service=appointment.service_name)
    secret, base = config["SECRET_KEY"], config.get("PUBLIC_BASE_URL", "")
    values["unsubscribe_link"] = links.unsubscribe_url(base, secret, salon.id, customer.id)
    if occasion is not None:
        values["feedback_link"] = links.feedback_url(base, secret, salon.id, customer.id, occasion)
    return values


def compose(wording, purpose, language, values):
    """Return (subject, body) rendered; a marketing body always ends with the unsubscribe link."""
    body = wording.body
    if purpose in MARKETING and "unsubscribe_link" not in placeholders_in(body):
        body = body + "\n" + UNSUBSCRIBE_LINE.get(language, UNSUBSCRIBE_LINE["en"])
    return render(wording.subject, values), render(body, values)
