"""Languages and formats: which language a request speaks, and Babel's formats for it.

The language of a request: the user's own choice (profile), else the browser's Accept-Language, else the salon's
default, else English. The salon's default also picks its clients' messages. A language changes words and formats
only: dates are always shown in the salon's time zone, amounts in the salon's currency.
"""
import decimal

from babel import Locale
from flask import g, has_request_context, request
from flask.globals import _cv_app
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup, escape

LANGUAGES = {"en": "English", "fr": "Français", "rw": "Ikinyarwanda"}
DEFAULT_LANGUAGE = "en"

babel = Babel()


def supported(language):
    """Return `language` when salon_web speaks it, else None."""
    return language if language in LANGUAGES else None


def select_language():
    """The language of the current request (Flask-Babel's locale selector)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    browser = request.accept_languages.best_match(LANGUAGES)
    if request.path.startswith("/api/"):  # bearer tokens: the header speaks for the caller
        return browser or DEFAULT_LANGUAGE
    user_choice = getattr(current_user, "language", None)
    if supported(user_choice):
        return user_choice
    if browser:
        return browser
    salon = g.get("salon")
    return supported(getattr(salon, "language", None)) or DEFAULT_LANGUAGE


def current_language():
    """The language code in force: "en", "fr" or "rw" (asked by every date and amount a page shows)."""
    return _kept_for_locale("salon_web_language", str, lambda: str(get_locale() or DEFAULT_LANGUAGE))


def current_locale():
    return get_locale() or Locale.parse(DEFAULT_LANGUAGE)


def translations():
    """The catalogue of the language in force, looked up once per request and language.

    Flask-Babel finds it anew for every word (three context look-ups each): a list page says ~300 words,
    which cost a third of its rendering.
    """
    return _kept_for_locale("salon_web_catalogue", lambda locale: get_translations(), get_translations)


def _kept_for_locale(name, compute, outside):
    """compute(locale), kept under `name` beside Flask-Babel's per-request state, tied to the locale object it was
    computed for, so `force_locale` (which replaces that object) still works; outside() before a locale is chosen."""
    app_context = _cv_app.get(None)  # the context itself: `g` through its proxy cost two look-ups a word
    state = app_context.g.get("_flask_babel") if app_context is not None else None
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return outside()
    kept = getattr(state, name, None)
    if kept is None or kept[0] is not locale:
        kept = (locale, compute(locale))
        setattr(state, name, kept)
    return kept[1]


def init_app(app):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_language)
    # Jinja's i18n extension would wrap each callable twice (an alias and a formatting wrapper, three context
    # calls per word); these do the same work in one: translate, mark safe under autoescape, fill in variables.
    # They take the evaluation context, not the context: Jinja derives a new context for each call of a
    # context function inside a block or loop that sets variables (51 a list page).
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext,
                                 pgettext=_template_pgettext, npgettext=_template_npgettext,
                                 gettext_pattern=_template_gettext_pattern)


@pass_eval_context  # also the filter that templates compiled per language call (translated_templates)
def fill_translation(eval_ctx, text, variables):
    """What Jinja's newstyle gettext does with a translation: Markup under autoescape, then the variables."""
    if not (variables or "%" in text):
        return Markup(text) if eval_ctx.autoescape else text
    if eval_ctx.autoescape:
        return fill(text, variables)
    return text % variables  # "%%" still becomes "%"


_NUMBERS = (int, float, decimal.Decimal)


def fill(pattern, variables):
    """`Markup(pattern) % variables`: values escaped as Markup escapes them, numbers kept as numbers (for `%d`).

    Markup's own `%` wraps each value in a helper object: ~5 µs a word, as much as the rest of a table row.
    """
    safe = {name: value if isinstance(value, _NUMBERS) else escape(value) for name, value in variables.items()}
    try:
        return Markup(str.__mod__(pattern, safe))
    except TypeError:  # `%d` given text: Markup's way converts it (or says why it cannot)
        return Markup(pattern) % variables


class Pattern(Markup):
    """A translation with its variables still open: `pattern % {"name": ...}` fills it like gettext (see `fill`)."""

    __slots__ = ()

    def __mod__(self, variables):
        return fill(self, variables) if isinstance(variables, dict) else super().__mod__(variables)


@pass_eval_context
def _template_gettext(eval_ctx, string, /, **variables):  # positional-only: a variable may be called `string`
    return fill_translation(eval_ctx, translations().ugettext(string), variables)


@pass_eval_context
def _template_ngettext(eval_ctx, singular, plural, num, /, **variables):
    variables.setdefault("num", num)
    return fill_translation(eval_ctx, translations().ungettext(singular, plural, num), variables)


@pass_eval_context
def _template_pgettext(eval_ctx, message_context, string, /, **variables):
    return fill_translation(eval_ctx, translations().upgettext(message_context, string), variables)


@pass_eval_context
def _template_npgettext(eval_ctx, message_context, singular, plural, num, /, **variables):
    variables.setdefault("num", num)
    return fill_translation(eval_ctx, translations().unpgettext(message_context, singular, plural, num), variables)


@pass_eval_context
def _template_gettext_pattern(eval_ctx, string, /):
    """The translation with its variables still open, for a word every table row repeats: translated once per page,
    then filled per row with `pattern % {"name": ...}`, the same formatting pass gettext does (values escaped)."""
    text = translations().ugettext(string)
    return Pattern(text) if eval_ctx.autoescape else text
