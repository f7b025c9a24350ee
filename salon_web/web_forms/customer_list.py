"""The customer list's forms: its filter (a GET form, also read from a bulk-tag POST and a saved
segment's query string) and the bulk-tag form. Strings in, typed values out; the salon's rules
(`customer_filter.checked`) run after, and both kinds of message come back keyed by field.

Plain WTForms, not Flask-WTF: a GET form has no CSRF token to check, the app-wide CSRFProtect
guards the POSTs, and the filter is also parsed outside a request (segments, tests, the bench).
"""
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectMultipleField, StringField
from wtforms.validators import ValidationError

from salon_web.ids import MAX_ID, parse_id
from salon_web.services.bulk_tags import ACTIONS, MAX_SELECTED, MAX_TAG_LENGTH, SCOPES, BulkTagChange
from salon_web.services.customer_filter import (
    MAX_DAYS, MAX_MISSED, MAX_PAGE, MAX_PER_PAGE, MAX_VISITS, ORDERS, SORTS, STALE_CURSOR, TAG_MODES, Cursor, CustomerFilter,
    InvalidFilter, checked, in_field_order,
)
from salon_web.services.money import InvalidAmount, parse_money
from salon_web.services.service_menu import MAX_SERVICE_DAYS
from salon_web.texts import _l


class ParsedField(StringField):
    """A single text turned into a typed value by `parse`; its message when the text is not one."""

    def __init__(self, parse, message, **kwargs):
        super().__init__(**kwargs)
        self.parse, self.message = parse, message

    def process_formdata(self, valuelist):
        """Parse the first value; an empty one is None (the filter's default)."""
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if text:
            try:
                self.data = self.parse(text)
            except (ValueError, TypeError) as error:
                raise ValueError(self.message or str(error)) from error


class ManyField(SelectMultipleField):
    """Every value of a repeated parameter, as typed (no fixed choices)."""

    def __init__(self, **kwargs):
        super().__init__(validate_choice=False, **kwargs)


def whole_number(minimum, maximum):
    """Return a parser of whole numbers within minimum..maximum."""
    def parse(text):
        number = int(text)
        if not minimum <= number <= maximum:
            raise ValueError("out of range")
        return number
    return parse


def one_of(choices):
    """Return a parser accepting only these words."""
    def parse(text):
        if text not in choices:
            raise ValueError("not a choice")
        return text
    return parse


def list_cursor(text):
    """Return the list position in a page link."""
    cursor = Cursor.decode(text)
    if cursor is None:
        raise ValueError("not a page link of this list")
    return cursor


class CustomerListForm(Form):
    """The list's query parameters (also the bulk form's hidden copy of them)."""

    class Meta:
        csrf = False  # a GET form: reading the list changes nothing

    q = StringField(default="")
    tags = ManyField()
    tag_mode = ParsedField(one_of(TAG_MODES), _l("Choose “any” or “all”."))
    min_visits = ParsedField(whole_number(0, MAX_VISITS), _l("Enter a whole number of visits, 0 or more."))
    min_spent = StringField()
    days_since_last_visit = ParsedField(whole_number(0, MAX_DAYS),
                                        _l("Enter a whole number of days between 0 and %(max)s.", max=MAX_DAYS))
    min_missed = ParsedField(whole_number(0, MAX_MISSED),
                             _l("Enter a whole number of missed appointments, 0 to %(max)s.", max=MAX_MISSED))
    service = ParsedField(whole_number(1, MAX_ID), _l("Choose a service of the menu."))
    service_days = ParsedField(whole_number(1, MAX_SERVICE_DAYS),
                               _l("Enter a whole number of days from 1 to %(max)s.", max=MAX_SERVICE_DAYS))
    sort = ParsedField(one_of(SORTS), _l("Sort by last visit, total spent, visits or name."))
    order = ParsedField(one_of(ORDERS), _l("Order is “asc” or “desc”."))
    per_page = ParsedField(whole_number(1, MAX_PER_PAGE),
                           _l("Show between 1 and %(max)s customers per page.", max=MAX_PER_PAGE))
    page = ParsedField(whole_number(1, MAX_PAGE),
                       _l("Page is a whole number between 1 and %(max)s.", max=format(MAX_PAGE, ",")))
    cursor = ParsedField(list_cursor, STALE_CURSOR)

    def __init__(self, formdata, *, currency):
        """Read `formdata`; amounts are in `currency`."""
        self.currency = currency
        super().__init__(formdata)

    def validate_min_spent(self, field):
        """The amount in the salon's currency, in minor units (typed in major units)."""
        text = (field.data or "").strip()
        field.data = None
        if text:
            try:
                field.data = parse_money(text, self.currency)
            except InvalidAmount as error:
                raise ValidationError(str(error)) from error

    def customer_filter(self):
        """Return the CustomerFilter of the parameters that parsed (the others at their defaults)."""
        def typed(name, default=None):
            field = self[name]
            return default if field.errors or field.data in (None, "", []) else field.data

        return CustomerFilter(
            q=typed("q", ""), tags=tuple(typed("tags", ())), tag_mode=typed("tag_mode", "any"),
            min_visits=typed("min_visits"), min_spent=typed("min_spent"),
            days_since_last_visit=typed("days_since_last_visit"), min_missed=typed("min_missed"),
            service=typed("service"), service_days=typed("service_days"),
            sort=typed("sort", "last_visit"),
            order=typed("order"), per_page=typed("per_page", CustomerFilter.per_page), page=typed("page"),
            cursor=typed("cursor"),
        )


def list_filter(args, salon):
    """Return (CustomerFilter, errors as text) for the list's parameters; refused values stay at their defaults."""
    if not args:  # the list as first opened: nothing to parse (the form cost ~0.3 ms of that page)
        return checked(CustomerFilter(), salon), {}
    form = CustomerListForm(as_multidict(args), currency=salon.currency)
    form.validate()
    errors = {name: messages[0] for name, messages in form.errors.items()}
    try:
        customer_filter = checked(form.customer_filter(), salon)
    except InvalidFilter as refused:
        customer_filter = refused.usable
        errors.update(refused.errors)
    # Plain text in the request's language: callers join and compare the messages.
    return customer_filter, {name: str(message) for name, message in in_field_order(errors).items()}


def segment_filter(query_string, salon):
    """Return (CustomerFilter, errors keyed "query") for a segment's query string; paging is dropped, not refused."""
    customer_filter, errors = list_filter(MultiDict(parse_qsl(query_string.lstrip("?"))), salon)
    errors.pop("cursor", None)
    errors.pop("page", None)
    if errors:
        invalid = " ".join(str(message) for message in errors.values())
        return customer_filter, {"query": str(_l("The filter has invalid values: %(errors)s", errors=invalid))}
    return customer_filter, {}


def as_multidict(args):
    """A MultiDict of the parameters (a dict's list values become repeated parameters)."""
    if isinstance(args, MultiDict):
        return args
    return MultiDict([(name, item) for name, value in args.items()
                      for item in (value if isinstance(value, (list, tuple)) else [value])])


class BulkTagForm(Form):
    """Add or remove a tag on the selected customers or on all matching ones."""

    action = ParsedField(one_of(ACTIONS), _l("Choose to add or remove the tag."))
    tag = StringField()
    scope = ParsedField(one_of(SCOPES), _l("Choose the selected customers or all matching ones."))
    ids = ManyField()

    def validate_action(self, field):
        """An action is required (an unknown one already has its message)."""
        if field.data is None and not field.errors:
            raise ValidationError(_l("Choose to add or remove the tag."))

    def validate_tag(self, field):
        """The tag name with its spaces tidied, present and short enough."""
        field.data = " ".join((field.data or "").split())
        if not field.data:
            raise ValidationError(_l("Enter the tag to add or remove."))
        if len(field.data) > MAX_TAG_LENGTH:
            raise ValidationError(_l("A tag has at most %(count)s characters.", count=MAX_TAG_LENGTH))

    def validate_ids(self, field):
        """The selected customers' ids, without repeats; some unless the change is for all matching."""
        ids = [parse_id(raw) for raw in field.data or []]
        field.data = list(dict.fromkeys(i for i in ids if i))
        if len(ids) > MAX_SELECTED:
            raise ValidationError(_l("Select at most %(count)s customers, or choose all matching customers.", count=MAX_SELECTED))
        if None in ids:
            raise ValidationError(_l("The selection is not valid. Reload the page and try again."))
        if not self.scope.errors and (self.scope.data or "selected") == "selected" and not field.data:
            raise ValidationError(_l("Select at least one customer, or choose all matching customers."))


def bulk_tag_change(form_data):
    """Return (BulkTagChange, errors) from the bulk form's fields (action, tag, scope, ids)."""
    form = BulkTagForm(as_multidict(form_data))
    form.validate()
    change = BulkTagChange(form.action.data or "", form.tag.data or "", form.scope.data or "selected",
                           tuple(form.ids.data or ()))
    return change, {name: messages[0] for name, messages in form.errors.items()}
