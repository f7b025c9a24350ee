"""Dates, numbers and money in a language's own formats (Babel, CLDR data), never by hand.

Every function takes the language code ("en", "fr", "rw"); the web edge passes the request's, a message the
salon's. English formats dates day-first (en_GB), as salons from Kigali to Paris write them; its money keeps CLDR's
plain English patterns ("$1,204.50", "RWF 22,500").
"""
import datetime
import re
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_skeleton, get_datetime_format
from babel.numbers import format_currency, format_decimal

from salon_web.services.money import to_major

# The CLDR locale whose patterns a language's dates and numbers follow.
DATE_LOCALES = {"en": "en_GB", "fr": "fr", "rw": "rw"}
MONEY_LOCALES = {"en": "en", "fr": "fr", "rw": "rw"}

# Named date styles the templates use, as CLDR skeletons or format lengths.
DAY_STYLES = {
    "medium": "yMMMd",  # 5 Mar 2026 · 5 mars 2026
    "day_month": "MMMd",  # 5 Mar
    "weekday": "MMMEd",  # Thu 5 Mar
    "month": "yMMM",  # Mar 2026
}
# CLDR puts no space between a currency code made of letters and a digit in some patterns ("RWF22,500");
# its currencySpacing rule asks for one, which Babel does not apply.
_CODE_AGAINST_DIGIT = re.compile(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")


@lru_cache(maxsize=16)
def _locale(code):
    return Locale.parse(code)


def date_locale(language):
    return _locale(DATE_LOCALES.get(str(language), "en_GB"))


# Babel formats a number in 15-50 µs; a list page shows dozens. The formatters are pure in their arguments, so
# the hot values (today's dates, common amounts) are kept: a few thousand short strings per process.
FORMAT_CACHE = 4096


def money(amount, currency, language="en"):
    """An amount of minor units in the language's format with the currency's own minor units."""
    return _money(int(amount or 0), currency, str(language))


@lru_cache(maxsize=FORMAT_CACHE)
def _money(amount, currency, language):
    locale = _locale(MONEY_LOCALES.get(str(language), "en"))
    text = format_currency(to_major(amount, currency), currency.upper(), locale=locale, currency_digits=True)
    return _CODE_AGAINST_DIGIT.sub(" ", text)


def number(value, language="en"):
    """A whole or decimal number with the language's grouping: 1,234,567 · 1 234 567 · 1.234.567."""
    return _number(value, str(language))


@lru_cache(maxsize=FORMAT_CACHE)
def _number(value, language):
    return format_decimal(value, locale=_locale(MONEY_LOCALES.get(str(language), "en")))


def day(value, style="medium", language="en"):
    """A calendar date in a named style (see DAY_STYLES), or "full" with the weekday and month spelled out."""
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):  # every style shows the calendar date only
        value = value.date()
    return _day(value, style, str(language))


@lru_cache(maxsize=FORMAT_CACHE)
def _day(value, style, language):
    locale = date_locale(language)
    if style == "full":
        return format_date(value, "full", locale=locale)
    return format_skeleton(DAY_STYLES[style], value, locale=locale)


def time_of_day(value, language="en"):
    """Hours and minutes, 24-hour in every language we speak: 14:30."""
    return _time_of_day(value.hour, value.minute, str(language))


@lru_cache(maxsize=FORMAT_CACHE)
def _time_of_day(hour, minute, language):
    return format_skeleton("Hm", datetime.time(hour, minute), locale=date_locale(language))


def moment(value, language="en"):
    """A date and a time of day: 5 Mar 2026, 14:30 · 5 mars 2026, 14:30 · 2026 Wer. 5 14:30."""
    if value is None:
        return "—"
    return _moment_pattern(str(language)).format(time_of_day(value, language), day(value, "medium", language))


@lru_cache(maxsize=16)
def _moment_pattern(language):
    return get_datetime_format("medium", locale=date_locale(language)).replace("'", "")
