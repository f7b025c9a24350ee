"""The till's HTML forms: a sale and its lines, voiding, booking and moving appointments, the lists' filters.

Each form turns what a browser sends into typed values (SaleLine, SaleFilter, Booking, DayFilter) or field
errors keyed by the domain's names. The rules themselves (what a sale line may be, which status may follow
which) live once in the services; a form only knows what a well-formed value looks like.
"""
import uuid

from werkzeug.datastructures import MultiDict
from wtforms import Field, Form, StringField
from wtforms.validators import ValidationError

from salon_web.i18n import current_language
from salon_web.ids import parse_id
from salon_web.models import Appointment, NotInSalon, SalonCustomer, User
from salon_web.models.appointments import APPOINTMENT_STATUSES
from salon_web.services import clock, formats
from salon_web.services.clock import local_today
from salon_web.services.appointments import Booking, DayFilter
from salon_web.services.field_errors import FieldErrors
from salon_web.services.money import InvalidAmount, parse_money
from salon_web.services.sales import MAX_ITEMS, SaleFilter, SaleLine
from salon_web.texts import _l

MAX_PAGE = 100_000
ITEM_ROWS = 5
YEARS = {"first": clock.EARLIEST_DATE.year, "last": clock.LATEST_DATE.year}
DATE_MESSAGE = _l("Use a date like 2026-03-31, between the years %(first)s and %(last)s.", **YEARS)
CHOOSE_CUSTOMER = _l("Choose the customer (type a name or phone digits).")


class TextField(StringField):
    """Text as typed, cut to `limit` characters (a form never carries more)."""

    def __init__(self, label=None, validators=None, limit=200, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.limit = limit

    def process_formdata(self, valuelist):
        self.data = (valuelist[0] if valuelist else "")[:self.limit]


class TextListField(Field):
    """A repeated input (one per line item row), as a list of strings."""

    def process_formdata(self, valuelist):
        self.data = list(valuelist[:MAX_ITEMS])

    def _value(self):
        return self.data or []


class IdField(TextField):
    """A row id as typed; `number` is the id, or None when empty or not one we could hold."""

    def __init__(self, label=None, validators=None, message=_l("Unknown."), **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    @property
    def number(self):
        return parse_id(self.data)

    def pre_validate(self, form):
        if self.data and self.number is None:
            raise ValidationError(self.message)


class DayField(TextField):
    """A local calendar date (YYYY-MM-DD); `day` is the date or None when empty or refused."""

    day = None

    def pre_validate(self, form):
        try:
            self.day = clock.parse_date(self.data)
        except ValueError:
            raise ValidationError(DATE_MESSAGE) from None


class PageField(TextField):
    """A page number: 1 when none; a number we cannot show is refused."""

    page = 1

    def pre_validate(self, form):
        text = (self.data or "").strip()
        if not text:
            return
        # An OFFSET beyond bigint is a database error: bound the number before it reaches SQL.
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_PAGE)) or not 1 <= int(text) <= MAX_PAGE:
            raise ValidationError(_l("Page is a whole number between 1 and %(most)s.",
                                     most=formats.number(MAX_PAGE, current_language())))
        self.page = int(text)


class LocalMomentField(TextField):
    """A datetime-local value typed in the salon's zone (form meta `timezone`); `moment` is naive UTC or None."""

    moment = None

    def __init__(self, label=None, validators=None, message=_l("Enter the date and time."), **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def pre_validate(self, form):
        try:
            self.moment = clock.parse_local_datetime(self.data, self.meta.timezone)
        except ValueError:
            raise ValidationError(self.message) from None


class EdgeForm(Form):
    """A form over request values, checked by `parse`. CSRF is checked app-wide (CSRFProtect), so not here."""

    DOMAIN_NAMES = {}  # this form's field name -> the service's field name, where they differ

    def __init__(self, formdata, *, salon=None):
        meta = {"timezone": salon.timezone, "currency": salon.currency} if salon is not None else {}
        super().__init__(formdata, meta=meta)
        self.salon = salon

    def field_errors(self):
        """Return {domain field: first message} after validate()."""
        return {self.DOMAIN_NAMES.get(name, name): messages[0] for name, messages in self.errors.items() if messages}

    def typed(self):
        """Return what was typed, by form field name, to fill the form in again."""
        return {name: field.data for name, field in self._fields.items()}


def _in_salon(model, salon, field, message, errors, key):
    """Return the salon's row the id field names, or None with `message` in errors (a body reference: 422)."""
    try:
        return model.get_in_salon(salon, field.number)
    except NotInSalon:
        errors[key] = message
        return None


# --- Sales ---------------------------------------------------------------------------------------


class SaleFilterForm(EdgeForm):
    """The sales list's filters (GET): local days from..to, one customer, the page."""

    day_from = DayField(name="from")
    day_to = DayField(name="to")
    customer = IdField(message=_l("That customer does not exist in this salon."))
    page = PageField()
    DOMAIN_NAMES = {"day_from": "from", "day_to": "to"}

    def parse(self):
        """Return (SaleFilter, errors); a refused filter is left out and explained, never fatal."""
        self.validate()
        errors = self.field_errors()
        customer = None
        if self.customer.data and "customer" not in errors:
            customer = _in_salon(SalonCustomer, self.salon, self.customer, self.customer.message, errors, "customer")
        return SaleFilter(self.day_from.day, self.day_to.day, customer, self.page.page), errors

    def shown(self, customer):
        """The filter values the page shows and links keep."""
        customer_id = customer.id if customer else None
        filters = {"from": self.day_from.data, "to": self.day_to.data, "customer": customer_id}
        return filters, {"customer": customer_id, "from": self.day_from.data or None, "to": self.day_to.data or None}


class SaleForm(EdgeForm):
    """Posting a sale: the customer, an optional appointment, when, the lines, and the form's idempotency key."""

    customer_id = IdField(message=CHOOSE_CUSTOMER)
    customer_q = TextField(limit=100)
    appointment_id = IdField(message=_l("Choose an appointment from the list."))
    sold_at = LocalMomentField(message=_l(
        "Enter a date and time between the years %(first)s and %(last)s, or leave it empty for now.", **YEARS))
    idempotency_key = TextField(limit=64)
    item_description = TextListField()
    item_quantity = TextListField()
    item_price = TextListField()
    payment_method = TextField(limit=20)
    DOMAIN_NAMES = {"customer_id": "customer", "appointment_id": "appointment"}

    @classmethod
    def fresh(cls, customer=None):
        """Return the values of an empty sale form with a new key (one key per form: one sale per form)."""
        return {"idempotency_key": uuid.uuid4().hex, "customer_id": str(customer.id) if customer else ""}

    def parse(self):
        """Return post_sale's keyword values; raise FieldErrors with what cannot be read."""
        self.validate()
        errors = self.field_errors()
        customer = None
        if "customer" not in errors:
            customer = _in_salon(SalonCustomer, self.salon, self.customer_id, CHOOSE_CUSTOMER, errors, "customer")
        appointment = None
        if self.appointment_id.data and "appointment" not in errors:
            appointment = _in_salon(Appointment, self.salon, self.appointment_id, self.appointment_id.message, errors,
                                    "appointment")
        lines = self._lines(errors)
        if errors:
            raise FieldErrors(errors)
        return dict(customer=customer, appointment=appointment, sold_at=self.sold_at.moment, items=lines,
                    idempotency_key=self.idempotency_key.data or None, payment_method=self.payment_method.data or None)

    def _lines(self, errors):
        """Return the filled-in rows as SaleLines; a row that cannot be read puts its message on `items`."""
        lines = []
        for description, quantity, price in self.rows():
            if not description.strip() and not price.strip():
                continue  # an unused row
            try:
                lines.append(SaleLine(description, int(quantity or "1"), parse_money(price, self.meta.currency)))
            except ValueError as error:
                errors["items"] = str(error) if isinstance(error, InvalidAmount) else _l("Quantities are whole numbers.")
        if not lines and "items" not in errors:
            errors["items"] = _l("Add at least one line: a description and its price.")
        return lines

    def rows(self):
        """Return the (description, quantity, price) rows as typed."""
        return list(zip(self.item_description.data or [], self.item_quantity.data or [], self.item_price.data or []))


def item_rows(typed_rows):
    """Return the item rows to show: what was typed, padded to ITEM_ROWS empty rows."""
    rows = list(typed_rows)
    return rows + [("", "1", "")] * max(ITEM_ROWS - len(rows), 0)


class VoidForm(EdgeForm):
    """Voiding a sale: the reason, and the list page to return to."""

    reason = TextField(limit=600)
    next_url = TextField(limit=10_000)


# --- Appointments --------------------------------------------------------------------------------


class DayFilterForm(EdgeForm):
    """The appointments list's filters (GET): the local day, a status, an employee."""

    day = DayField()
    status = TextField()
    employee = IdField(message=_l("Unknown employee."))

    def validate_status(self, field):
        if field.data and field.data not in APPOINTMENT_STATUSES:
            raise ValidationError(_l("Unknown status."))

    def parse(self, today):
        """Return (DayFilter, errors); a refused value is left out (today for the day) and explained."""
        self.validate()
        errors = self.field_errors()
        status = self.status.data if "status" not in errors else None
        return DayFilter(self.day.day or today, status or None, self.employee.number), errors

    @classmethod
    def parse_status_form(cls, formdata, salon, appointment_day):
        """Return (DayFilter, errors) of the list a status change's buttons were on (the row form's hidden fields).

        Without a day it is the appointment's own; a refused day falls back to today, as on the list.
        """
        shown = MultiDict({"day": formdata.get("day", ""), "status": formdata.get("status_filter", ""),
                           "employee": formdata.get("employee", "")})
        return cls(shown, salon=salon).parse(local_today(salon.timezone) if shown["day"] else appointment_day)


class BookingForm(EdgeForm):
    """Booking an appointment."""

    customer_id = IdField(message=CHOOSE_CUSTOMER)
    customer_q = TextField()
    employee_id = IdField(message=_l("Choose a member of this salon's staff."))
    service_name = TextField()
    price = TextField()
    scheduled_at = LocalMomentField()
    duration_minutes = TextField()
    DOMAIN_NAMES = {"customer_id": "customer", "employee_id": "employee"}

    @classmethod
    def fresh(cls, day):
        """Return the values of an empty booking form on `day`."""
        return {"scheduled_at": f"{day.isoformat()}T09:00", "duration_minutes": "60"}

    def validate_price(self, field):
        try:  # empty: the service menu's price (issue 15)
            self.price_minor = parse_money(field.data, self.meta.currency) if (field.data or "").strip() else None
        except InvalidAmount as error:
            raise ValidationError(str(error)) from None

    def validate_duration_minutes(self, field):
        try:
            self.minutes = int(field.data or "60")
        except ValueError:
            raise ValidationError(_l("Enter whole minutes.")) from None

    def validate_scheduled_at(self, field):
        if field.moment is None:
            raise ValidationError(_l("Enter the date and time."))

    def parse(self):
        """Return a Booking; raise FieldErrors with what cannot be read."""
        self.validate()
        errors = self.field_errors()
        customer = None
        if "customer" not in errors:
            customer = _in_salon(SalonCustomer, self.salon, self.customer_id, CHOOSE_CUSTOMER, errors, "customer")
        employee = None
        if self.employee_id.data and "employee" not in errors:
            employee = User.get_or_none(User.id == self.employee_id.number)  # membership is the service's rule
            if employee is None:
                errors["employee"] = self.employee_id.message
        if errors:
            raise FieldErrors(errors)
        return Booking(customer, self.service_name.data, self.price_minor, self.scheduled_at.moment, employee,
                       self.minutes)


class StatusForm(EdgeForm):
    """Moving an appointment to another status (the service says which may follow which)."""

    status = TextField(limit=None)
