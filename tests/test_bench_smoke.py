"""The benchmark's short run (`make bench-smoke`) in CI, so that the benchmark never rots: it
must measure every page on every database, answer no error, and count the same queries for
a page on SQLite and on PostgreSQL."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "home",
    "meeting with agenda",
    "consensus map (open round)",
    "decisions list",
    "action plan",
    "action plan, filtered",
    "follow-up cockpit",
    "minutes (30 items)",
    "timeline",
]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    if shutil.which("wrk") is None:
        if os.environ.get("PLANNER_REQUIRE_BROWSER"):
            pytest.fail(
                "wrk is missing: the benchmark's smoke run needs it (.ci/run installs "
                "it with apt-get install wrk)"
            )
        pytest.skip(
            "wrk is not installed (apt-get install wrk): the benchmark smoke run is skipped"
        )
    out = tmp_path_factory.mktemp("bench")
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # never the developer's own database
    if os.environ.get("PLANNER_TEST_DATABASE_URL"):
        env["PLANNER_BENCH_DATABASE_URL"] = os.environ["PLANNER_TEST_DATABASE_URL"]
    else:
        env.pop("PLANNER_BENCH_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "planner.benchmark.run", "--smoke", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return json.loads((out / "latest-smoke.json").read_text()), (
        out / "latest-smoke.md"
    ).read_text()


def test_the_smoke_run_measures_every_page_on_every_database(smoke):
    report, table = smoke
    databases = {run["database"] for run in report["runs"]}
    assert "sqlite" in databases
    if os.environ.get("PLANNER_TEST_DATABASE_URL"):
        assert "postgresql" in databases
    for run in report["runs"]:
        measured = {(r["page"], r["connections"]) for r in run["results"]}
        for page in [*PAGES, "cast a position (POST)", "hello world (ceiling)"]:
            for connections in (8, 32):
                assert (page, connections) in measured, (run["database"], page, connections)
    for page in PAGES:
        assert f"| {page} | demo |" in table


def test_no_page_answers_an_error_and_every_cast_changes_a_ballot_once(smoke):
    report, _table = smoke
    for run in report["runs"]:
        assert run["problems"] == [], run["problems"]
        for result in run["results"]:
            assert result["errors"] == 0, result
            assert result["requests"] > 0, result
        assert run["duplicate_ballots"] == 0
        # The workers' high-water mark covers the whole run, the loads included.
        assert 0 < run["serving_rss_mb"] <= run["worker_rss_mb"]
        for counts in run["cast_changes"].values():
            assert counts["changes"] >= counts["requests"] > 0


def test_each_page_runs_the_same_queries_on_both_databases(smoke):
    report, _table = smoke
    rendered = [f"{page} (uncached)" for page in PAGES]
    per_database = {
        run["database"]: {r["page"]: r["queries"] for r in run["results"] if r["page"] in rendered}
        for run in report["runs"]
    }
    for queries in per_database.values():
        assert set(queries) == set(rendered) and all(n and n > 0 for n in queries.values())
    if len(per_database) == 2:
        assert per_database["sqlite"] == per_database["postgresql"]


def test_every_page_is_measured_as_kept_and_as_rendered(smoke):
    """Served again, a page runs the account's one statement; rendered, its view's own."""
    report, table = smoke
    for run in report["runs"]:
        rows = {(r["page"], r["connections"]): r for r in run["results"]}
        for page in PAGES:
            kept, rendered = rows[(page, 8)], rows[(f"{page} (uncached)", 8)]
            assert kept["queries"] == 1, (run["database"], page)
            assert rendered["queries"] > 1, (run["database"], page)
            assert rendered["requests"] > 0
    for page in PAGES:
        assert f"| {page} (uncached) | demo |" in table


def test_each_share_is_of_the_hello_world_measured_just_before(smoke):
    """The machine's speed drifts within minutes: every page and cast is compared with a
    hello-world run made right before it, at the same connections."""
    report, _table = smoke
    for run in report["runs"]:
        for result in run["results"]:
            if result["page"].startswith("hello"):
                continue
            assert result["ceiling_rps"] > 0, result
            expected = round(100 * result["requests_per_second"] / result["ceiling_rps"], 1)
            assert result["share_of_hello"] == expected, result
