"""The benchmark: seeded data sets, the hello-world ceiling and the runner behind `make bench`.

`register_cli` adds the `bench-data` command; `init_app` installs, only when PLANNER_BENCH_QUERY_COUNT=1 is
in the environment (the benchmark's own server), a counter that answers each request with
the number of SQL statements it ran in an `X-Query-Count` header.
"""

import json
import os
from pathlib import Path

import click
from flask import Flask, current_app, g, has_request_context

from planner.extensions import db

# Transaction control is not a query a page asks for (the tests' count_queries() agrees).
NOT_QUERIES = ("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA", "COMMIT", "ROLLBACK")


def init_app(app: Flask) -> None:
    if os.environ.get("PLANNER_BENCH_QUERY_COUNT") == "1":
        install_query_counter(app)
        # The benchmark also loads each page uncached ("X-Page-Cache: bypass"), so that it
        # reports the cost of rendering it (core/page_cache.py) beside that of a kept page.
        app.config["PAGE_CACHE_BYPASS"] = True


def install_query_counter(app: Flask) -> None:
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        if has_request_context() and not statement.lstrip().upper().startswith(NOT_QUERIES):
            g.bench_queries = g.get("bench_queries", 0) + 1

    @app.after_request
    def _header(response):
        response.headers["X-Query-Count"] = str(g.get("bench_queries", 0))
        return response


def register_cli(app: Flask) -> None:
    @app.cli.command("bench-data")
    @click.argument("size", type=click.Choice(["demo", "medium", "large"]))
    @click.option("--seed", default=2016, show_default=True, help="Same seed, same data.")
    @click.option(
        "--report",
        type=click.Path(dir_okay=False),
        default=None,
        help="Write what was made and how long it took as JSON.",
    )
    @click.option(
        "--direct",
        is_flag=True,
        help="On PostgreSQL, go through the rules on it too, instead of making the set in "
        "SQLite and copying it (every statement a round trip: about 10 minutes for large).",
    )
    def bench_data(size: str, seed: int, report: str | None, direct: bool) -> None:
        """Fill an empty database with a benchmark data set, through the domains' rules."""
        from flask_migrate import upgrade

        from planner.benchmark.generate import generate
        from planner.core.database import analyze
        from planner.demo import database_is_empty

        upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")
        if not database_is_empty():
            raise click.ClickException(
                "The database is not empty: bench data goes into an empty one only."
            )
        if db.engine.dialect.name == "postgresql" and not direct:
            result = _generate_and_copy(size, seed)
        else:
            click.echo(f"Generating the {size} data set (seed {seed})…")
            result = generate(size, seed, log=click.echo)
        analyze(db.session.connection())  # as a deployment's init-db does after a bulk load
        db.session.commit()
        click.echo(
            f"Done in {result['seconds']} s: "
            + ", ".join(f"{value} {key}" for key, value in result["counts"].items())
        )
        if report:
            Path(report).write_text(json.dumps(result, indent=2))


def _generate_and_copy(size: str, seed: int) -> dict:
    """Make the set through the rules in a SQLite file (this same command, in a process of its
    own), then copy it into this PostgreSQL database (planner/benchmark/copy.py)."""
    import subprocess
    import sys
    import tempfile
    import time

    from planner.benchmark.copy import copy_tables

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=current_app.instance_path) as workdir:
        source, report = Path(workdir) / "source.sqlite3", Path(workdir) / "source.json"
        made = subprocess.run(  # noqa: S603 - this same command, with the arguments it was given
            [sys.executable, "-m", "flask", "--app", "planner", "bench-data", size,
             "--seed", str(seed), "--report", str(report)],
            env={**os.environ, "DATABASE_URL": f"sqlite:///{source}"},
            check=False,
        )
        if made.returncode:
            raise click.ClickException(
                "Making the data set in SQLite failed (its messages are above); nothing was "
                "copied into PostgreSQL."
            )
        result = json.loads(report.read_text())
        copying = time.perf_counter()
        copied = copy_tables(source, db.session.connection())
    result["generated_in_sqlite_seconds"] = result["seconds"]
    result["copy_seconds"] = round(time.perf_counter() - copying, 1)
    result["seconds"] = round(time.perf_counter() - started, 1)
    click.echo(
        f"Copied {sum(copied.values()):,} rows of {len(copied)} tables into PostgreSQL "
        f"in {result['copy_seconds']} s."
    )
    return result
