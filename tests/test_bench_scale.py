"""The benchmark's data sets and the pages it loads: queries per request do not grow with the
data, the lists stop at their page size, and the generator goes through the rules."""

import re
import sqlite3

import pytest
from sqlalchemy import event, func, select, text

from planner.benchmark import targets
from planner.benchmark.generate import SIZES, Generator, Size
from planner.core.audit import AuditEvent
from planner.core.database import analyze
from planner.extensions import db
from planner.members.demo import DEMO_PASSWORD
from planner.members.models import User
from planner.proposals import rules as proposal_rules
from planner.proposals.models import (
    Ballot,
    BallotChange,
    Position,
    Round,
    RoundElector,
    RoundStatus,
)
from tests.conftest import CSRF_RE, count_queries, page_text
from tests.factories import current_round_of, make_ballot, make_proposal, make_user

# Past every threshold where a page changes its shape: more than 50 members (attendance and
# consensus map pages), more than 10 open rounds and unanswered ones (home), more than 50
# decisions and open actions (decisions list, review item), more than 50 ballot changes.
GROWN = Size(
    "grown",
    members=64,
    meetings=6,
    items=15,
    proposals=40,
    rounds=2,
    ballots=1_200,
    actions=160,
    updates=2,
)


def _log_in(app, email: str):
    client = app.test_client()
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": DEMO_PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    return client


def _queries_per_page(app, size: str) -> dict[str, int]:
    client = _log_in(app, "director.ce3m@example.org")
    found = {}
    for name, path in targets.pages(size)["pages"]:
        assert client.get(path).status_code == 200, path  # warm-up: the session settles
        with count_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        found[name] = len(statements)
    return found


def test_every_benchmarked_page_runs_the_same_queries_at_demo_size_and_grown(app):
    Generator(SIZES["demo"], seed=1, log=lambda _message: None).run()
    demo = _queries_per_page(app, "demo")
    Generator(GROWN, seed=2, log=lambda _message: None).run()
    grown = _queries_per_page(app, "grown")
    assert grown == demo
    assert len(demo) == 9


@pytest.fixture
def grown(app):
    Generator(GROWN, seed=3, log=lambda _message: None).run()
    return _log_in(app, "director.ce3m@example.org")


def test_the_generator_goes_through_the_rules(grown):
    audited = dict(
        db.session.execute(
            select(AuditEvent.action, func.count(AuditEvent.id)).group_by(AuditEvent.action)
        ).all()
    )
    ballots = db.session.scalar(select(func.count(Ballot.id)))
    assert ballots > 600
    # Every ballot was cast by the rule: its history and its audit entry are there.
    assert db.session.scalar(select(func.count(BallotChange.id))) == ballots
    assert audited["ballot.cast"] == ballots
    assert audited["round.opened"] == db.session.scalar(
        select(func.count(Round.id)).where(Round.status != RoundStatus.DRAFT)
    )
    assert audited["member.created"] == 64
    assert audited["action.created"] >= 160 - 30


def test_home_lists_stop_at_ten_and_say_how_many_more(grown):
    secretariat = db.session.scalar(select(User).where(User.email == "secretariat@example.org"))
    for _ in range(12):
        make_proposal(actor=secretariat, open_round=True)
    page = page_text(grown.get("/"))
    assert "Voir les 64 clusters membres" in page
    assert page.count('class="member-list"') == 1
    awaited = int(re.search(r"(\d+) autres réponses attendues", page).group(1))
    listed = page.count("#answer")
    assert listed == 10 and awaited >= 2
    assert re.search(r"et \d+ autres tours ouverts\.", page)


def test_the_consensus_map_shows_fifty_members_a_page(grown):
    map_path = next(
        path for name, path in targets.pages("grown")["pages"] if name.startswith("consensus")
    )
    response = grown.get(map_path)
    first = page_text(response)
    assert "Page 1 sur 2" in first
    assert f'href="{map_path}?page=2#map"' in response.get_data(as_text=True)
    assert first.count('class="map-row') == 50
    second = page_text(grown.get(map_path + "?page=2"))
    assert second.count('class="map-row') == 64 - 50


def test_the_meeting_page_lists_recorded_attendance_and_counts_the_rest(grown):
    meeting_path = next(
        path for name, path in targets.pages("grown")["pages"] if name.startswith("meeting")
    )
    page = page_text(grown.get(meeting_path))
    assert "64 clusters membres n'ont pas encore de présence enregistrée." in page


def test_the_decisions_list_pages_by_fifty(grown):
    page = page_text(grown.get("/decisions/"))
    total = int(re.search(r"(\d+) décisions\.", page).group(1))
    assert total > 50
    assert page.count("<tr>") - 1 == 50  # the header row and 50 decisions
    assert "Affichage de 1 à 50." in page
    last = page_text(grown.get(f"/decisions/?page={-(-total // 50)}"))
    assert last.count("<tr>") - 1 == total - 50 * (-(-total // 50) - 1)


def test_the_review_item_lists_the_nearest_deadlines_and_counts_every_open_action(grown):
    meeting_path = next(
        path for name, path in targets.pages("grown")["pages"] if name.startswith("meeting")
    )
    page = page_text(grown.get(meeting_path))
    count = int(re.search(r"(\d+) actions en cours à passer en revue", page).group(1))
    assert count > 50
    assert "Ici, les 50 dont l'échéance est la plus proche." in page


def test_a_round_closed_earlier_in_the_transaction_refuses_new_electors_and_ballots(app):
    """The closed-round guard remembers statuses within a transaction, and forgets a round's
    status as soon as the round changes."""
    secretariat = make_user(role="secretariat")
    director = make_user()
    newcomer = make_user()  # made (and committed) before the transaction under test
    proposal = make_proposal(actor=secretariat, open_round=True)
    make_ballot(director, proposal)
    round_ = current_round_of(proposal)
    # In one transaction: the guard reads (and remembers) the round as open, the round
    # closes, then someone tries to add an elector to it.
    db.session.get(Ballot, db.session.scalar(select(Ballot.id))).reason = "Edited while open"
    db.session.flush()
    proposal_rules.close_round(secretariat, round_)
    db.session.add(RoundElector(round_id=round_.id, member_id=newcomer.member_id))
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()


def _query_plan(client, path: str, *marks: str) -> str:
    """The steps of the database's plan for the one statement of `path`'s page that holds
    every one of `marks`, with statistics as init-db and the generator leave them."""
    analyze(db.session.connection())
    db.session.commit()
    seen = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if all(mark in statement for mark in marks):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert len(seen) == 1, seen
    statement, parameters = seen[0]
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return " / ".join(row[-1] for row in plan)
    # A table this small is read whole whatever the indexes; without that option the plan
    # shows which index PostgreSQL can use.
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    return " / ".join(row[0] for row in plan)


def test_the_minutes_find_their_decisions_actions_by_index_not_by_walking_the_plan(grown):
    """Most actions carry no decision; the minutes' look-up of the actions of the meeting's
    decisions must still use the decision index (a walk of every action by deadline made this
    page 3x slower on the large data set)."""
    minutes_path = next(
        path for name, path in targets.pages("grown")["pages"] if name.startswith("minutes")
    )
    # The minutes of the 30-item meeting list the actions of its decisions, in one statement.
    steps = _query_plan(grown, minutes_path, "FROM action_items", "decision_id IN")
    assert "ix_action_items_decision_id" in steps, steps
    assert "ix_action_items_due_on" not in steps, steps


def test_the_plan_list_reads_its_first_page_in_order_instead_of_sorting_objectives(grown):
    """The list's order is axis, objective, deadline: the page's ids come from the objective
    and deadline index in that order, 50 and no more (sorting each objective's actions, with
    their latest update looked up, made the list 5 ms slower at large size)."""
    steps = _query_plan(grown, "/plan/", "FROM action_items", "page_ids")
    assert "ix_action_items_objective_due" in steps, steps
    if db.engine.dialect.name == "postgresql":
        # Objective by objective, each stopping at the page (a scan of the whole index
        # followed by a sort of every action was the large plan's 13 ms).
        lines = steps.split(" / ")
        scan = next(i for i, line in enumerate(lines) if "ix_action_items_objective_due" in line)
        ancestors, depth = [], len(lines[scan]) - len(lines[scan].lstrip())
        for line in reversed(lines[:scan]):
            indent = len(line) - len(line.lstrip())
            if indent < depth and line.lstrip().startswith("->"):
                ancestors.append(line.strip().removeprefix("->").strip().split("  (")[0])
                depth = indent
        # Under the page's limit, each objective's own: the index is read no further.
        assert ancestors.count("Limit") == 2, steps


@pytest.mark.parametrize("backend", ["postgresql"])
def test_on_postgresql_the_data_set_is_copied_row_for_row_and_new_rows_follow(app, tmp_path):
    """bench-data on PostgreSQL makes the set through the rules in SQLite, then copies it."""
    from planner.benchmark.copy import copy_tables

    def ballots():
        rows = db.session.execute(
            select(Ballot.id, Ballot.round_id, Ballot.member_id, Ballot.position,
                   Ballot.reason, Ballot.by_proxy, Ballot.cast_at).order_by(Ballot.id))
        return [tuple(row) for row in rows]

    source_path = tmp_path / "source.sqlite3"
    source_ballots, source_events = _demo_set_in_sqlite(source_path, lambda: (
        ballots(), db.session.scalar(select(func.count(AuditEvent.id)))))

    before = _schema_shape()
    copied = copy_tables(source_path, db.session.connection())
    db.session.commit()

    # The foreign keys and indexes set aside for the copy are all back, as they were.
    assert _schema_shape() == before and len(before[0]) > 100
    assert copied["ballots"] == len(source_ballots) > 0
    assert ballots() == source_ballots  # enums, booleans and times read back alike
    assert db.session.scalar(select(func.count(AuditEvent.id))) == source_events
    client = _log_in(app, "director.ce3m@example.org")  # accounts and hashes came across
    assert client.get("/").status_code == 200

    # A new answer takes the next ids: the sequences were moved past the copied rows.
    open_round, member_id = db.session.execute(
        select(Round, RoundElector.member_id)
        .join(RoundElector, RoundElector.round_id == Round.id)
        .outerjoin(Ballot, (Ballot.round_id == Round.id)
                   & (Ballot.member_id == RoundElector.member_id))
        .where(Round.status == RoundStatus.OPEN, Ballot.id.is_(None))
        .limit(1)
    ).one()
    director = db.session.scalar(select(User).where(User.member_id == member_id).limit(1))
    ballot_id = proposal_rules.cast(director, open_round, director.member,
                                    position=Position.ABSTAIN)  # valid on any kind
    db.session.commit()
    assert ballot_id == max(row[0] for row in source_ballots) + 1
    assert db.session.scalar(select(func.count(BallotChange.id)).where(
        BallotChange.ballot_id == ballot_id)) == 1


def _demo_set_in_sqlite(path, read=lambda: None):
    """The demo set made through the rules in a SQLite file, what `read` finds in it."""
    from planner import create_app
    from planner.benchmark.generate import generate
    from tests.conftest import base_config

    source = create_app(base_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}"))
    with source.app_context():
        db.create_all()
        generate("demo")
        db.session.commit()
        found = read()
        db.session.remove()
        db.engine.dispose()
    return found


def _schema_shape() -> tuple[list, list]:
    """The constraints and indexes of the test's PostgreSQL schema, as SQL."""
    constraints = db.session.execute(text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2")).all()
    indexes = db.session.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        " ORDER BY 1")).all()
    return constraints, indexes


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_copied_row_without_its_parent_fails_the_copy(app, tmp_path):
    """The foreign keys are checked once the rows are in, and the copy fails as a whole."""
    import psycopg

    from planner.benchmark.copy import copy_tables

    source_path = tmp_path / "source.sqlite3"
    _demo_set_in_sqlite(source_path)
    orphan = sqlite3.connect(source_path)
    orphan.execute("PRAGMA foreign_keys = OFF")
    orphan.execute("UPDATE round_electors SET member_id = 99999 WHERE rowid = 1")
    orphan.commit()
    orphan.close()

    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        copy_tables(source_path, db.session.connection())
    db.session.rollback()
    assert db.session.scalar(select(func.count(RoundElector.member_id))) == 0
