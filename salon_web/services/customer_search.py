"""The search box of the customer list: one text, matched against names, phones or e-mails.

- text with "@" searches e-mail addresses (substring);
- text shaped like a domain ("gmail.com", "orange.fr") searches e-mail addresses and names (substring);
- text made only of digits and phone punctuation searches phones: a complete number typed in
  any local or international format is normalised with the salon's country and matched
  exactly; a partial one matches the E.164 number by prefix (when typed with a leading "+" or
  the country's trunk prefix, e.g. "0788 12") or by substring (e.g. the last digits "3456");
- anything else searches names, case- and accent-insensitively, through `name_search`.
Searches of three characters or more are substring matches (pg_trgm GIN indexes on
PostgreSQL). One or two characters cannot use a trigram index, so they match the start of
the name (or the start of the national phone number): a b-tree prefix scan.
`%` and `_` are literal characters everywhere.
"""
import re

import phonenumbers
from peewee import SQL, NodeList, Value

from salon_web.models import SalonCustomer
from salon_web.services.phones import try_normalize_phone
from salon_web.services.text import fold

MIN_TRIGRAM_LENGTH = 3
_PHONE_TEXT = re.compile(r"^\+?[\d\s().\-/]+$")
_DOMAIN_TEXT = re.compile(r"^[^\s@.]+(\.[^\s@.]+)+$")  # "gmail.com": no "@", at least one inner dot, no space


def _like(column, template, text):
    """`column LIKE template % text` with `%`, `_` and `\\` in `text` taken literally.

    Plain LIKE, not ILIKE: the searched columns are stored lower-cased (names folded, e-mails
    normalised, phones are digits), and LIKE is what both the trigram and the text_pattern_ops
    indexes serve fastest.
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    # Spelled out: peewee renders OP.LIKE as GLOB on SQLite, which takes no ESCAPE clause.
    return NodeList((column, SQL("LIKE"), Value(template % escaped, converter=False), SQL("ESCAPE"),
                     Value("\\", converter=False)))


def _contains(column, text):
    return _like(column, "%%%s%%", text)


def _startswith(column, text):
    return _like(column, "%s%%", text)


def search_condition(q, country):
    """Return the condition for a search box text (see the module docstring)."""
    text = q.strip()
    if "@" in text:
        return _contains(SalonCustomer.email, text.lower())
    if _PHONE_TEXT.match(text) and any(ch.isdigit() for ch in text):
        return _phone_condition(text, country)
    folded = fold(text)
    if _DOMAIN_TEXT.match(text) and len(text) >= MIN_TRIGRAM_LENGTH:  # a name may hold a dot too ("J.Claude")
        return _contains(SalonCustomer.email, text.lower()) | _contains(SalonCustomer.name_search, folded)
    if len(folded) < MIN_TRIGRAM_LENGTH:
        return _startswith(SalonCustomer.name_search, folded)
    return _contains(SalonCustomer.name_search, folded)


def _phone_condition(text, country):
    """Return the condition for a text that looks like (part of) a phone number."""
    digits = re.sub(r"\D", "", text)
    e164 = try_normalize_phone(text, country) if len(digits) >= 6 else None
    if e164 and phonenumbers.is_valid_number(phonenumbers.parse(e164)):
        return SalonCustomer.phone_e164 == e164
    if text.startswith("+"):
        return _startswith(SalonCustomer.phone_e164, "+" + digits)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(country.upper())
    trunk = metadata.national_prefix if metadata else None
    calling_code = phonenumbers.country_code_for_region(country.upper())
    if trunk and digits.startswith(trunk) and calling_code:
        # "0788 12" is the start of a national number; "000111" may also be the last digits.
        national = _startswith(SalonCustomer.phone_e164, f"+{calling_code}{digits[len(trunk):]}")
        if len(digits) >= MIN_TRIGRAM_LENGTH:
            return national | _contains(SalonCustomer.phone_e164, digits)
        return national
    if len(digits) < MIN_TRIGRAM_LENGTH and calling_code:
        return _startswith(SalonCustomer.phone_e164, f"+{calling_code}{digits}")
    return _contains(SalonCustomer.phone_e164, digits)
