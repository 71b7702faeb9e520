"""Every route, called by every role: who may use it is declared here and checked.

A route missing from ROUTES fails test_every_route_is_in_the_matrix, so no route can be
added without saying who may use it; a view without @allow/@public fails
test_every_view_declares_its_permission.
"""

import pytest
from flask import url_for

from tests.conftest import csrf_token, sign_in
from tests.factories import make_world

DIRECTORS = {"director", "other_director"}
SIGNED_IN = DIRECTORS | {"secretariat", "observer"}
PUBLIC = SIGNED_IN | {"anonymous"}
SECRETARIAT = {"secretariat"}

# endpoint -> roles allowed. For POST-only routes the matrix posts an empty form.
ROUTES: dict[str, set[str]] = {
    "health.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.set_password": PUBLIC,
    "auth.language": PUBLIC,
    "auth.account": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "dashboard.home": SIGNED_IN,
    "members.index": SIGNED_IN,
    "members.show": SIGNED_IN,
    "members.new": SECRETARIAT,
    "members.edit": SECRETARIAT,
    "network.settings": SECRETARIAT,
    "network.audit_log": SECRETARIAT,
    "accounts.index": SECRETARIAT,
    "accounts.new": SECRETARIAT,
    "accounts.edit": SECRETARIAT,
    "accounts.deactivate": SECRETARIAT,
    "accounts.activate": SECRETARIAT,
    "accounts.new_link": SECRETARIAT,
    "proposals.index": SIGNED_IN,
    "proposals.new": SECRETARIAT,
    "proposals.show": SIGNED_IN,
    "proposals.round_page": SIGNED_IN,
    "proposals.edit": SECRETARIAT,
    "proposals.open_round": SECRETARIAT,
    # member_id is the director's own cluster: the other director answers for it only by proxy.
    "proposals.cast": {"director"},
    "proposals.close": SECRETARIAT,
    "proposals.new_round": SECRETARIAT,
    # The world's objection is OTHER's: its director may withdraw it, the secretariat follow it.
    "proposals.follow_up": {"other_director", "secretariat"},
    "proposals.score": DIRECTORS,
    "decisions.index": SIGNED_IN,
    "meetings.index": SIGNED_IN,
    "meetings.show": SIGNED_IN,
    "meetings.new": SECRETARIAT,
    "meetings.edit": SECRETARIAT,
    "meetings.convene": SECRETARIAT,
    "meetings.open": SECRETARIAT,
    "meetings.close": SECRETARIAT,
    "meetings.cancel": SECRETARIAT,
    "meetings.agenda": SECRETARIAT,
    "meetings.new_item": SECRETARIAT,
    "meetings.edit_item": SECRETARIAT,
    "meetings.move_item": SECRETARIAT,
    "meetings.remove_item": SECRETARIAT,
    "meetings.item_documents": SECRETARIAT,
    "meetings.document": SIGNED_IN,
    "meetings.remove_document": SECRETARIAT,
    "meetings.suggest": DIRECTORS,
    "meetings.accept_suggestion": SECRETARIAT,
    "meetings.decline_suggestion": SECRETARIAT,
    "meetings.attendance": SECRETARIAT,
    "meetings.live": SIGNED_IN,
    "meetings.live_state": SIGNED_IN,
    "meetings.next_item": SECRETARIAT,
    "meetings.calendar_file": SIGNED_IN,
    "plan.index": SIGNED_IN,
    "plan.timeline": SIGNED_IN,
    "plan.export_csv": SIGNED_IN,
    "plan.follow_up": SECRETARIAT,
    "plan.show_objective": SIGNED_IN,
    "plan.show_action": SIGNED_IN,
    "plan.update_action": {"director"} | SECRETARIAT,  # the owner's director, not the other
    "plan.new_action": SECRETARIAT,
    "plan.edit_action": SECRETARIAT,
    "plan.add_milestone": SECRETARIAT,
    "plan.toggle_milestone": {"director"} | SECRETARIAT,
    "plan.delete_milestone": SECRETARIAT,
    "plan.new_axis": SECRETARIAT,
    "plan.edit_axis": SECRETARIAT,
    "plan.delete_axis": SECRETARIAT,
    "plan.new_objective": SECRETARIAT,
    "plan.edit_objective": SECRETARIAT,
    "plan.delete_objective": SECRETARIAT,
    "plan.new_indicator": SECRETARIAT,
    "plan.edit_indicator": SECRETARIAT,
    "plan.delete_indicator": SECRETARIAT,
    "plan.funding_sources": SECRETARIAT,
    "plan.edit_funding_source": SECRETARIAT,
    "plan.horizons": SECRETARIAT,
    "plan.calendar": SIGNED_IN,
    "plan.calendar_reset": SIGNED_IN,
    "plan.calendar_feed": PUBLIC,
    "minutes.index": SIGNED_IN,
    "minutes.show": SIGNED_IN,
    "minutes.document": SIGNED_IN,
    "minutes.notes": SECRETARIAT,
    "minutes.save_note": SECRETARIAT,
    "minutes.circulate": SECRETARIAT,
    "minutes.comment": DIRECTORS | SECRETARIAT,
    "minutes.approve": SECRETARIAT,
    "minutes.add_erratum": SECRETARIAT,
    "minutes.pdf_download": SIGNED_IN,
    "minutes.share": SECRETARIAT,
    "minutes.revoke": SECRETARIAT,
    "minutes.shared": PUBLIC,
    "minutes.shared_pdf": PUBLIC,
}


# Routes whose normal answer to an allowed user is the login page.
ENDS_ON_LOGIN_PAGE = {"auth.logout"}


def _endpoints(app):
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"})


def test_every_route_is_in_the_matrix(app):
    missing = [endpoint for endpoint in _endpoints(app) if endpoint not in ROUTES]
    assert not missing, f"add these routes to ROUTES with the roles allowed: {missing}"
    stale = [endpoint for endpoint in ROUTES if endpoint not in _endpoints(app)]
    assert not stale, f"these ROUTES no longer exist: {stale}"


def test_every_view_declares_its_permission(app):
    undeclared = [
        endpoint for endpoint in _endpoints(app)
        if not hasattr(app.view_functions[endpoint], "permission")
    ]
    assert not undeclared, f"decorate these views with @allow(...) or @public: {undeclared}"


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            yield rule


@pytest.mark.parametrize("role", ["anonymous", "director", "other_director", "secretariat", "observer"])
def test_each_role_gets_exactly_what_the_matrix_allows(app, role):
    world = make_world()
    failures = []
    for rule in _rules(app):
        method = "GET" if "GET" in rule.methods else "POST"
        client = app.test_client()
        if role != "anonymous":
            sign_in(client, world.users[role])
        with app.test_request_context():
            url = url_for(rule.endpoint, **{arg: world.url_values[arg] for arg in rule.arguments})
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf_token(client)})
        allowed = role in ROUTES[rule.endpoint]
        status = response.status_code
        sent_to_login = status == 302 and "/login" in response.headers.get("Location", "")
        if rule.endpoint in ENDS_ON_LOGIN_PAGE and sent_to_login:
            continue
        if allowed and (status == 403 or sent_to_login or status >= 500):
            failures.append(f"{role} {method} {url}: {status}, expected access")
        if not allowed and role == "anonymous" and not sent_to_login:
            failures.append(f"{role} {method} {url}: {status}, expected redirect to login")
        if not allowed and role != "anonymous" and status != 403:
            failures.append(f"{role} {method} {url}: {status}, expected 403")
    assert not failures, "\n".join(failures)
