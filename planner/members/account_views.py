"""The secretariat's management of accounts: create, edit, (de)activate, set-password links."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.core.permissions import allow, can_manage_accounts
from planner.core.rules import RuleError
from planner.core.views import attach_error
from planner.extensions import db
from planner.members import queries, rules
from planner.members.forms import AccountForm, AccountSearchForm
from planner.members.models import User

bp = Blueprint("accounts", __name__, url_prefix="/accounts")

ACCOUNT_FIELDS = (
    "email",
    "full_name",
    "member_id",
    "is_secretariat",
    "is_observer",
    "preferred_language",
)


def _account_form(user: User | None = None) -> AccountForm:
    form = AccountForm(obj=user)
    form.member_id.choices = queries.member_choices(_("— none —"))
    return form


def _show_link(user: User, token: str):
    link = url_for("auth.set_password", token=token, _external=True)
    return render_template("accounts/link.html", user=user, link=link)


@bp.route("/")
@allow(can_manage_accounts)
def index():
    return _index()


def _index(error: str | None = None, status: int = 200):
    """The list at the address's page and search (a refused button shows it again)."""
    form = AccountSearchForm(formdata=request.args)
    name = form.searched_text()
    page = queries.accounts(request.args.get("page", 1, type=int), name)
    list_args = {"q": name} if name else {}
    return render_template(
        "accounts/index.html", form=form, page=page, name=name, list_args=list_args, error=error
    ), form.status if form.errors else status


def _list_address() -> str:
    """The list a button or the edit link was on: its page and search ride on the address."""
    kept = {key: request.args[key] for key in ("q", "page") if request.args.get(key)}
    return url_for("accounts.index", **kept)


def _back_to_list():
    return redirect(_list_address())


@bp.route("/new", methods=["GET", "POST"])
@allow(can_manage_accounts)
def new():
    form = _account_form()
    status = 200
    if form.validate_on_submit():
        values = {key: form[key].data for key in ACCOUNT_FIELDS}
        try:
            user = rules.create_user(current_user, **values)
            token = rules.create_set_password_link(current_user, user)
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Account created. Give this person the link below."), "success")
            return _show_link(user, token)
    elif request.method == "POST":
        status = 400
    return render_template("accounts/form.html", form=form, user=None,
                           back=_list_address()), status


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@allow(can_manage_accounts)
def edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = _account_form(user)
    status = 200
    if form.validate_on_submit():
        values = {key: form[key].data for key in ACCOUNT_FIELDS}
        try:
            rules.update_user(current_user, user, **values)
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Account of %(name)s saved.", name=user.full_name), "success")
            return _back_to_list()
    elif request.method == "POST":
        status = 400
    return render_template("accounts/form.html", form=form, user=user,
                           back=_list_address()), status


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@allow(can_manage_accounts)
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.route("/<int:user_id>/activate", methods=["POST"])
@allow(can_manage_accounts)
def activate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = db.get_or_404(User, user_id)
    try:
        rules.set_user_active(current_user, user, active)
    except RuleError as error:
        db.session.rollback()
        return _index(error.message, error.status)
    db.session.commit()
    if active:
        flash(_("Account of %(name)s reactivated.", name=user.full_name), "success")
    else:
        flash(
            _("Account of %(name)s deactivated: it can no longer log in.", name=user.full_name),
            "success",
        )
    return _back_to_list()


@bp.route("/<int:user_id>/link", methods=["POST"])
@allow(can_manage_accounts)
def new_link(user_id: int):
    user = db.get_or_404(User, user_id)
    token = rules.create_set_password_link(current_user, user)
    db.session.commit()
    flash(_("A new link was created; earlier links no longer work."), "success")
    return _show_link(user, token)
