"""The home page, shaped by the roles of the person who opens it."""

from flask import Blueprint, g, render_template
from flask_login import current_user

from planner.core.page_cache import kept_page
from planner.core.permissions import allow, signed_in
from planner.meetings import queries as meeting_queries
from planner.members import queries as member_queries
from planner.minutes import queries as minutes_queries
from planner.plan import queries as plan_queries
from planner.proposals import queries as proposal_queries

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@allow(signed_in)
@kept_page
def home():
    members, member_count = member_queries.members_preview()
    return render_template(
        "dashboard/home.html",
        member=current_user.member,
        members=members,
        member_count=member_count,
        proposals_home=proposal_queries.home_cards(current_user),
        next_meeting=meeting_queries.next_meeting_summary(current_user, g.network),
        plan_home=plan_queries.home_cards(current_user),
        minutes_home=minutes_queries.home_cards(current_user),
    )
