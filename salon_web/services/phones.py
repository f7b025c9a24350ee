"""Phone numbers: parse what staff type, in the salon's country, into E.164."""
import functools

import phonenumbers

from salon_web.texts import _l


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw, country):
    """Return the E.164 form of a phone typed in any local or international format."""
    try:
        number = phonenumbers.parse(raw, country.upper())
    except phonenumbers.NumberParseException as error:
        raise InvalidPhone(_l("That does not look like a phone number.")) from error
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhone(_l("That phone number has the wrong length for its country."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw, country):
    """Return the E.164 form, or None when the text is not a phone number."""
    try:
        return normalize_phone(raw, country)
    except InvalidPhone:
        return None


# Pure in (e164, country), and every list row shows one: parsing costs ~0.1 ms, so a page of 25 rows paid
# ~2.5 ms for it. Bounded, so a long-lived worker keeps at most this many formatted numbers.
@functools.lru_cache(maxsize=65_536)
def format_phone(e164, country):
    """Return a phone in the salon's national format, or international for foreign numbers."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == country.upper():
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
