"""Marking user-facing text for translation where no request is at hand: services, forms, module constants.

`_l("…")` returns a lazy string that becomes the request's language when it is shown (a page, a flash, a problem
document); `N_("…")` only marks a message for extraction and the caller translates it later with `_()`. Placeholders
are named (`_l("Use at least %(count)s characters.", count=12)`), so each language may order its words.
"""
from flask_babel import lazy_gettext as _l, lazy_ngettext as _nl  # noqa: F401  (re-exported)


def N_(message):
    return message
