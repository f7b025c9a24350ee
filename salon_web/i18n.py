"""Languages and formats: which language a request speaks, and Babel's formats for it.

The language of a request: the user's own choice (profile), else the browser's Accept-Language, else the salon's
default, else English. The salon's default also picks its clients' messages. A language changes words and formats
only: dates are always shown in the salon's time zone, amounts in the salon's currency.
"""
from babel import Locale
from flask import g, has_request_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user

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
    """The language code in force: "en", "fr" or "rw"."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def current_locale():
    return get_locale() or Locale.parse(DEFAULT_LANGUAGE)


def init_app(app):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_language)
