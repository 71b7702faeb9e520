"""The plan's pages as people use them: updates and refusals per role, bad input, conflicts,
filters in the address, the follow-up, the timeline, CSV and iCalendar, the home page."""

import csv
import html
import io
import re
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.members.models import Member, Network
from planner.plan import rules
from planner.plan.dates import local_today
from planner.plan.models import ActionItem, ActionStatus, CalendarFeed, ProgressUpdate
from planner.plan.owner_search import OWNER_SELECT_LIMIT
from tests.conftest import page_text, post
from tests.factories import (
    current_round_of,
    make_action,
    make_axis,
    make_ballot,
    make_funding_source,
    make_member,
    make_milestone,
    make_objective,
    make_proposal,
    make_update,
    make_user,
)


def text(response) -> str:
    return page_text(response)


@pytest.fixture
def people(app):
    own = make_member(short_name="OWN")
    other = make_member(short_name="OTHER")
    return {
        "own": own, "other": other,
        "director": make_user(member=own, full_name="Amina Own"),
        "other_director": make_user(member=other),
        "secretariat": make_user(role="secretariat", full_name="Secrétariat"),
        "observer": make_user(role="observer"),
    }


def action_url(action, suffix="") -> str:
    return f"/plan/actions/{action.id}{suffix}"


def update_form(action, **changes) -> dict:
    data = {"text": "Job descriptions drafted.", "progress": "40", "status": "in_progress",
            "status_reason": "", "version": str(action.version)}
    data.update(changes)
    return data


# --- progress updates and permissions -------------------------------------------------------


def test_director_posts_an_update_on_their_clusters_action(people, as_user):
    action = make_action(owner=people["own"], title="Rédiger les fiches de poste")
    client = as_user(people["director"])
    response = post(client, action_url(action, "/update"), update_form(action),
                    page=action_url(action))
    assert response.status_code == 302
    page = text(client.get(action_url(action)))
    assert "Votre mise à jour est enregistrée." in page
    assert "Job descriptions drafted." in page and "Amina Own" in page
    assert "Avancement : 0 % → 40 %" in page
    stored = db.session.get(ActionItem, action.id)
    assert stored.progress == 40 and stored.status == ActionStatus.IN_PROGRESS


def test_director_updating_another_clusters_action_gets_403(people, as_user):
    action = make_action(owner=people["other"])
    client = as_user(people["director"])
    response = post(client, action_url(action, "/update"), update_form(action),
                    page=action_url(action))
    assert response.status_code == 403
    assert db.session.scalar(select(ProgressUpdate.id)) is None
    # and the page does not offer the form
    assert "Publier une mise à jour" not in text(client.get(action_url(action)))


@pytest.mark.parametrize("role", ["observer", "other_director"])
def test_other_roles_cannot_update(people, as_user, role):
    action = make_action(owner=people["own"])
    client = as_user(people[role])
    response = post(client, action_url(action, "/update"), update_form(action),
                    page=action_url(action))
    assert response.status_code == 403


def test_secretariat_updates_any_action(people, as_user):
    action = make_action(owner=people["other"])
    client = as_user(people["secretariat"])
    response = post(client, action_url(action, "/update"), update_form(action),
                    page=action_url(action))
    assert response.status_code == 302


def test_anonymous_is_sent_to_login(people, client):
    action = make_action(owner=people["own"])
    response = client.get(action_url(action))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_blocked_without_reason_is_refused_and_the_input_kept(people, as_user):
    action = make_action(owner=people["own"])
    client = as_user(people["director"])
    response = post(client, action_url(action, "/update"),
                    update_form(action, status="blocked", text="Waiting for the status"),
                    page=action_url(action))
    assert response.status_code == 400
    page = text(response)
    assert "Indiquez pourquoi l'action est bloquée." in page
    assert "Waiting for the status" in page


def test_done_below_100_shows_the_confirmation_box(people, as_user):
    action = make_action(owner=people["own"])
    client = as_user(people["director"])
    response = post(client, action_url(action, "/update"),
                    update_form(action, status="done", progress="90"), page=action_url(action))
    assert response.status_code == 400
    page = text(response)
    assert "mais son avancement est de 90 %" in page
    assert 'name="confirm_complete"' in page
    response = post(client, action_url(action, "/update"),
                    update_form(action, status="done", progress="90", confirm_complete="y"),
                    page=action_url(action))
    assert response.status_code == 302
    assert db.session.get(ActionItem, action.id).progress == 100


def test_progress_outside_range_is_refused_on_the_page(people, as_user):
    action = make_action(owner=people["own"])
    client = as_user(people["director"])
    response = post(client, action_url(action, "/update"), update_form(action, progress="150"),
                    page=action_url(action))
    assert response.status_code == 400
    assert "indiquez un nombre entier de 0 à 100" in text(response)


def test_director_cannot_choose_cancelled(people, as_user):
    action = make_action(owner=people["own"])
    client = as_user(people["director"])
    page = text(client.get(action_url(action)))
    assert 'value="cancelled"' not in page
    response = post(client, action_url(action, "/update"),
                    update_form(action, status="cancelled", status_reason="No need"),
                    page=action_url(action))
    assert response.status_code == 400  # not a choice they are offered
    assert db.session.get(ActionItem, action.id).status == ActionStatus.PLANNED


def test_concurrent_update_is_refused_with_the_newer_values(people, as_user):
    action = make_action(owner=people["own"])
    stale = update_form(action, text="My slower update", progress="30")
    make_update(people["secretariat"], action, text="Faster update", progress=60)
    client = as_user(people["director"])
    response = post(client, action_url(action, "/update"), stale, page=action_url(action))
    assert response.status_code == 409
    page = text(response)
    assert "Quelqu'un d'autre a mis à jour cette action" in page
    assert "My slower update" in page  # what they wrote is kept
    assert 'value="60"' in page  # the newer progress is shown
    assert "Faster update" in page


# --- the secretariat's edit form ------------------------------------------------------------


def action_form(objective, **changes) -> dict:
    today = local_today()
    data = {"objective_id": str(objective.id), "title": "Préparer le Forum", "owner": "secretariat",
            "starts_on": today.isoformat(), "due_on": (today + timedelta(days=60)).isoformat(),
            "status": "planned", "progress": "0", "description": "", "responsible_user_id": "",
            "responsible_name": "", "status_reason": "", "estimated_cost": "",
            "funding_source_id": "", "funding_status": ""}
    data.update(changes)
    return data


def test_secretariat_creates_an_action(people, as_user):
    objective = make_objective()
    source = make_funding_source(name="Ministère de l'Enseignement supérieur")
    client = as_user(people["secretariat"])
    response = post(client, "/plan/actions/new", action_form(
        objective, owner=str(people["own"].id), estimated_cost="350000",
        funding_source_id=str(source.id), funding_status="requested"), page="/plan/actions/new")
    assert response.status_code == 302
    action = db.session.scalar(select(ActionItem))
    assert action.owner_member_id == people["own"].id and action.estimated_cost == 350000
    page = text(client.get(response.headers["Location"]))
    assert "Préparer le Forum" in page and "350" in page and "MAD" in page


BAD_INPUT = [
    ("deadline before start", {"due_on": "2020-01-01", "starts_on": "2020-02-01"},
     "précède la date de début"),
    ("progress above 100", {"progress": "101"}, "de 0 à 100"),
    ("progress below 0", {"progress": "-5"}, "de 0 à 100"),
    ("done below 100", {"status": "done", "progress": "50"}, "mais son avancement est de 50 %"),
    ("negative cost", {"estimated_cost": "-10"}, "Le coût estimé ne peut pas être négatif."),
    ("unknown owner", {"owner": "424242"}, "Porteur inconnu"),
]


@pytest.mark.parametrize("label, changes, message", BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_is_refused_with_a_clear_message(people, as_user, label, changes, message):
    objective = make_objective()
    client = as_user(people["secretariat"])
    response = post(client, "/plan/actions/new", action_form(objective, **changes),
                    page="/plan/actions/new")
    assert response.status_code == 400, label
    page = text(response)
    assert message in page, label
    assert 'value="Préparer le Forum"' in page  # the input is kept
    assert db.session.scalar(select(ActionItem.id)) is None


def test_milestone_outside_the_dates_is_refused_on_the_page(people, as_user):
    action = make_action(starts_in=0, due_in=10)
    client = as_user(people["secretariat"])
    late = (local_today() + timedelta(days=11)).isoformat()
    response = post(client, action_url(action, "/milestones"),
                    {"title": "Programme arrêté", "due_on": late}, page=action_url(action))
    assert response.status_code == 400
    assert "Le jalon doit se situer dans les dates de l'action" in text(response)
    inside = (local_today() + timedelta(days=5)).isoformat()
    response = post(client, action_url(action, "/milestones"),
                    {"title": "Programme arrêté", "due_on": inside}, page=action_url(action))
    assert response.status_code == 302
    assert "Programme arrêté" in text(client.get(action_url(action)))


def test_director_marks_their_milestone_reached(people, as_user):
    action = make_action(owner=people["own"])
    milestone = make_milestone(action, title="Questionnaire envoyé")
    client = as_user(people["director"])
    response = post(client, f"/plan/milestones/{milestone.id}/done", {"done": "1"},
                    page=action_url(action))
    assert response.status_code == 302
    assert "Atteint" in text(client.get(action_url(action)))
    other = as_user(people["other_director"])
    assert post(other, f"/plan/milestones/{milestone.id}/done", {"done": "0"},
                page=action_url(action)).status_code == 403


def test_stale_edit_is_refused_with_the_newer_values_shown(people, as_user):
    objective = make_objective()
    action = make_action(objective=objective, title="Original title")
    client = as_user(people["secretariat"])
    stale = action_form(objective, title="My title", version=str(action.version))
    rules.update_action(people["secretariat"], action, action.version, rules.ActionValues(
        objective_id=objective.id, title="Someone else's title", owner="secretariat",
        starts_on=action.starts_on, due_on=action.due_on))
    db.session.commit()
    response = post(client, action_url(action, "/edit"), stale, page=action_url(action, "/edit"))
    assert response.status_code == 409
    page = text(response)
    assert "Quelqu'un d'autre a modifié cette action" in page
    assert 'value="Someone else\'s title"' in page
    assert db.session.get(ActionItem, action.id).title == "Someone else's title"


# --- the plan for everyone ------------------------------------------------------------------


@pytest.fixture
def plan(people):
    """Two axes; actions overdue, due soon, blocked, done, stale, across two owners."""
    axis_a = make_axis(title="Structurer le réseau")
    axis_b = make_axis(title="Coopération internationale")
    medium = make_objective(axis=axis_a, title="Statut juridique", horizon="medium")
    long = make_objective(axis=axis_b, title="Partenariats", horizon="long")
    source = make_funding_source(name="GIZ TAM 3")
    actions = {
        "overdue": make_action(objective=medium, owner=people["own"], title="Avis des membres",
                               starts_in=-60, due_in=-5),
        "soon": make_action(objective=medium, title="Fiches de poste", starts_in=-10,
                            due_in=10, estimated_cost=100, funding_source_id=source.id),
        "blocked": make_action(objective=long, owner=people["other"], title="Missions Turquie",
                               starts_in=-10, due_in=100),
        "done": make_action(objective=long, owner=people["own"], title="Rencontres UE",
                            starts_in=-100, due_in=-50, estimated_cost=300),
    }
    make_update(people["other_director"], actions["blocked"], status="blocked",
                reason="Pas de financement", progress=10)
    make_update(people["director"], actions["done"], status="done", progress=100)
    return {"axes": (axis_a, axis_b), "objectives": (medium, long), "actions": actions,
            "source": source}


def titles_in(page: str) -> set[str]:
    names = {"Avis des membres", "Fiches de poste", "Missions Turquie", "Rencontres UE"}
    return {name for name in names if name in page}


def test_everyone_reads_the_plan_tree_with_progress_and_overdue_marks(people, plan, as_user):
    client = as_user(people["observer"])
    page = text(client.get("/plan/"))
    assert "Structurer le réseau" in page and "Statut juridique" in page
    assert titles_in(page) == {"Avis des membres", "Fiches de poste", "Missions Turquie",
                               "Rencontres UE"}
    assert "En retard" in page and "<progress" in page
    assert "Nouvelle action" not in page  # an observer only reads
    tree = client.get("/plan/").get_data(as_text=True)
    tree = tree[tree.index('id="strategy"'):tree.index('id="actions"')]
    medium = plan["objectives"][0]
    objective = tree[tree.index(f'href="/plan/objectives/{medium.id}"'):]
    objective = objective[:objective.index("</li>")]
    assert "Moyen terme" in objective
    assert 'aria-label="Avancement de « Statut juridique »"' in objective
    # The tree's filter links land on the list below it, not on the top of the page.
    assert f'href="/plan/?objective={medium.id}#actions">2 actions</a>' in objective
    assert f'href="/plan/?objective={medium.id}&amp;flag=overdue#actions">1 en retard</a>' \
        in objective
    assert f'href="/plan/?axis={medium.axis_id}#actions"' in tree
    listed = client.get("/plan/").get_data(as_text=True)
    listed = listed[listed.index('id="actions"'):]
    heading = re.search(r'<h4 class="plan-group-objective">.*?</h4>', listed, re.S).group(0)
    assert "Statut juridique" in heading and "Moyen terme" in heading  # the list's groups


@pytest.mark.parametrize("query, expected", [
    ("flag=overdue", {"Avis des membres"}),
    ("flag=due_soon", {"Fiches de poste"}),
    ("status=blocked", {"Missions Turquie"}),
    ("owner=secretariat", {"Fiches de poste"}),
    ("horizon=long", {"Missions Turquie", "Rencontres UE"}),
    ("status=done&horizon=long", {"Rencontres UE"}),
    ("funding_status=none&funding=0", {"Avis des membres", "Missions Turquie",
                                       "Rencontres UE"}),
])
def test_filters_live_in_the_address(people, plan, as_user, query, expected):
    client = as_user(people["director"])
    page = text(client.get(f"/plan/?{query}"))
    section = page[page.index('id="actions"'):]
    assert titles_in(section) == expected


def test_filter_by_owner_and_axis_ids(people, plan, as_user):
    client = as_user(people["director"])
    page = text(client.get(f"/plan/?owner={people['own'].id}&axis={plan['axes'][0].id}"))
    assert titles_in(page[page.index('id="actions"'):]) == {"Avis des membres"}
    page = text(client.get(f"/plan/?funding={plan['source'].id}"))
    assert titles_in(page[page.index('id="actions"'):]) == {"Fiches de poste"}


def actions_section(response) -> str:
    page = text(response)
    return page[page.index('id="actions"'):]


@pytest.fixture
def large_network(people):
    """Past OWNER_SELECT_LIMIT owners, two of them with names alike."""
    for n in range(OWNER_SELECT_LIMIT):
        make_member(short_name=f"Cluster {n:02d}")
    make_member(short_name="Aéro Nord")
    make_member(short_name="Aero Sud")


def test_a_small_network_chooses_the_owner_from_a_list(people, plan, as_user):
    page = as_user(people["director"]).get("/plan/").get_data(as_text=True)
    assert '<select id="owner" name="owner"' in page
    assert 'name="owner_name"' not in page


def test_a_large_network_types_the_owner_name_without_case_or_accents(
        people, plan, large_network, as_user):
    client = as_user(people["director"])
    page = client.get("/plan/").get_data(as_text=True)
    assert 'name="owner_name"' in page and '<select id="owner"' not in page
    assert "Cluster 42" not in page  # no list of every cluster on each view of the plan
    response = client.get("/plan/?owner_name=+own+")
    assert response.status_code == 200
    assert titles_in(actions_section(response)) == {"Avis des membres", "Rencontres UE"}
    assert 'name="owner_name" type="text" value="OWN"' in response.get_data(as_text=True)
    # "Secrétariat" typed without its accent; the other filters still apply.
    response = client.get("/plan/?owner_name=secretariat&axis=" + str(plan["axes"][0].id))
    assert titles_in(actions_section(response)) == {"Fiches de poste"}
    # The follow-up's links give the owner by id: the field shows its name.
    response = client.get(f"/plan/timeline?owner={people['other'].id}")
    assert response.status_code == 200
    assert 'value="OTHER"' in response.get_data(as_text=True)
    assert "Missions Turquie" in text(response) and "Avis des membres" not in text(response)


def test_a_name_that_matches_several_owners_offers_them_as_links(
        people, plan, large_network, as_user):
    client = as_user(people["director"])
    response = client.get("/plan/?owner_name=aero&status=planned")
    assert response.status_code == 400
    page = text(response)
    assert "2 porteurs correspondent à « aero »" in page
    assert 'value="aero"' in response.get_data(as_text=True)  # what was typed is kept
    links = re.findall(r'href="/plan/\?([^"]*owner=\d+[^"]*)"', response.get_data(as_text=True))
    assert len(links) == 2 and all("status=planned" in link for link in links)
    nord = db.session.scalar(select(Member.id).where(Member.short_name == "Aéro Nord"))
    assert any(f"owner={nord}" in html.unescape(link) for link in links)


def test_an_unknown_owner_name_or_id_is_refused_and_the_filter_dropped(
        people, plan, large_network, as_user):
    client = as_user(people["director"])
    response = client.get("/plan/?owner_name=Nowhere")
    assert response.status_code == 400
    assert "Aucun cluster membre ne s'appelle « Nowhere »." in text(response)
    assert len(titles_in(actions_section(response))) == 4
    response = client.get("/plan/?owner=99999")
    assert response.status_code == 400
    assert "Ce porteur ne fait pas partie du réseau" in text(response)
    assert len(titles_in(actions_section(response))) == 4


def test_an_unknown_filter_value_is_refused_and_ignored(people, plan, as_user):
    client = as_user(people["director"])
    response = client.get("/plan/?axis=999&status=nonsense")
    assert response.status_code == 400
    assert len(titles_in(text(response))) == 4


def test_sort_by_deadline_lists_flat_in_date_order(people, plan, as_user):
    client = as_user(people["director"])
    page = text(client.get("/plan/?sort=deadline"))
    section = page[page.index('id="actions"'):]
    order = [section.index(t) for t in ("Rencontres UE", "Avis des membres", "Fiches de poste",
                                        "Missions Turquie")]
    assert order == sorted(order)
    page = text(client.get("/plan/?sort=-deadline"))
    section = page[page.index('id="actions"'):]
    assert section.index("Missions Turquie") < section.index("Rencontres UE")


def test_each_row_of_the_list_names_its_objective_owner_status_progress_and_funding(
    people, plan, as_user,
):
    """The flat list's rows, read as plain columns (plan/queries.py, action_page)."""
    client = as_user(people["observer"])
    page = client.get("/plan/?sort=deadline").get_data(as_text=True)
    rows = {title: row for row in re.findall(r"<tr.*?</tr>", page, re.S)
            for title in titles_in(row)}
    actions, (medium, long) = plan["actions"], plan["objectives"]

    overdue = rows["Avis des membres"]
    assert 'class="plan-row--overdue"' in overdue and "En retard" in overdue
    assert f'href="/plan/actions/{actions["overdue"].id}"' in overdue
    assert f'{medium.axis.position}.{medium.position} <bdi>Statut juridique</bdi>' in overdue
    assert f'href="/members/{people["own"].id}"><bdi>OWN</bdi>' in overdue

    soon = rows["Fiches de poste"]
    assert "En retard" not in soon and "Secrétariat" in soon
    assert "<bdi>GIZ TAM 3</bdi>" in soon and "100\u00a0MAD" in soon

    blocked = rows["Missions Turquie"]
    assert "plan-status--blocked" in blocked and "Bloquée" in blocked
    assert 'value="10"' in blocked and 'aria-label="Avancement de « Missions Turquie »"' in blocked
    assert f'{long.axis.position}.{long.position} <bdi>Partenariats</bdi>' in blocked

    done = rows["Rencontres UE"]  # done: past its deadline, but not overdue
    assert "plan-status--done" in done and "En retard" not in done and "300\u00a0MAD" in done


def test_list_is_paginated_at_50_with_the_total(people, as_user):
    objective = make_objective()
    for n in range(53):
        make_action(objective=objective, title=f"Bulk action {n:02d}", due_in=n)
    client = as_user(people["director"])
    page = text(client.get("/plan/?sort=deadline"))
    assert "53 actions correspondent." in page and "Affichage de 1 à 50." in page
    assert "Bulk action 49" in page and "Bulk action 50" not in page
    page2 = text(client.get("/plan/?sort=deadline&page=2"))
    assert "Bulk action 52" in page2 and "Bulk action 49" not in page2
    assert "Page 2 sur 2" in page2


def test_filtering_and_paging_the_list_land_on_the_list_below_the_strategy_tree(
    people, as_user,
):
    """A filtered or next page opens at its results (#actions), not at the top of a
    page whose strategy tree can fill several screens; the timeline has no such anchor."""
    objective = make_objective()
    for n in range(51):
        make_action(objective=objective, title=f"Bulk action {n:02d}", due_in=n)
    client = as_user(people["director"])
    page = client.get("/plan/?status=planned&sort=deadline").get_data(as_text=True)
    assert '<form method="get" action="/plan/#actions"' in page
    assert 'href="/plan/#actions">Effacer les filtres</a>' in page
    assert 'href="/plan/?status=planned&amp;sort=deadline&amp;page=2#actions" rel="next"' in page
    timeline = client.get("/plan/timeline").get_data(as_text=True)
    assert '<form method="get" action="/plan/timeline"' in timeline


def test_follow_up_counts_link_to_the_filtered_list(people, plan, as_user):
    client = as_user(people["secretariat"])
    page = text(client.get("/plan/follow-up"))
    own = people["own"].id
    markup = client.get("/plan/follow-up").get_data(as_text=True)
    # Each figure opens the list at its results, below the strategy tree.
    assert f'href="/plan/?owner={own}&amp;flag=overdue&amp;sort=deadline#actions"' in markup
    assert 'href="/plan/?flag=overdue&amp;sort=deadline#actions"' in markup
    assert "Points d'attention, par porteur" in page
    # the overdue count of OWN opens exactly that action
    listed = text(client.get(f"/plan/?owner={own}&flag=overdue&sort=deadline"))
    assert titles_in(listed[listed.index('id="actions"'):]) == {"Avis des membres"}
    # weighted progress of the long-term horizon: Missions (10 %, no cost), UE (100 %, 300)
    assert "Long terme" in page


def test_follow_up_is_for_the_secretariat_only(people, plan, as_user):
    for role in ("director", "observer"):
        assert as_user(people[role]).get("/plan/follow-up").status_code == 403


def test_follow_up_shows_a_directors_update(people, plan, as_user):
    """The director posts 'blocked'; the follow-up counts it under their cluster."""
    action = plan["actions"]["overdue"]
    director = as_user(people["director"])
    post(director, action_url(action, "/update"),
         update_form(action, status="blocked", status_reason="Attente des réponses"),
         page=action_url(action))
    page = text(as_user(people["secretariat"]).get("/plan/follow-up"))
    row = re.search(r"<th scope=\"row\">OWN</th>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert ">1<" in cells[2]  # blocked column
    assert "Actions bloquées" in page


def test_timeline_draws_bars_overdue_and_a_table(people, plan, as_user):
    make_milestone(plan["actions"]["soon"], title="Fiches validées", due_in=5)
    page = text(as_user(people["observer"]).get("/plan/timeline"))
    assert "<svg" in page and 'class="plan-today"' in page
    assert 'plan-bar--overdue' in page and 'fill="url(#plan-hatch)"' in page
    assert "⚠ en retard" in page  # the mark is a word, not only a colour
    assert "plan-milestone" in page and "Fiches validées" in page
    assert "La chronologie sous forme de tableau" in page
    assert page.count("<rect x=") >= 4
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>")[0]


# --- exports --------------------------------------------------------------------------------


def test_csv_export_of_the_filtered_list(people, plan, as_user):
    client = as_user(people["observer"])
    response = client.get("/plan/export.csv?horizon=medium")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Axe", "Objectif", "Horizon", "Action"]
    assert {row[3] for row in rows[1:]} == {"Avis des membres", "Fiches de poste"}
    by_title = {row[3]: row for row in rows[1:]}
    assert by_title["Avis des membres"][11] == "Oui"  # overdue
    assert by_title["Fiches de poste"][12] == "100.00"
    assert by_title["Fiches de poste"][4] == "Secrétariat"


def test_csv_export_with_semicolons_for_french_spreadsheets(people, plan, as_user):
    client = as_user(people["observer"])
    raw = client.get("/plan/export.csv?separator=semicolon&flag=due_soon").get_data()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][12] == "Coût estimé (MAD)"
    assert rows[1][3] == "Fiches de poste" and rows[1][12] == "100,00"
    assert len(rows) == 2


def test_csv_export_neutralises_formulas(people, as_user):
    make_action(title="=HYPERLINK(\"http://evil\")")
    raw = as_user(people["observer"]).get("/plan/export.csv").get_data()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][3].startswith("'=")


def test_english_csv_headers(people, plan, as_user):
    people["observer"].preferred_language = "en"
    db.session.commit()
    raw = as_user(people["observer"]).get("/plan/export.csv").get_data()
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Axis,Objective,Horizon,Action,Owner")


def _feed_url(client) -> str:
    post(client, "/plan/calendar/reset", {}, page="/plan/calendar")
    page = client.get("/plan/calendar").get_data(as_text=True)
    url = re.search(r'id="feed-url"[^>]*value="([^"]+)"', page).group(1)
    return url.replace("http://localhost", "")


def test_private_calendar_feed_is_valid_icalendar(people, plan, as_user, app):
    make_milestone(plan["actions"]["overdue"], title="Questionnaire envoyé", due_in=-20)
    client = as_user(people["director"])
    url = _feed_url(client)
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.get_data())
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    summaries = {str(event["SUMMARY"]) for event in events}
    # only the director's cluster: OWN's two actions and its milestone
    assert "Échéance : Avis des membres (OWN)" in summaries
    assert "Terminée : Rencontres UE (OWN)" in summaries
    assert "Jalon : Questionnaire envoyé (OWN)" in summaries
    assert not any("Missions Turquie" in s for s in summaries)
    for event in events:
        assert event["UID"] and event["DTSTAMP"]
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(days=1)
    overdue = next(e for e in events if "Avis des membres" in str(e["SUMMARY"]))
    assert overdue.decoded("DTSTART") == plan["actions"]["overdue"].due_on


def test_secretariat_feed_holds_the_whole_plan(people, plan, as_user, app):
    url = _feed_url(as_user(people["secretariat"]))
    events = icalendar.Calendar.from_ical(app.test_client().get(url).get_data()).walk("VEVENT")
    assert len(events) == 4


def test_resetting_the_feed_address_kills_the_old_one(people, plan, as_user, app):
    client = as_user(people["director"])
    first = _feed_url(client)
    second = _feed_url(client)
    assert first != second
    anonymous = app.test_client()
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    assert db.session.scalar(select(CalendarFeed.user_id)) == people["director"].id


def test_a_forged_or_deactivated_feed_is_refused(people, plan, as_user, app):
    client = as_user(people["director"])
    url = _feed_url(client)
    anonymous = app.test_client()
    assert anonymous.get(url[:-8] + "XXXX.ics").status_code == 404
    assert anonymous.get("/plan/calendar/not-a-token.ics").status_code == 404
    people["director"].is_active_account = False
    db.session.commit()
    assert anonymous.get(url).status_code == 404


# --- home page, meetings, settings, decisions ----------------------------------------------


def test_directors_home_shows_their_clusters_next_deadlines(people, plan, as_user):
    page = text(as_user(people["director"]).get("/"))
    assert "Les actions de votre cluster" in page
    assert "Avis des membres" in page and "Missions Turquie" not in page


def test_secretariat_home_shows_overdue_and_due_soon_counts(people, plan, as_user):
    response = as_user(people["secretariat"]).get("/")
    page = text(response)
    assert "1 action en retard" in page and "1 action à échéance dans les 30 jours" in page
    assert "1 action bloquée" in page
    assert 'href="/plan/?status=blocked&amp;sort=deadline#actions">1 action bloquée</a>' in \
        response.get_data(as_text=True)


def test_review_partial_lists_open_actions_with_their_latest_update(people, plan, app):
    from flask import render_template

    make_update(people["director"], plan["actions"]["overdue"], text="Huit réponses sur treize")
    with app.test_request_context():
        page = html.unescape(render_template("plan/_review_actions.html"))
    assert "Huit réponses sur treize" in page and "Pas de financement" in page
    assert 'href="/plan/?sort=deadline#actions"' in page
    assert "Rencontres UE" not in page  # done: nothing left to review


def test_horizons_are_set_on_the_network_settings_page(people, as_user):
    client = as_user(people["secretariat"])
    page = text(client.get("/network/settings"))
    assert "Horizons du plan d'actions" in page
    response = post(client, "/plan/horizons", {
        "medium_term_start": "2017", "medium_term_end": "2019",
        "long_term_start": "2019", "long_term_end": "2025"}, page="/network/settings")
    assert response.status_code == 400
    assert "Le long terme commence après la fin du moyen terme." in text(response)
    response = post(client, "/plan/horizons", {
        "medium_term_start": "2017", "medium_term_end": "2019",
        "long_term_start": "2020", "long_term_end": "2025"}, page="/network/settings")
    assert response.status_code == 302
    network = db.session.scalar(select(Network))
    assert (network.medium_term_start, network.long_term_end) == (2017, 2025)
    make_objective(title="Statut juridique", horizon="medium")
    assert "Moyen terme (2017–2019)" in text(client.get("/plan/"))


def test_create_an_action_from_an_adopted_decision(people, as_user):
    from planner.proposals import rules as proposal_rules

    secretariat = people["secretariat"]
    proposal = make_proposal(actor=secretariat, open_round=True,
                             title="Organiser le Forum interclusters")
    make_ballot(people["director"], proposal)
    make_ballot(people["other_director"], proposal)
    decision = proposal_rules.close_round(secretariat, current_round_of(proposal))
    db.session.commit()
    objective = make_objective()
    client = as_user(secretariat)
    round_page = f"/proposals/{proposal.id}/rounds/1"
    assert "Créer une action à partir de cette décision" in text(client.get(round_page))
    form_page = f"/plan/actions/new?decision_id={decision.id}"
    page = text(client.get(form_page))
    assert 'value="Organiser le Forum interclusters"' in page
    assert "Cette action met en œuvre la décision" in page
    data = action_form(objective, title="Organiser le Forum interclusters",
                       decision_id=str(decision.id))
    response = post(client, "/plan/actions/new", data, page=form_page)
    assert response.status_code == 302
    action = db.session.scalar(select(ActionItem))
    assert action.decision_id == decision.id
    decision_page = text(as_user(people["observer"]).get(round_page))
    assert "Actions qui mettent en œuvre cette décision" in decision_page
    assert "Organiser le Forum interclusters" in decision_page and "Planifiée" in decision_page
    assert "Créer une action" not in decision_page  # observers read only


def test_unknown_decision_gives_404(people, as_user):
    client = as_user(people["secretariat"])
    assert client.get("/plan/actions/new?decision_id=999").status_code == 404


def test_demo_plan_shows_every_state_today(demo, as_user):
    """The demo's dates follow the day it is loaded: every state is visible whatever the day."""
    from planner.plan import queries

    client = as_user(demo.user("secretariat@example.org"))
    page = text(client.get("/plan/follow-up"))
    assert "Suivi du plan d'actions" in page
    with client.application.test_request_context():
        figures = queries.follow_up("Secrétariat")
    assert all(figures.totals[key] >= 1 for key in ("overdue", "due_soon", "blocked", "stale"))
    statuses = set(db.session.scalars(select(ActionItem.status)))
    assert statuses == set(ActionStatus)
    owners = set(db.session.scalars(select(ActionItem.owner_member_id)))
    assert None in owners and len(owners - {None}) >= 10
    network = db.session.scalar(select(Network))
    assert (network.medium_term_start, network.medium_term_end,
            network.long_term_start, network.long_term_end) == (2017, 2019, 2020, 2025)
    assert "Moyen terme (2017–2019)" in text(client.get("/plan/"))
    director = as_user(demo.user("director.haliopolis@example.org"))
    assert "Former les équipes d'animation des clusters" in text(director.get("/"))
