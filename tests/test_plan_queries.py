"""The plan's reads: figures computed in SQL, and query counts that do not grow with items."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert

from planner.core.time import utcnow
from planner.extensions import db
from planner.plan import queries
from planner.plan import rules as plan_rules
from planner.plan.dates import local_today
from planner.plan.models import ActionItem, ActionStatus, Horizon, Milestone, ProgressUpdate
from tests.conftest import count_queries
from tests.factories import (
    make_action,
    make_axis,
    make_funding_source,
    make_member,
    make_objective,
    make_update,
    make_user,
)


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


def test_follow_up_figures(app):
    own = make_member(short_name="OWN")
    director = make_user(member=own)
    secretariat = make_user(role="secretariat")
    axis = make_axis(title="Axe 1")
    objective = make_objective(axis=axis, horizon="medium")
    source = make_funding_source(name="GIZ")
    make_action(objective=objective, owner=own, due_in=-3, title="late")
    make_action(objective=objective, owner=own, due_in=30, title="due in 30 days, counted")
    make_action(objective=objective, owner=own, due_in=31, title="due in 31 days, not counted")
    stale = make_action(objective=objective, due_in=200, title="stale")
    stale.created_at = utcnow() - timedelta(days=90)
    fresh = make_action(objective=objective, due_in=200, title="old but updated",
                        estimated_cost=Decimal(1000), funding_source_id=source.id)
    fresh.created_at = utcnow() - timedelta(days=90)
    db.session.commit()
    make_update(secretariat, fresh, progress=40, status="in_progress")
    blocked = make_action(objective=objective, owner=own, due_in=50,
                          estimated_cost=Decimal(3000), funding_source_id=source.id)
    make_update(director, blocked, status="blocked", reason="Waiting", progress=0)
    old_update = make_update(director, make_action(objective=objective, owner=own, due_in=90),
                             progress=10)
    old_update.created_at = utcnow() - timedelta(days=61)
    db.session.commit()

    figures = queries.follow_up("Secrétariat")
    by_owner = {row.label: row for row in figures.owners}
    assert (by_owner["OWN"].overdue, by_owner["OWN"].due_soon, by_owner["OWN"].blocked,
            by_owner["OWN"].stale) == (1, 1, 1, 1)
    assert (by_owner["Secrétariat"].stale, by_owner["Secrétariat"].overdue) == (1, 0)
    assert figures.totals == {"overdue": 1, "due_soon": 1, "blocked": 1, "stale": 2}
    # progress weighted by cost: (40 * 1000 + 0 * 3000) / 4000 = 10 %; plain average 50/7
    axis_progress = dict(figures.by_axis)[axis]
    assert axis_progress.percent == 10 and axis_progress.is_weighted
    assert round(axis_progress.plain, 2) == round(50 / 7, 2)
    horizons = dict(figures.by_horizon)
    assert horizons[Horizon.MEDIUM].actions == 7 and horizons[Horizon.LONG].actions == 0
    giz = next(f for f in figures.funding if f["name"] == "GIZ")
    assert giz["cost"] == Decimal(4000) and giz["actions"] == 2
    assert figures.funding_totals["cost"] == Decimal(4000)


def test_without_costs_progress_is_the_plain_average(app):
    secretariat = make_user(role="secretariat")
    objective = make_objective()
    make_update(secretariat, make_action(objective=objective), progress=20)
    make_update(secretariat, make_action(objective=objective), progress=60)
    cancelled = make_action(objective=objective)
    make_update(secretariat, cancelled, status="cancelled", reason="Dropped", progress=0)
    node = queries.strategy_tree()[0].objectives[0]
    assert node.progress.percent == 40 and not node.progress.is_weighted
    assert node.progress.actions == 3 and node.progress.counted == 2


# --- query counts: 20 items against 2,000 ------------------------------------------------------


def _bulk_actions(count: int, objectives, members, secretariat) -> None:
    """Many actions at once (the rules' one-by-one path is tested elsewhere)."""
    today = local_today()
    generator = random.Random(count)
    statuses = [ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE,
                ActionStatus.BLOCKED]
    rows = []
    for n in range(count):
        status = statuses[n % len(statuses)]
        member = members[n % len(members)] if n % 3 else None
        start = today + timedelta(days=generator.randint(-400, 0))
        rows.append({
            "objective_id": objectives[n % len(objectives)].id, "title": f"Bulk {n}",
            "description": "", "owner_member_id": member.id if member else None,
            "is_secretariat_owned": member is None, "responsible_name": "",
            "starts_on": start, "due_on": start + timedelta(days=generator.randint(0, 500)),
            "status": status, "status_reason": "Reason" if status == ActionStatus.BLOCKED else "",
            "progress": 100 if status == ActionStatus.DONE else generator.randint(0, 90),
            "estimated_cost": Decimal(generator.randint(0, 50000)) if n % 2 else None,
            "created_at": utcnow() - timedelta(days=generator.randint(0, 200)), "version": 1,
        })
    db.session.execute(insert(ActionItem), rows)
    ids = [row[0] for row in db.session.execute(
        db.select(ActionItem.id).order_by(ActionItem.id.desc()).limit(count))]
    db.session.execute(insert(ProgressUpdate), [
        {"action_id": action_id, "author_id": secretariat.id, "text": "Update",
         "progress": 10, "status": ActionStatus.IN_PROGRESS, "status_reason": "",
         "previous_progress": 0, "previous_status": ActionStatus.PLANNED,
         "created_at": utcnow() - timedelta(days=action_id % 120)}
        for action_id in ids[::2]
    ])
    db.session.execute(insert(Milestone), [
        {"action_id": action_id, "title": "Step", "due_on": today, "is_done": False}
        for action_id in ids[::5]
    ])
    db.session.commit()


PAGES = [
    "/plan/", "/plan/?sort=deadline", "/plan/?flag=overdue&sort=deadline",
    "/plan/?flag=stale", "/plan/timeline", "/plan/follow-up", "/plan/export.csv", "/",
]


def test_query_counts_do_not_grow_with_the_number_of_actions(app, as_user, monkeypatch):
    # The attention counts are kept per plan revision and per minute (queries.stale_limit):
    # a minute turning between two pages would count them once more. Hold the minute still.
    held = queries.stale_limit()
    monkeypatch.setattr(queries, "stale_limit", lambda: held)
    members = [make_member() for _ in range(4)]
    secretariat = make_user(role="secretariat", member=members[0])
    objectives = [make_objective(axis=make_axis(), horizon=h) for h in ("medium", "long")]
    make_funding_source()
    client = as_user(secretariat)

    def counts() -> dict[str, int]:
        result = {}
        for url in PAGES:
            with count_queries() as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            result[url] = len(statements)
        return result

    _bulk_actions(20, objectives, members, secretariat)
    small = counts()
    _bulk_actions(1980, objectives, members, secretariat)
    large = counts()
    assert large == small, (small, large)
    # and the pages really hold the items
    assert "2000 actions correspondent." in client.get("/plan/").get_data(as_text=True)


def test_review_of_previous_actions_reads_its_rows_in_one_query_and_follows_the_plan(app):
    members = [make_member() for _ in range(2)]
    secretariat = make_user(role="secretariat")
    objectives = [make_objective()]
    _bulk_actions(80, objectives, members, secretariat)
    open_actions = sum(1 for n in range(80) if n % 4 != 2)  # every action not done
    db.session.commit()
    assert queries.review_actions().total == open_actions  # counted once for this plan
    db.session.commit()  # the next page is another transaction
    with count_queries() as statements:
        rows = queries.review_actions()
        shown = [
            (action.owner_member.short_name if action.owner_member_id else "",
             update.text if update else "", action.objective.title, action.is_overdue)
            for action, update in rows
        ]
    # The rows, and the plan's revision under which the total was kept: no count again.
    assert len(statements) == 2
    assert not any("count(" in statement for statement in statements)
    assert len(shown) == queries.REVIEW_LIMIT and rows.total == open_actions
    db.session.commit()
    make_action(objective=objectives[0], owner=members[0], due_in=5)
    db.session.commit()
    assert queries.review_actions().total == open_actions + 1  # a new action shows at once


def test_action_page_query_count_does_not_grow_with_its_history(app, as_user):
    own = make_member(short_name="OWN")
    director = make_user(member=own)
    action = make_action(owner=own, starts_in=-100, due_in=100)
    client = as_user(director)

    def count() -> int:
        with count_queries() as statements:
            assert client.get(f"/plan/actions/{action.id}").status_code == 200
        return len(statements)

    make_update(director, action, progress=5)
    small = count()
    for n in range(30):
        make_update(director, db.session.get(ActionItem, action.id), progress=n + 10,
                    text=f"Update {n}")
        db.session.add(Milestone(action_id=action.id, title=f"Step {n}",
                                 due_on=local_today() + timedelta(days=n)))
    db.session.commit()
    assert count() == small
    page = client.get(f"/plan/actions/{action.id}").get_data(as_text=True)
    assert "Update 29" in page and "Step 29" in page


def test_plan_figures_are_counted_once_per_plan_change_and_follow_every_change(app):
    """The follow-up's counts over every action are reused until the plan changes; a change
    through a rule shows at once, and one rolled back leaves the figures as they were."""
    secretariat = make_user(role="secretariat")
    objective = make_objective(axis=make_axis(title="Axe 1"))
    action = make_action(objective=objective, due_in=50)
    db.session.commit()

    assert queries.follow_up("Secrétariat").totals["blocked"] == 0
    db.session.commit()  # the next page is another transaction
    with count_queries() as again:
        assert queries.follow_up("Secrétariat").totals["blocked"] == 0
    with count_queries() as counted:
        queries._counted_attention(True, None, local_today(), queries.stale_limit())
    assert any("count(*)" in statement for statement in counted)  # how the count reads
    assert not any("count(*)" in statement for statement in again)  # reused, not recounted
    db.session.commit()

    make_update(secretariat, action, status="blocked", reason="Waiting", progress=0)
    db.session.commit()
    assert queries.follow_up("Secrétariat").totals["blocked"] == 1

    db.session.commit()
    plan_rules.post_update(secretariat, action, action.version, text="Unblocked", progress=20,
                           status=ActionStatus.IN_PROGRESS, status_reason="")
    db.session.flush()
    # Inside the writing transaction the figures are counted afresh, never kept.
    assert queries.follow_up("Secrétariat").totals["blocked"] == 0
    db.session.rollback()
    make_action(objective=objective, due_in=80)  # the next change: the revision moves on again
    assert queries.follow_up("Secrétariat").totals["blocked"] == 1


def test_the_list_count_is_kept_for_every_sort_and_follows_a_new_action(app):
    objective = make_objective(axis=make_axis(title="Axe 1"))
    make_action(objective=objective, due_in=10)
    db.session.commit()
    assert queries.action_page(queries.ActionFilters(), 1).total == 1
    db.session.commit()
    make_action(objective=objective, due_in=20)
    by_deadline = queries.action_page(queries.ActionFilters(sort="deadline"), 1)
    assert by_deadline.total == 2 and len(by_deadline.rows) == 2
    assert queries.action_page(queries.ActionFilters(), 1).total == 2


def test_the_tree_ordered_list_pages_through_every_action_once_in_axis_objective_deadline_order(
    app,
):
    """Axes and objectives made in another order than their positions, a status filter, and
    pages of three: page after page, the list gives each matching action once, by axis
    position, objective position, then deadline (PostgreSQL and SQLite find the page's ids
    by different queries, plan/queries.py)."""
    second_axis = make_axis(title="Axe 2", position=2)
    first_axis = make_axis(title="Axe 1", position=1)
    objectives = [
        make_objective(axis=first_axis, position=2),
        make_objective(axis=second_axis, position=1),
        make_objective(axis=first_axis, position=1),
    ]
    rng = random.Random(7)
    for objective in objectives:
        for _ in range(4):
            action = make_action(objective=objective, due_in=rng.randint(1, 9))
            if rng.random() < 0.3:
                action.status = ActionStatus.BLOCKED
                action.status_reason = "En attente du financement"
    db.session.commit()
    axis_of = {o.id: 1 if o.axis_id == first_axis.id else 2 for o in objectives}
    position_of = {o.id: o.position for o in objectives}
    filters = queries.ActionFilters(status=ActionStatus.PLANNED)
    expected = [
        action.id
        for action in sorted(
            db.session.scalars(
                db.select(ActionItem).where(ActionItem.status == ActionStatus.PLANNED)
            ),
            key=lambda a: (axis_of[a.objective_id], position_of[a.objective_id], a.due_on, a.id),
        )
    ]
    assert 4 < len(expected) < 12  # several pages, and the filter left some out

    walked, page = [], 1
    while True:
        found = queries.action_page(filters, page, page_size=3)
        walked += [row.id for row in found.rows]
        if page == found.pages:
            break
        page += 1
    assert found.total == len(expected)
    assert walked == expected


def test_the_owner_filter_of_a_large_network_reads_the_first_names_and_the_one_asked_for(app):
    """The filter of a large network is a name to type: the page reads a few owners, the
    one the address names and how many there are, not every member cluster."""
    members = [make_member(short_name=f"Cluster {n:02d}") for n in range(10)]
    db.session.commit()
    last = members[-1]
    found = queries.owner_filter_choices("Secrétariat", str(last.id), limit=3)
    assert found.owners == [
        (queries.SECRETARIAT_OWNER, "Secrétariat"),
        (str(members[0].id), "Cluster 00"), (str(members[1].id), "Cluster 01"),
        (str(members[2].id), "Cluster 02"), (str(last.id), "Cluster 09"),
    ]
    assert found.count == 11  # ten clusters and the secretariat
    assert len(found.read_all()) == 11  # a typed name is looked for among them all
    assert queries.owner_filter_choices("Secrétariat", None, limit=20).owners[1:] == [
        (str(m.id), m.short_name) for m in members]
