"""The analytics page's period (a GET form): the last 30, 90 or 365 days, or a from/to pair of dates."""
from wtforms import Form, StringField, ValidationError

from salon_web.services.analytics.periods import PeriodChoice, choose_period, default_period
from salon_web.services.clock import EARLIEST_DATE, parse_date
from salon_web.services.field_errors import FieldErrors
from salon_web.texts import _l

# The period's domain field names as the form calls them.
FORM_NAMES = {"days": "days", "first": "from", "last": "to"}


def _entered(text):
    """What was typed, trimmed to a date's length: it is shown again in the form."""
    return (text or "").strip()[:10]


def _date(text):
    """The date in the text, or None when it is not one the calendar can hold."""
    try:
        return parse_date(text)
    except ValueError:
        return None


def _whole_number(text):
    """The integer in the text, or None."""
    try:
        return int(text)
    except ValueError:
        return None


class PeriodForm(Form):
    """Parses the period's query values; dates, when given, win over `days`."""

    days = StringField(filters=[_entered])
    first = StringField(name="from", filters=[_entered])
    last = StringField(name="to", filters=[_entered])

    def wants_dates(self):
        return bool(self.first.data or self.last.data)

    def validate_first(self, field):
        # parse_date keeps to years where the period before and its time-zone bounds stay computable.
        if self.wants_dates() and _date(field.data) is None:
            raise ValidationError(_l("Enter a start date such as 2026-01-31 (from %(year)s).", year=EARLIEST_DATE.year))

    def validate_last(self, field):
        if self.wants_dates() and _date(field.data) is None:
            raise ValidationError(_l("Enter an end date such as 2026-03-31."))

    def validate_days(self, field):
        if not self.wants_dates() and field.data and _whole_number(field.data) is None:
            raise ValidationError(_l("Choose 30, 90 or 365 days, or enter dates."))

    def choice(self):
        """The validated values as a PeriodChoice."""
        if self.wants_dates():
            return PeriodChoice(first=_date(self.first.data), last=_date(self.last.data))
        return PeriodChoice(days=_whole_number(self.days.data) if self.days.data else None)

    def entered(self):
        """The values as typed, keyed by their names in the URL."""
        return {field.name: field.data for field in (self.days, self.first, self.last)}


def chosen_period(form, today):
    """Return (Period, errors by URL name): the chosen period, or the last 30 days and why the choice was refused."""
    if not form.validate():
        return default_period(today), {form[name].name: messages[0] for name, messages in form.errors.items()}
    try:
        return choose_period(today, form.choice()), {}
    except FieldErrors as refused:
        return default_period(today), {FORM_NAMES[name]: message for name, message in refused.errors.items()}
