"""Language and time zone of each request: the account's choice, the browser's, the network's."""

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI, the demo loader: the network's language
        return network_default_locale()
    if current_user.is_authenticated and current_user.preferred_language in languages:
        return current_user.preferred_language
    if session.get("language") in languages:
        return session["language"]
    return request.accept_languages.best_match(list(languages)) or network_default_locale()


def network_default_locale() -> str:
    return getattr(g, "network_locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return getattr(g, "network_timezone", None) or current_app.config["NETWORK_TIMEZONE"]
