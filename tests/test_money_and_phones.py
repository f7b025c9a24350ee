"""Money in minor units per currency; phones normalised in the salon's country."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salon_web.services.money import InvalidAmount, format_money, parse_money, to_major
from salon_web.services.phones import InvalidPhone, format_phone, normalize_phone
from salon_web.services.text import fold


@pytest.mark.parametrize(
    "text, currency, minor",
    [("12.50", "EUR", 1250), ("1,204", "USD", 120400), ("15000", "RWF", 15000), ("0", "EUR", 0), (" 7.5 ", "USD", 750),
     (".5", "EUR", 50), ("12.", "EUR", 1200), ("0012.500", "EUR", 1250), ("-0", "EUR", 0), ("15000.00", "RWF", 15000)],
)
def test_parse_money(text, currency, minor):
    assert parse_money(text, currency) == minor


@pytest.mark.parametrize("text, currency", [("abc", "EUR"), ("-1", "EUR"), ("1.005", "EUR"), ("12.5", "RWF"), ("NaN", "EUR"), ("", "EUR"),
    # Scientific notation is never evaluated: the first overflowed Decimal, the second was read as 0.
    ("1E+1000000", "EUR"), ("1e-99999999999", "EUR"), ("1e3", "RWF"), ("Infinity", "EUR"), (".", "EUR"),
    ("9" * 5000, "EUR"), ("1" + "0" * 14, "RWF"), ("0.000000000000000000000001", "EUR")])
def test_parse_money_refuses(text, currency):
    with pytest.raises(InvalidAmount):
        parse_money(text, currency)


def test_format_money():
    assert format_money(1250, "EUR") == "€12.50"
    assert format_money(120400, "USD") == "$1,204.00"
    assert format_money(15000, "RWF") == "RWF 15,000"


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["EUR", "USD", "RWF"]))
def test_money_round_trips(minor, currency):
    assert parse_money(str(to_major(minor, currency)), currency) == minor


@pytest.mark.parametrize("typed", ["0788 123 456", "+250 788 123 456", "250788123456", "(078) 812-3456"])
def test_rwandan_phone_in_any_local_format(typed):
    assert normalize_phone(typed, "RW") == "+250788123456"


def test_foreign_numbers_keep_their_country():
    assert normalize_phone("+33 6 12 34 56 78", "RW") == "+33612345678"
    assert format_phone("+33612345678", "RW") == "+33 6 12 34 56 78"
    assert format_phone("+250788123456", "RW") == "0788 123 456"


@pytest.mark.parametrize("typed", ["hello", "12", "+250 7"])
def test_invalid_phones(typed):
    with pytest.raises(InvalidPhone):
        normalize_phone(typed, "RW")


def test_fold_strips_accents_and_case():
    assert fold("  Émilie   LEFÈVRE ") == "emilie lefevre"
