"""One row of a client book, read through the mapping and checked by the same rules as the new-customer form.

A row either gives `RowValues` (what the file says, empty fields left out) or raises `RowError` with a
reason an owner can act on. Nothing here touches the database.
"""
import dataclasses
import datetime
import re

from salon_web.services.clock import to_utc
from salon_web.services.customer_create import Contact, contact_values
from salon_web.services.customer_edit import NOTES_MAX, TAG_MAX
from salon_web.services.money import InvalidAmount, parse_money

FORMULA_GUARDED = ("=", "+", "-", "@", "\t", "\r", "'")  # what services.export prefixes with an apostrophe
YES = {"yes", "y", "oui", "o", "yego", "1", "true", "vrai", "x", "subscribed", "opted in", "opt in", "accepted"}
NO = {"no", "n", "non", "oya", "0", "false", "faux", "unsubscribed", "opted out", "opt out", "not subscribed",
      "declined", "refused", "never subscribed"}
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.\-]?(\d{2})[/.\-]?(\d{2})(?:[ T].*)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")


class RowError(ValueError):
    """The row cannot be imported: the message says why, naming the column."""


@dataclasses.dataclass
class RowValues:
    """What one row says; None (or empty) means the file leaves it out."""

    full_name: str | None = None
    phone: str | None = None
    phone_e164: str | None = None
    email: str | None = None
    birthday: datetime.date | None = None
    tags: tuple = ()
    notes: str = ""
    marketing_consent: bool | None = None
    visit_at: datetime.datetime | None = None  # a past visit (naive UTC, noon in the salon's zone)
    visit_amount: int = 0  # its amount in minor units
    remark: str = ""  # something left out that the owner should know, the row still goes in

    @property
    def is_empty(self):
        return not (self.full_name or self.phone or self.email or self.birthday or self.tags or self.notes
                    or self.marketing_consent is not None or self.visit_at)


def cell_text(value):
    """Return a cell tidied: spaces trimmed, our export's formula guard (a leading apostrophe) taken off."""
    text = (value or "").strip()
    if text.startswith("'") and text[1:2] in FORMULA_GUARDED:
        text = text[1:]
    return text


def read_row(cells, headers, mapping, *, country, today, currency="RWF", timezone="UTC"):
    """Return the RowValues of one row's cells under `mapping` (one field per column); raise RowError."""
    found = {}
    for header, field, cell in zip(headers, mapping, cells):
        text = cell_text(cell)
        if not field or not text:
            continue
        # A guarded cell ('=…, as our export writes) is text by declaration; a bare one is a formula someone typed.
        if text.startswith("=") and not (cell or "").strip().startswith("'") and field != "phone":
            raise RowError(f"“{header}” holds a spreadsheet formula ({text[:30]}); type the value itself.")
        found.setdefault(field, []).append((header, text))
    row = RowValues()
    first = {field: values[0] for field, values in found.items()}
    name = first.get("full_name", (None, ""))[1]
    if not name:
        name = " ".join(t for f in ("first_name", "last_name") for _, t in found.get(f, [])[:1])
    birthday, row.remark = _birthday(first.get("birthday"), today)
    contact = Contact(full_name=name, phone=first.get("phone", (None, ""))[1],
                      email=first.get("email", (None, ""))[1], birthday=birthday)
    values, errors = contact_values(_Country(country), contact, today=today)
    if not values["full_name"]:
        errors.pop("full_name", None)  # a row may update a card it matches without naming it; creating needs it
    if errors:
        field, message = next(iter(errors.items()))
        header = first.get(field, first.get("full_name", ("Name", "")))[0]
        raise RowError(f"“{header}”: {message}")
    row.full_name = values["full_name"] or None
    row.phone, row.phone_e164, row.email, row.birthday = (
        values["phone"], values["phone_e164"], values["email"], values["birthday"])
    row.tags = _tags(found.get("tags", []))
    row.notes = "\n".join(text for _, text in found.get("notes", []))
    if len(row.notes) > NOTES_MAX:
        raise RowError(f"“{found['notes'][0][0]}”: notes are limited to {NOTES_MAX} characters.")
    if "marketing_consent" in first:
        row.marketing_consent = consent(*first["marketing_consent"])
    row.visit_at, row.visit_amount = _visit(first.get("visit_date"), first.get("visit_amount"), today=today,
                                            currency=currency, timezone=timezone)
    return row


def _visit(day_cell, amount_cell, *, today, currency, timezone):
    """Return (when, amount) of a past visit from the history columns, or (None, 0); raise RowError."""
    if day_cell is None:
        if amount_cell is not None:
            raise RowError(f"“{amount_cell[0]}”: an amount needs the visit's date beside it.")
        return None, 0
    day = parse_date(day_cell[1])
    if day is None:
        raise RowError(f"“{day_cell[0]}”: “{day_cell[1]}” is not a date; write 21/05/2024 (day first) or 2024-05-21.")
    if day > today or day.year < 1900:
        raise RowError(f"“{day_cell[0]}”: a past visit lies between 1900 and today, not {day_cell[1]}.")
    amount = 0
    if amount_cell is not None:
        try:
            amount = parse_money(amount_cell[1], currency)
        except InvalidAmount as error:
            raise RowError(f"“{amount_cell[0]}”: {error}") from None
    return to_utc(datetime.datetime.combine(day, datetime.time(12)), timezone), amount


class _Country:
    """contact_values reads only the salon's country."""

    def __init__(self, country):
        self.country = country


def _birthday(found, today):
    """Return (date or None, remark) from a birthday cell; raise RowError naming the column."""
    if found is None:
        return None, ""
    header, text = found
    if _NO_YEAR.match(text):
        return None, f"“{header}” {text} has no year: the birthday was left out."
    day = parse_date(text)
    if day is None:
        raise RowError(f"“{header}”: “{text}” is not a date; write 21/05/1990 (day first) or 1990-05-21.")
    if day > today or day.year < 1900:
        raise RowError(f"“{header}”: a birthday lies between 1900 and today, not {text}.")
    return day, ""


def parse_date(text):
    """Return the date in ISO (1990-05-21, 19900521) or day-first (21/05/1990, 21.05.1990) text, or None."""
    text = text.strip()
    match = _YEAR_FIRST.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DAY_FIRST.match(text)
        if not match or len(match.group(3)) != 4:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _tags(found):
    """Return the tag names of the tags cells, split on , and ;, each tidied, in order, without repeats."""
    names = []
    for header, text in found:
        for part in re.split(r"[,;]", text):
            name = " ".join(part.split())
            if len(name) > TAG_MAX:
                raise RowError(f"“{header}”: tags have at most {TAG_MAX} characters (“{name[:20]}…”).")
            if name and name not in names:
                names.append(name)
    return tuple(names)


def consent(header, text):
    """Return True/False from a consent cell in English, French or Kinyarwanda; raise RowError."""
    word = " ".join(text.lower().replace("_", " ").split())
    if word in YES:
        return True
    if word in NO:
        return False
    raise RowError(f"“{header}”: write yes or no (oui/non, yego/oya, 1/0), not “{text[:30]}”.")
