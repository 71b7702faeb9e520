"""Language and time zone of each request: the account's choice, the browser's, the network's."""

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_timezone, get_translations
from markupsafe import Markup

from planner.extensions import login_manager


def select_locale() -> str:
    """The locale Babel translates and formats with (Flask-Babel's locale selector)."""
    return formatting_locale(chosen_language())


def chosen_language() -> str:
    """One of LANGUAGES: the account's choice, else the session's, else the browser's
    Accept-Language, else the network's default."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI, the demo loader: the network's language
        return network_default_locale()
    account = login_manager.signed_in()  # no account objects: a kept page needs none
    if account is not None and account.preferred_language in languages:
        return account.preferred_language
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


# --- fast lookups ------------------------------------------------------------------------
# Flask-Babel finds the request's translations and locale anew at every call (a dozen proxy
# look-ups, ~17 µs per `_()` in a template); a page has a hundred of them. These helpers find
# them once per request, in the same per-request namespace Flask-Babel uses, under the keys
# that its refresh() and force_locale() reset, so a forced locale (minutes written in the
# meeting's language) or a refreshed one is always seen.


def _babel_context():
    return g.get("_flask_babel")


def request_translations():
    """This request's Babel translations, looked up once per request (and per forced locale)."""
    ctx = _babel_context()
    translations = getattr(ctx, "babel_translations", None) if ctx is not None else None
    if translations is None:
        translations = get_translations()
        ctx = _babel_context()  # created by get_translations() if it was not there yet
        if ctx is not None:
            ctx.babel_translations = translations
    return translations


_TRANSLATED: dict = {}  # (name, translations) -> labels as plain text


def translated_once(name: str, labels) -> dict:
    """`labels` ({key: lazy text}) as plain text in this request's language, translated once
    per process and language: a catalogue does not change while the process runs, and a
    lazy label is translated anew (about 17 µs) each time a form or a page reads it."""
    if not has_request_context():  # Babel makes up new translations outside a request
        return {key: str(label) for key, label in labels.items()}
    translations = request_translations()
    found = _TRANSLATED.get((name, translations))
    if found is None:
        found = _TRANSLATED[name, translations] = {
            key: str(label) for key, label in labels.items()}
    return found


def install_template_gettext(app) -> None:
    """Templates' `_`, `gettext`, `ngettext`, `pgettext` and `npgettext`, as plain functions.

    They behave as Jinja's "newstyle" gettext (the message is a %-format string, `num` and
    `context` are set, the result is Markup so the variables are escaped), without its three
    nested context calls per message. Every template of ours is autoescaped HTML.
    """

    def formatted(message: str, variables: dict) -> Markup:
        # Our catalogue's text is markup, as in Jinja's own gettext; the variables are escaped.
        # A message is a %-format even without variables ("100 %%" reads "100 %").
        markup = Markup(message)  # noqa: S704
        return markup % variables if variables or "%" in message else markup

    def gettext(string, **variables):
        return formatted(request_translations().ugettext(string), variables)

    def ngettext(singular, plural, num, **variables):
        variables.setdefault("num", num)
        return formatted(request_translations().ungettext(singular, plural, num), variables)

    def pgettext(context, string, **variables):
        variables.setdefault("context", context)
        return formatted(request_translations().upgettext(context, string), variables)

    def npgettext(context, singular, plural, num, **variables):
        variables.setdefault("context", context)
        variables.setdefault("num", num)
        translated = request_translations().unpgettext(context, singular, plural, num)
        return formatted(translated, variables)

    def message_format(string):
        """The translated message as markup, to format once per row of a list with `%`
        (which escapes the values): a call from a template costs more than the formatting."""
        return Markup(request_translations().ugettext(string))  # noqa: S704 - our catalogue

    app.jinja_env.globals.update(
        _=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext,
        message_format=message_format,
    )


def format_context() -> tuple:
    """(locale, time zone) this request formats with, read where Flask-Babel keeps them;
    both hashable, to key the formatting cache."""
    ctx = _babel_context()
    locale = getattr(ctx, "babel_locale", None) if ctx is not None else None
    tzinfo = getattr(ctx, "babel_tzinfo", None) if ctx is not None else None
    return locale or get_locale(), tzinfo or get_timezone()
