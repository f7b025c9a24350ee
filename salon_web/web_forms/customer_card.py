"""The customer card's forms: strings in, the services' typed values out.

Each form parses what it can (dates, ids, flags, lists) and `checked` hands the typed value to the
service's pure check, so what the form could not parse and what the salon's rules refuse come back
together, each message beside its field. CSRF is checked for every POST by the app (CSRFProtect).
"""
import datetime

from wtforms import Field, Form, StringField
from wtforms.validators import AnyOf, Optional, ValidationError
from wtforms.widgets import TextInput

from salon_web.ids import parse_id
from salon_web.models.communications import DIRECTIONS, PURPOSES, STATUSES
from salon_web.models.customers import CHANNELS
from salon_web.services.communications import NewMessage
from salon_web.services.customer_create import BIRTHDAY_FORMAT, Contact
from salon_web.services.customer_edit import CommunicationChoices, FollowUpChoice, Preferences, Seen, parse_version
from salon_web.services.field_errors import FieldErrors
from salon_web.texts import _l

FLAG_VALUES = ("yes", "on", "1")


class IsoDateField(Field):
    """A date typed as YYYY-MM-DD (what <input type=date> sends); empty is None."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, message=BIRTHDAY_FORMAT, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = datetime.date.fromisoformat(text)
            except ValueError:
                raise ValueError(self.message) from None


class TextListField(Field):
    """Every value sent under one name (checkboxes, repeated inputs), in order."""

    def process_formdata(self, valuelist):
        self.data = list(valuelist)

    def _value(self):
        return self.data or []


def checked(form, check):
    """Return check(form.value()); raise FieldErrors with the form's own errors and the service's together."""
    form.validate()
    unparsed = {name: messages[0] for name, messages in form.errors.items()}
    try:
        result = check(form.value())
    except FieldErrors as refused:
        raise FieldErrors({**refused.errors, **unparsed}) from None
    if unparsed:
        raise FieldErrors(unparsed)
    return result


class ContactFields(Form):
    full_name = StringField()
    phone = StringField()
    email = StringField()
    birthday = IsoDateField()

    def value(self):
        """The contact as typed, birthday a date (None if empty or unreadable)."""
        return Contact(full_name=self.full_name.data or "", phone=self.phone.data or "",
                       email=self.email.data or "", birthday=self.birthday.data)


class NewCustomerForm(ContactFields):
    create_anyway = StringField()

    @property
    def allow_shared_email(self):
        """True when staff chose to create a card that shares only an e-mail with another."""
        return self.create_anyway.data == "yes"


class WidgetForm(Form):
    """A card widget's form: its fields plus the version and fingerprint the page showed."""

    version = StringField()
    basis = StringField()

    def seen(self):
        return Seen(version=parse_version(self.version.data), basis=self.basis.data or None)


class ContactForm(WidgetForm, ContactFields):
    pass


class NotesForm(WidgetForm):
    notes = StringField()

    def value(self):
        return self.notes.data or ""


class PreferencesForm(WidgetForm):
    preferred_employee = StringField()
    allergies = StringField()
    special_requests = StringField()
    preferred_times = StringField()
    preferred_days = TextListField()
    extra_key = TextListField()
    extra_value = TextListField()

    def validate_preferred_employee(self, field):
        if (field.data or "").strip() and parse_id(field.data.strip()) is None:
            raise ValidationError(_l("Choose someone from this salon's staff."))

    def value(self):
        values = self.extra_value.data or []
        employee = (self.preferred_employee.data or "").strip()
        return Preferences(
            preferred_employee=parse_id(employee) if employee else None,
            allergies=self.allergies.data or "", special_requests=self.special_requests.data or "",
            preferred_times=self.preferred_times.data or "", preferred_days=tuple(self.preferred_days.data or ()),
            extra=tuple((key, values[n] if n < len(values) else "") for n, key in enumerate(self.extra_key.data or [])),
        )


class FollowUpForm(WidgetForm):
    quick = StringField()
    clear = StringField()
    follow_up_on = IsoDateField(message=_l("Enter a date such as 2026-12-01."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.clear.data or self.quick.data:  # a button was pressed: the date box does not count
            self.follow_up_on.errors = []
            return True
        return valid

    def value(self):
        return FollowUpChoice(day=self.follow_up_on.data, quick=self.quick.data or None, clear=bool(self.clear.data))


class CommunicationForm(WidgetForm):
    channels = TextListField()
    marketing_consent = StringField()

    def value(self):
        return CommunicationChoices(channels=tuple(self.channels.data or ()),
                                    marketing_consent=self.marketing_consent.data in FLAG_VALUES)


class MessageForm(Form):
    """Record a message or call (also the GET that redraws the form when the channel changes)."""

    type = StringField(validators=[AnyOf(CHANNELS, message=_l("Choose SMS, email, phone or in-app."))])
    purpose = StringField(validators=[AnyOf(PURPOSES, message=_l("Choose a purpose."))])
    status = StringField(default="sent", validators=[Optional(), AnyOf(STATUSES, message=_l("Choose a status."))])
    subject = StringField()
    message = StringField()
    recipient = StringField()
    direction = StringField(default="outbound",
                            validators=[Optional(), AnyOf(DIRECTIONS, message=_l("Choose who made contact."))])

    def value(self):
        def known(field, choices):
            return field.data if field.data in choices else None

        return NewMessage(type=known(self.type, CHANNELS), purpose=known(self.purpose, PURPOSES),
                          status=known(self.status, STATUSES) if self.status.data else "sent",
                          subject=self.subject.data or "", message=self.message.data or "",
                          recipient=self.recipient.data or "",
                          direction=known(self.direction, DIRECTIONS) if self.direction.data else "outbound")

    def shown(self):
        """The values to show again in the form, as typed."""
        names = ("type", "purpose", "status", "subject", "message", "recipient", "direction")
        return {name: self[name].data or "" for name in names}


class TagForm(Form):
    tag = StringField()


WIDGET_FORMS = {"contact": ContactForm, "notes": NotesForm, "preferences": PreferencesForm,
                "follow_up": FollowUpForm, "communication": CommunicationForm}
