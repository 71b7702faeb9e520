"""Default settings; instance/config.py and the environment override them."""

from datetime import timedelta


class DefaultConfig:
    # SQLite file in instance/ unless DATABASE_URL says otherwise (set in create_app).
    SQLALCHEMY_DATABASE_URI: str | None = None
    # PostgreSQL's idle connections are checked before use by core/database.py (_ping),
    # not at every checkout.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True when served over HTTPS (PLANNER_HTTPS=1)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    # Session lifetime rules (enforced in core/sessions.py).
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)

    # Login throttling: failures counted in the database so every worker sees them.
    LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    # Directors in one meeting room share one public address: allow more per address.
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20

    SET_PASSWORD_LINK_LIFETIME = timedelta(hours=72)
    PASSWORD_MIN_LENGTH = 12
    # scrypt N=2**15, r=8, p=3: one of OWASP's equivalent settings (N=2**17 r=8 p=1 is
    # the reference). It costs an attacker 1.5 times the work of N=2**16 p=1, yet holds 32
    # MiB while it runs instead of 64, in a web worker that must stay small. Hashes made
    # with an earlier method still verify and are redone at the next login.
    PASSWORD_HASH_METHOD = "scrypt:32768:8:3"  # noqa: S105 - a method name, not a secret

    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {"fr": "Français", "en": "English", "ar": "العربية"}
    RTL_LANGUAGES = ("ar",)
    # Numbers and dates of a language follow this region: Arabic as written in Morocco
    # (Latin digits, 24-hour clock, Moroccan month names). Messages stay under ar/.
    FORMAT_LOCALES = {"ar": "ar_MA"}
    # Minutes are official records: written in French or English (design decision).
    MINUTES_LANGUAGES = ("fr", "en")

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
