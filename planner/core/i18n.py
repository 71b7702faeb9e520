"""Language and time zone of each request: the account's choice, the browser's, the network's."""

from flask import current_app, g, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    forced = getattr(g, "forced_locale", None)  # minutes are written in the meeting's language
    if forced in languages:
        return forced
    if current_user.is_authenticated and current_user.preferred_language in languages:
        return current_user.preferred_language
    if session.get("language") in languages:
        return session["language"]
    return request.accept_languages.best_match(list(languages)) or network_default_locale()


def network_default_locale() -> str:
    return getattr(g, "network_locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return getattr(g, "network_timezone", None) or current_app.config["NETWORK_TIMEZONE"]
