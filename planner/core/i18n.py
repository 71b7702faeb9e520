"""Language and time zone of each request: the account's choice, the browser's, the network's."""

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user


def select_locale() -> str:
    """The locale Babel translates and formats with (Flask-Babel's locale selector)."""
    return formatting_locale(chosen_language())


def chosen_language() -> str:
    """One of LANGUAGES: the account's choice, else the session's, else the browser's
    Accept-Language, else the network's default."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI, the demo loader: the network's language
        return network_default_locale()
    if current_user.is_authenticated and current_user.preferred_language in languages:
        return current_user.preferred_language
    if session.get("language") in languages:
        return session["language"]
    return request.accept_languages.best_match(list(languages)) or network_default_locale()


def formatting_locale(language: str) -> str:
    """The regional locale a language's numbers and dates follow (FORMAT_LOCALES).

    Arabic in Morocco (ar_MA) writes Latin digits, "1.234,5", the 24-hour clock and the
    month names of Moroccan usage (دجنبر); its messages still come from the `ar` catalogue,
    since gettext looks for ar_MA, then ar.
    """
    return current_app.config.get("FORMAT_LOCALES", {}).get(language, language)


def current_language() -> str:
    """The interface language of this request, as a key of LANGUAGES ("ar", not "ar_MA")."""
    return get_locale().language


def is_right_to_left() -> bool:
    """Whether this request's language is written right to left (RTL_LANGUAGES)."""
    return current_language() in current_app.config.get("RTL_LANGUAGES", ())


def network_default_locale() -> str:
    return getattr(g, "network_locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return getattr(g, "network_timezone", None) or current_app.config["NETWORK_TIMEZONE"]
