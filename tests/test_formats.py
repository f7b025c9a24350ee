"""Dates, numbers and money in each language's formats, with each currency's own minor units."""
import datetime

import pytest

from salon_web.services import formats

NBSP, NNBSP = "\u00a0", "\u202f"


def plain(text):
    """Babel groups French digits with (narrow) no-break spaces; compare them as spaces."""
    return text.replace(NBSP, " ").replace(NNBSP, " ")


@pytest.mark.parametrize(("amount", "currency", "language", "expected"), [
    (22500, "RWF", "en", "RWF 22,500"),
    (22500, "RWF", "fr", "22 500 RWF"),
    (22500, "RWF", "rw", "RF 22.500"),
    (2250000, "EUR", "fr", "22 500,00 €"),
    (2250000, "EUR", "en", "€22,500.00"),
    (120450, "USD", "en", "$1,204.50"),
    (120450, "USD", "fr", "1 204,50 $US"),
    (5, "EUR", "en", "€0.05"),
    (0, "RWF", "en", "RWF 0"),
])
def test_money_has_the_currency_minor_units_and_the_language_pattern(amount, currency, language, expected):
    assert plain(formats.money(amount, currency, language)) == expected


@pytest.mark.parametrize(("language", "expected"), [("en", "1,234,567"), ("fr", "1 234 567"), ("rw", "1.234.567")])
def test_numbers_are_grouped_by_language(language, expected):
    assert plain(formats.number(1234567, language)) == expected


@pytest.mark.parametrize(("style", "language", "expected"), [
    ("medium", "en", "5 Mar 2026"),
    ("medium", "fr", "5 mars 2026"),
    ("day_month", "en", "5 Mar"),
    ("weekday", "fr", "jeu. 5 mars"),
    ("full", "en", "Thursday, 5 March 2026"),
    ("full", "fr", "jeudi 5 mars 2026"),
    ("full", "rw", "2026 Werurwe 5, Kuwa kane"),
    ("month", "en", "Mar 2026"),
])
def test_days_use_the_language_names_and_order(style, language, expected):
    assert formats.day(datetime.date(2026, 3, 5), style, language) == expected


def test_a_moment_is_day_then_24_hour_time():
    moment = datetime.datetime(2026, 3, 5, 14, 30)
    assert formats.moment(moment, "en") == "5 Mar 2026, 14:30"
    assert formats.moment(moment, "fr") == "5 mars 2026, 14:30"
    assert formats.day(None) == formats.moment(None) == "—"
