"""Logging in and out, one-time set-password links, the language switch and one's account."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from planner.core.permissions import allow, public, signed_in
from planner.core.rules import RuleError
from planner.core.security import is_safe_redirect, start_session
from planner.core.views import attach_error, redirect_back
from planner.extensions import db
from planner.members import rules
from planner.members.forms import ChangePasswordForm, LanguageForm, LoginForm, SetPasswordForm

bp = Blueprint("auth", __name__)


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _clear_session(language: str | None = None) -> None:
    """Start a new session (hence a new cookie), keeping only the chosen language."""
    language = language or session.get("language")
    session.clear()
    if language:
        session["language"] = language


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        try:
            user = rules.authenticate(form.email.data, form.password.data, _client_address())
        except RuleError as error:
            # Keep the failed attempt: it is what throttles password guessing.
            if error.status == 400:
                db.session.commit()
            form.password.data = ""
            status = attach_error(form, error)
        else:
            db.session.commit()
            _clear_session()
            remember = bool(form.remember.data)
            login_user(user, remember=remember)
            start_session(remember)
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            target = form.next.data
            return redirect(target if is_safe_redirect(target) else url_for("dashboard.home"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@allow(signed_in)
def logout():
    user = current_user._get_current_object()
    rules.end_all_sessions(user)
    db.session.commit()
    logout_user()
    _clear_session(user.preferred_language)
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    link = rules.find_set_password_link(token)
    if link is None:
        return render_template("auth/link_invalid.html"), 404
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            rules.use_set_password_link(token, form.password.data, form.confirmation.data)
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            _clear_session()
            flash(_("Your password is set. You can now log in."), "success")
            return redirect(url_for("auth.login"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/set_password.html", form=form, link=link), status


@bp.route("/language", methods=["POST"])
@public
def language():
    form = LanguageForm()
    if not form.validate_on_submit():
        flash(_("This language is not available."), "error")
        return redirect_back("dashboard.home"), 303
    if current_user.is_authenticated:
        rules.set_language(current_user, form.language.data)
        db.session.commit()
    session["language"] = form.language.data
    return redirect_back("dashboard.home"), 303


@bp.route("/account", methods=["GET"])
@allow(signed_in)
def account():
    return render_template("auth/account.html", form=ChangePasswordForm())


@bp.route("/account/password", methods=["POST"])
@allow(signed_in)
def change_password():
    form = ChangePasswordForm()
    status = 400
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            rules.change_password(
                user, form.current_password.data, form.password.data, form.confirmation.data
            )
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            # Every other session ended with the version bump; keep this one signed in.
            remember = bool(session.get("remember"))
            _clear_session()
            login_user(user, remember=remember)
            start_session(remember)
            flash(_("Your password was changed. Your other sessions were signed out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), status
