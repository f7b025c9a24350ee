"""Money as integer minor units: parsing what staff type and formatting per currency."""
from decimal import Decimal, InvalidOperation

# ISO 4217 currencies without minor units; everything else we serve has two.
_ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


class InvalidAmount(ValueError):
    pass


def minor_digits(currency):
    return 0 if currency.upper() in _ZERO_DECIMAL else 2


def parse_money(text, currency):
    """Return minor units for an amount typed in major units ("12.50" -> 1250)."""
    cleaned = (text or "").strip().replace(",", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise InvalidAmount("Enter an amount such as 12.50.") from error
    if not value.is_finite() or value < 0:
        raise InvalidAmount("Enter an amount of zero or more.")
    scaled = value.scaleb(minor_digits(currency))
    if scaled != scaled.to_integral_value():
        places = minor_digits(currency)
        raise InvalidAmount(f"{currency} amounts have at most {places} decimal places.")
    if scaled > 10**13:
        raise InvalidAmount("That amount is too large.")
    return int(scaled)


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
