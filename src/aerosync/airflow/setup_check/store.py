"""The aerosync database as the tasks resolve it: reachable, migrated, writable, shared.

Resolved as `aerosync.airflow.connections.aerosync_engine` resolves it (the `aerosync_db`
connection, else `$AIRFLOW_HOME/aerosync.db`), except that nothing is created: a SQLite file
that does not exist is reported, not made.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine

from aerosync.airflow.connections import aerosync_db_conn_id, default_aerosync_db_path
from aerosync.airflow.store_sharing import configured_executors
from aerosync.models import Verdict
from aerosync.stores.database_check import (
    REACHABLE,
    migrated_verdict,
    reachable_verdict,
    shared_verdict,
    writable_verdict,
)


def absent_sqlite_file(engine: Engine) -> str | None:
    """The path of a SQLite engine's file when it does not exist (connecting would create it)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return None if Path(database).exists() else database


def store_subject_and_engine(timeout: float) -> tuple[str, Engine]:
    """How the report names the database, and its engine (nothing connected yet)."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    from aerosync.airflow.connections import engine_for_connection

    conn_id = aerosync_db_conn_id()
    try:
        return f"aerosync database (connection {conn_id})", engine_for_connection(conn_id, timeout)
    except AirflowNotFoundException:
        path = default_aerosync_db_path()
        subject = f"aerosync database (no connection {conn_id}: the default {path})"
        return subject, create_engine(f"sqlite:///{path}")


def store_verdicts(engine: Engine) -> list[Verdict]:
    shared = shared_verdict(engine, configured_executors())
    absent = absent_sqlite_file(engine)
    if absent is not None:
        return [
            Verdict.warned(
                REACHABLE,
                f"the SQLite file {absent} does not exist yet: the first task run creates it "
                "(if tasks have run, they use another AIRFLOW_HOME or aerosync_db connection)",
            ),
            shared,
        ]
    reachable = reachable_verdict(engine)
    if not reachable.ok:
        return [reachable, shared]
    return [reachable, migrated_verdict(engine), writable_verdict(engine), shared]
