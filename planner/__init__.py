"""planner: strategy meetings, votes, consensus and action plans for a network of clusters."""

import logging
import os
import secrets
from pathlib import Path

from flask import Flask, g

from planner.config import DefaultConfig
from planner.extensions import babel, csrf, db, login_manager

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None, *, serving: bool = False) -> Flask:
    """Build the application: defaults, then instance/config.py and the environment, then `config`.

    `serving=True` (wsgi.py, what gunicorn loads) leaves out the command-line commands and
    the migrations, which a web worker never runs: Alembic alone is 11 MB in each worker.
    """
    instance_path = os.environ.get("PLANNER_INSTANCE_PATH", str(ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_object(DefaultConfig)
    if config is None:
        _load_deployment_config(app)
    else:
        app.config.from_mapping(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
            Path(app.instance_path) / "planner.sqlite3"
        )
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: see README, section Deployment.")

    _init_extensions(app)
    _register_blueprints(app)
    _register_template_helpers(app)

    from planner import benchmark

    if not serving:
        _init_commands(app)
        benchmark.register_cli(app)
    benchmark.init_app(app)
    logging.basicConfig(level=logging.INFO)
    return app


def _load_deployment_config(app: Flask) -> None:
    """instance/config.py (created with a random SECRET_KEY on first run), then the environment."""
    config_file = Path(app.instance_path) / "config.py"
    if not config_file.exists() and not os.environ.get("SECRET_KEY"):
        config_file.parent.mkdir(parents=True, exist_ok=True)
        config_file.write_text(
            "# Generated on first run. Keep it secret; never commit it.\n"
            f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
        )
        config_file.chmod(0o600)
    app.config.from_pyfile(str(config_file), silent=True)
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ["DATABASE_URL"])
    if os.environ.get("PLANNER_HTTPS") == "1":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"


def database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _init_extensions(app: Flask) -> None:
    from planner.core.database import configure_engine
    from planner.core.i18n import install_template_gettext, select_locale, select_timezone

    app.config.setdefault("NETWORK_TIMEZONE", "Africa/Casablanca")
    # Behind HTTPS the Referer check needs the header, which Referrer-Policy no-referrer
    # removes; the token plus our Origin check (core/security.py) guard cross-site posts.
    app.config.setdefault("WTF_CSRF_SSL_STRICT", False)
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    install_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # our own rules: core/security.py

    from planner.core.errors import register_error_handlers
    from planner.core.page_cache import init_page_cache
    from planner.core.security import init_security
    from planner.members.sessions import init_sessions

    init_security(app)  # first: it decides how the request's transaction begins
    register_error_handlers(app)
    init_page_cache(app)  # a kept page is served once the session's rules have run
    init_sessions(app)  # last: the network the views use, which a kept page does not


def _init_commands(app: Flask) -> None:
    from flask_migrate import Migrate

    from planner.cli import register_cli

    Migrate(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    register_cli(app)


def _register_blueprints(app: Flask) -> None:
    from planner.core import health
    from planner.dashboard import views as dashboard
    from planner.meetings import views as meetings
    from planner.members import account_views, auth_views
    from planner.members import views as members

    for blueprint in (
        health.bp,
        auth_views.bp,
        dashboard.bp,
        members.bp,
        members.network_bp,
        account_views.bp,
        meetings.bp,
    ):
        app.register_blueprint(blueprint)

    from planner import proposals

    proposals.init_app(app)

    from planner import plan

    plan.init_app(app)

    from planner.minutes import views as minutes

    app.register_blueprint(minutes.bp)


def _register_template_helpers(app: Flask) -> None:
    from planner.core import permissions
    from planner.core.formatting import register_filters
    from planner.core.i18n import current_language, is_right_to_left

    app.jinja_env.add_extension("jinja2.ext.do")
    register_filters(app)

    @app.context_processor
    def _globals():
        language = current_language()
        return {
            "can": permissions,
            "network": getattr(g, "network", None),
            "languages": app.config["LANGUAGES"],
            "current_language": language,
            "text_direction": "rtl" if is_right_to_left() else "ltr",
        }
