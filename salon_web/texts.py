"""Marking user-facing text for translation where no request is at hand: services, forms, module constants.

`_l("…")` returns a lazy string that becomes the request's language when it is shown (a page, a flash, a problem
document); `N_("…")` only marks a message for extraction and the caller translates it later with `_()`. Placeholders
are named (`_l("Use at least %(count)s characters.", count=12)`), so each language may order its words.
"""
from flask_babel.speaklater import LazyString

from salon_web.i18n import translations


def _l(string, **variables):
    """Flask-Babel's lazy_gettext, translated through the request's kept catalogue (a page shows dozens)."""
    return LazyString(_gettext, string, **variables)


def _nl(singular, plural, num, **variables):
    """Flask-Babel's lazy_ngettext, likewise."""
    return LazyString(_ngettext, singular, plural, num, **variables)


def _gettext(string, **variables):
    text = translations().ugettext(string)
    return text % variables if variables else text


def _ngettext(singular, plural, num, **variables):
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def N_(message):
    return message
