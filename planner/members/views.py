"""The members directory, member clusters, the network's settings and the audit log."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.core.permissions import (
    allow,
    can_manage_members,
    can_read_audit_log,
    signed_in,
)
from planner.core.rules import RuleError
from planner.core.views import attach_error
from planner.extensions import db
from planner.members import queries, rules
from planner.members.audit_labels import ACTION_LABELS
from planner.members.forms import MemberForm, MemberSearchForm, NetworkForm
from planner.members.models import Member

bp = Blueprint("members", __name__, url_prefix="/members")


@bp.route("/")
@allow(signed_in)
def index():
    show_inactive = can_manage_members(current_user) and request.args.get("inactive") == "1"
    form = MemberSearchForm(formdata=request.args)
    name = form.searched_text()
    page = queries.members_directory(
        request.args.get("page", 1, type=int), name, include_inactive=show_inactive
    )
    # The search and the toggle ride along on the pager's links.
    search_args = {"q": name} if name else {}
    list_args = {**search_args, "inactive": 1} if show_inactive else search_args
    return render_template(
        "members/index.html", form=form, page=page, name=name, show_inactive=show_inactive,
        search_args=search_args, list_args=list_args,
    ), form.status


@bp.route("/<int:member_id>")
@allow(signed_in)
def show(member_id: int):
    member = queries.member_with_directors(member_id)
    if member is None:
        abort(404)
    return render_template("members/show.html", member=member)


MEMBER_FIELDS = ("name", "short_name", "sector", "city", "region", "joined_on", "is_active")


@bp.route("/new", methods=["GET", "POST"])
@allow(can_manage_members)
def new():
    form = MemberForm()
    status = 200
    if form.validate_on_submit():
        values = {key: form[key].data for key in MEMBER_FIELDS if key != "is_active"}
        try:
            member = rules.create_member(current_user, **values)
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Member cluster %(name)s added.", name=member.short_name), "success")
            return redirect(url_for("members.show", member_id=member.id))
    elif request.method == "POST":
        status = 400
    return render_template("members/form.html", form=form, member=None), status


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@allow(can_manage_members)
def edit(member_id: int):
    member = db.get_or_404(Member, member_id)
    form = MemberForm(obj=member)
    if request.method == "GET":
        form.version.data = member.version
    status = 200
    if form.validate_on_submit():
        values = {key: form[key].data for key in MEMBER_FIELDS}
        try:
            version = int(form.version.data or 0)
            rules.update_member(current_user, member, version, **values)
        except RuleError as error:
            status = attach_error(form, error)
            if status == 409 and error.field is None:
                # Show the newer saved values next to the message; keep nothing stale.
                db.session.refresh(member)
                form = MemberForm(formdata=None, obj=member)
                form.version.data = member.version
                form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Member cluster %(name)s saved.", name=member.short_name), "success")
            return redirect(url_for("members.show", member_id=member.id))
    elif request.method == "POST":
        status = 400
    return render_template("members/form.html", form=form, member=member), status


network_bp = Blueprint("network", __name__, url_prefix="/network")


@network_bp.route("/settings", methods=["GET", "POST"])
@allow(can_manage_members)
def settings():
    network = g.network
    if network is None:
        abort(404)
    form = NetworkForm(obj=network)
    form.secretariat_member_id.choices = queries.member_choices("—")
    status = 200
    if form.validate_on_submit():
        values = {key: field.data for key, field in form._fields.items() if key != "csrf_token"}
        try:
            rules.update_network(current_user, network, **values)
        except RuleError as error:
            status = attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The network's settings are saved."), "success")
            return redirect(url_for("network.settings"))
    elif request.method == "POST":
        status = 400
    return render_template("members/network_settings.html", form=form), status


@network_bp.route("/audit")
@allow(can_read_audit_log)
def audit_log():
    page = max(request.args.get("page", 1, type=int), 1)
    events, has_more = queries.audit_page(page)
    return render_template(
        "members/audit_log.html",
        events=events,
        page=page,
        has_more=has_more,
        action_labels=ACTION_LABELS,
    )
