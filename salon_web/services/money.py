"""Money as integer minor units: parsing what staff type and formatting per currency."""
import re
from decimal import Decimal

from salon_web.texts import _l

# ISO 4217 currencies without minor units; everything else we serve has two.
_ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
# Plain decimal notation only: "1E+1000000" overflows Decimal arithmetic and "1e-99999999999"
# underflows to zero, so exponents are refused rather than evaluated.
_AMOUNT = re.compile(r"^([+-]?)([0-9]*)(?:\.([0-9]*))?$")
MAX_MINOR_UNITS = 10**13


class InvalidAmount(ValueError):
    pass


def minor_digits(currency):
    return 0 if currency.upper() in _ZERO_DECIMAL else 2


def parse_money(text, currency):
    """Return minor units for an amount typed in major units ("12.50" -> 1250)."""
    cleaned = (text or "").strip().replace(",", "").replace(" ", "")
    match = _AMOUNT.match(cleaned)
    if not match or not (match.group(2) or match.group(3)):
        raise InvalidAmount(_l("Enter an amount such as 12.50."))
    sign, whole, fraction = match.group(1), match.group(2).lstrip("0"), (match.group(3) or "").rstrip("0")
    places = minor_digits(currency)
    # Whole numbers only from here, checked by length first, so no digit string is ever too long to convert.
    if len(whole) > len(str(MAX_MINOR_UNITS)):
        raise InvalidAmount(_l("That amount is too large."))
    if len(fraction) > places:
        raise InvalidAmount(_l("%(currency)s amounts have at most %(places)s decimal places.", currency=currency,
                               places=places) if places else _l("%(currency)s amounts have no decimal places.",
                                                                 currency=currency))
    amount = int(whole or "0") * 10**places + int(fraction.ljust(places, "0") or "0")
    if sign == "-" and amount:
        raise InvalidAmount(_l("Enter an amount of zero or more."))
    if amount > MAX_MINOR_UNITS:
        raise InvalidAmount(_l("That amount is too large."))
    return amount


def to_major(amount, currency):
    """Return minor units as a Decimal in major units (1250 -> Decimal('12.50'))."""
    return Decimal(int(amount or 0)).scaleb(-minor_digits(currency))


def format_money(amount, currency):
    """Return an amount for display: "€12.50", "$1,204.00", "RWF 15,000"."""
    digits = minor_digits(currency)
    major = to_major(amount, currency)
    number = f"{major:,.{digits}f}"
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{number}" if symbol else f"{currency.upper()} {number}"


def format_money_input(amount, currency):
    """Return an amount as it goes back into a form field ("12.50")."""
    return f"{to_major(amount, currency):.{minor_digits(currency)}f}"
