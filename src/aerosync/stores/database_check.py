"""Whether the aerosync database is ready (`aerosync check`): reachable, migrated, writable.

"Migrated" means the tables and columns that `ensure_tables` creates from `include/sql/aerosync/`
are there: the expected schema is read from those same DDL files, run on an in-memory SQLite
database, so it never drifts from what the tasks create. Tasks create missing tables (and the
columns of `ADDED_COLUMNS`) when they start, so those are warnings; a column that no task adds
(a table from another release) is a failure. Nothing here creates the database: the caller checks
that a SQLite file exists before it opens an engine on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Engine, create_engine, inspect, text

from aerosync.models import Verdict
from aerosync.redaction import engine_secrets, safe_error
from aerosync.stores.database import ADDED_COLUMNS, ensure_tables

STATUS_DDL = ("schema.sql",)
TRAINING_DDL = ("schema.sql", "training.sql")
REACHABLE, MIGRATED, WRITABLE = "reachable", "migrated", "writable"


def expected_schema(ddl_files: Sequence[str]) -> dict[str, set[str]]:
    """Table -> column names, as `ensure_tables(ddl_files)` creates them."""
    scratch = create_engine("sqlite://")
    try:
        ensure_tables(scratch, *ddl_files)
        inspector = inspect(scratch)
        return {
            table: {column["name"] for column in inspector.get_columns(table)}
            for table in inspector.get_table_names()
        }
    finally:
        scratch.dispose()


def reachable_verdict(engine: Engine) -> Verdict:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return Verdict.failed(
            REACHABLE, f"cannot connect: {safe_error(exc, engine_secrets(engine))}"
        )
    return Verdict.passed(REACHABLE, f"{engine.dialect.name} database answers")


def migrated_verdict(engine: Engine, ddl_files: Sequence[str] = STATUS_DDL) -> Verdict:
    expected = expected_schema(ddl_files)
    inspector = inspect(engine)
    present = set(inspector.get_table_names())
    ours = sorted(present & set(expected))
    if not ours:
        return Verdict.warned(
            MIGRATED,
            "holds none of AeroSync's tables yet: the first task run creates them (if tasks "
            "have run, they write to another database)",
        )
    addable = {(table, column) for table, column, _ in ADDED_COLUMNS}
    later: list[str] = []
    foreign: list[str] = []
    for table in ours:
        columns = {column["name"] for column in inspector.get_columns(table)}
        for column in sorted(expected[table] - columns):
            (later if (table, column) in addable else foreign).append(f"{table}.{column}")
    if foreign:
        return Verdict.failed(
            MIGRATED,
            f"lacks {', '.join(foreign)}, which this release needs and no task adds: the tables "
            "come from another AeroSync release",
        )
    missing_tables = sorted(set(expected) - present)
    if missing_tables or later:
        behind = ", ".join([*missing_tables, *later])
        return Verdict.warned(
            MIGRATED, f"behind this release: {behind}; the next task run adds them"
        )
    return Verdict.passed(MIGRATED, f"schema up to date ({len(expected)} tables)")


def writable_verdict(engine: Engine) -> Verdict:
    """Creates, fills and drops a scratch table: the tasks create tables and write rows."""
    table = f"aerosync_write_check_{uuid.uuid4().hex[:12]}"
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE {table} (id INTEGER)"))
            conn.execute(text(f"INSERT INTO {table} (id) VALUES (1)"))
            conn.execute(text(f"DROP TABLE {table}"))
    except Exception as exc:
        return Verdict.failed(
            WRITABLE, f"cannot create and write a table: {safe_error(exc, engine_secrets(engine))}"
        )
    return Verdict.passed(WRITABLE, "a scratch table was created, written and dropped")


SHARED = "shared by every worker"
LOCAL_EXECUTOR = "LocalExecutor"
_THIS_MACHINE = ("localhost", "127.0.0.1", "::1", "")


def executor_names(setting: str) -> list[str]:
    """The executor classes of `[core] executor`: `LocalExecutor`, a module path, or several
    (`alias:module.path.Class`, comma separated)."""
    return [
        item.strip().rsplit(":", 1)[-1].rsplit(".", 1)[-1]
        for item in setting.split(",")
        if item.strip()
    ]


def not_shared_message(store: str, executors: Sequence[str]) -> str:
    """Why a SQLite aerosync database (`store`: which file, in words) cannot serve `executors`,
    and how to fix it: the one text `aerosync check` and the refusal at parse time share."""
    return (
        f"the aerosync database is {store}, which serves one machine, but [core] executor is "
        f"{', '.join(executors)}: tasks on other workers would each write a file of their own "
        "(an upload recorded where record_status never reads it, the 5-minute spacing and "
        "shrink guards each seeing one worker's history). Point an `aerosync_db` connection at "
        "PostgreSQL that every worker, the scheduler and the API server share, e.g. "
        "AIRFLOW_CONN_AEROSYNC_DB='postgresql://aerosync@db.example.com:5432/aerosync'"
    )


def refuses_sqlite(executors: Sequence[str]) -> bool:
    """Whether any executor but the LocalExecutor runs tasks (then SQLite cannot serve them)."""
    return any(name != LOCAL_EXECUTOR for name in executors)


def shared_verdict(engine: Engine, executors: Sequence[str]) -> Verdict:
    """SQLite serves one machine: with any executor but the LocalExecutor, tasks on other workers
    would each write a file of their own (the architecture's rule: refused, saying why)."""
    others = refuses_sqlite(executors)
    url = engine.url
    if engine.dialect.name == "sqlite":
        if others:
            return Verdict.failed(
                SHARED, not_shared_message(f"a SQLite file ({url.database})", executors)
            )
        return Verdict.passed(SHARED, "SQLite with the LocalExecutor: every task runs here")
    if others and (url.host or "").lower() in _THIS_MACHINE:
        return Verdict.warned(
            SHARED,
            f"{engine.dialect.name} on this machine ({url.host or 'local socket'}), but [core] "
            f"executor is {', '.join(executors)}: workers on other machines cannot reach it there",
        )
    return Verdict.passed(SHARED, f"{engine.dialect.name} at {url.host or 'local socket'}")
