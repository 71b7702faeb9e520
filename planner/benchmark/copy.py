"""On PostgreSQL, a data set is made through the rules in a SQLite file, then copied row for row.

Through the rules straight on PostgreSQL, every statement of every rule is a round trip to
the server, and the large set took 595 s there (190 s on SQLite): the issue's five minutes
were out of reach. The rows the rules make do not depend on the database, so `bench-data`
makes them in SQLite with the same rules and seed, then copies each table with COPY (same
rows, same ids), moves every id sequence past the copied rows and checks that each table
holds as many rows as the source. `bench-data --direct` still goes through the rules on the
target database itself.
"""

import sqlite3
from pathlib import Path

from psycopg import sql

from planner.extensions import db

SKIPPED = {"alembic_version"}  # each database records its own migrations


def copied_tables(source: sqlite3.Connection) -> list[str]:
    """The source's tables, parents before children (the models' order, then the rest)."""
    present = {
        name
        for (name,) in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    } - SKIPPED
    ordered = [table.name for table in db.metadata.sorted_tables if table.name in present]
    return ordered + sorted(present - set(ordered))


def _columns(source: sqlite3.Connection, cursor, table: str) -> list[str]:
    columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s",
        (table,),
    )
    target = {name for (name,) in cursor.fetchall()}
    if set(columns) != target:
        raise RuntimeError(
            f"{table}: the SQLite and PostgreSQL tables differ ({sorted(set(columns) ^ target)});"
            " are both databases at the same migration?"
        )
    return columns


def copy_tables(source_path: Path, connection) -> dict[str, int]:
    """Copy every table of the SQLite file into the (empty) PostgreSQL database of `connection`,
    a SQLAlchemy connection, in its transaction. Returns the rows copied per table."""
    source = sqlite3.connect(source_path)
    cursor = connection.connection.dbapi_connection.cursor()  # psycopg, for COPY
    copied: dict[str, int] = {}
    try:
        tables = copied_tables(source)
        # The migrations may have seeded a row (the plan's revision): the source has it too.
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
        restore = _set_aside_checks_and_indexes(cursor)
        for table in tables:
            columns = _columns(source, cursor, table)
            names = ", ".join(f'"{c}"' for c in columns)
            rows = source.execute(f'SELECT {names} FROM "{table}"')  # noqa: S608 - schema names
            count = 0
            # Text COPY: the server parses each value by its column's type, and SQLite holds
            # what SQLAlchemy wrote for both (ISO dates and times, 0/1 for booleans, enum values).
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                while batch := rows.fetchmany(5_000):
                    for row in batch:
                        copy.write_row(row)
                    count += len(batch)
            copied[table] = count
            if "id" in columns:
                cursor.execute(
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        "COALESCE(MAX(id), 0) + 1, false) FROM {}"
                    ).format(sql.Identifier(table)),
                    (f'"{table}"',),
                )
        for statement in restore:
            cursor.execute(statement)
        for table, count in copied.items():
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            (found,) = cursor.fetchone()
            if found != count:
                raise RuntimeError(f"{table}: {count} rows copied, {found} found")
    finally:
        cursor.close()
        source.close()
    return copied


def _set_aside_checks_and_indexes(cursor) -> list[str]:
    """Drop the schema's foreign keys and secondary indexes for the copy, as pg_restore does;
    returns the statements that make them again once the rows are in.

    Row by row, the 3 million electors of the large set cost two foreign-key look-ups and two
    index insertions each (49 s of the copy's 66). Built afterwards, each index is one sort
    and each foreign key one join that checks every row as before: a row without its parent
    still fails the copy."""
    cursor.execute(
        "SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,"
        " pg_get_constraintdef(c.oid)), format('ALTER TABLE %s DROP CONSTRAINT %I',"
        " c.conrelid::regclass, c.conname) FROM pg_constraint c"
        " WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexdef, format('DROP INDEX %I', i.indexname) FROM pg_indexes i"
        " WHERE i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
        " WHERE c.conindid = (quote_ident(i.indexname))::regclass)"
    )
    indexes = cursor.fetchall()
    for _make, drop in foreign_keys + indexes:
        cursor.execute(drop)
    return [make for make, _drop in indexes + foreign_keys]
