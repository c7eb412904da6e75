"""Whether the aerosync database is ready (`aerosync check`): reachable, migrated, writable.

"Migrated" is Alembic's word: the revision in the database's version table against this
AeroSync's head (`aerosync.stores.schema_version`). Behind is a warning (the next task that writes
migrates it, or `aerosync db migrate`); a revision this AeroSync does not know, or tables of
another schema, fail. Nothing here changes the schema: "writable" writes a row and rolls it back
(into an empty database, a table created and rolled back). Nothing here creates the database
either: the caller checks that a SQLite file exists before it opens an engine on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Engine, inspect, text

from aerosync.models import Verdict
from aerosync.redaction import engine_secrets, safe_error
from aerosync.stores.database import StoreUnavailable
from aerosync.stores.migrate import unversioned_gaps
from aerosync.stores.schema_version import HEAD, read_state

REACHABLE, MIGRATED, WRITABLE = "reachable", "migrated", "writable"


def reachable_verdict(engine: Engine) -> Verdict:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return Verdict.failed(
            REACHABLE, f"cannot connect: {safe_error(exc, engine_secrets(engine))}"
        )
    return Verdict.passed(REACHABLE, f"{engine.dialect.name} database answers")


def migrated_verdict(engine: Engine) -> Verdict:
    state = read_state(engine)
    if state.empty:
        return Verdict.warned(
            MIGRATED,
            f"holds none of AeroSync's tables yet: the first task run migrates it to {HEAD} "
            "(or run `aerosync db migrate`; if tasks have run, they write to another database)",
        )
    if state.at_head:
        return Verdict.passed(MIGRATED, f"schema at head ({HEAD})")
    if state.unknown:
        return Verdict.failed(MIGRATED, state.problem() or "")
    if state.unversioned:
        try:
            with engine.connect() as conn:
                unversioned_gaps(conn, state)
        except StoreUnavailable as exc:
            return Verdict.failed(MIGRATED, str(exc))
    return Verdict.warned(MIGRATED, state.problem() or "")


def writable_verdict(engine: Engine) -> Verdict:
    """A row written and rolled back (the tasks write rows); into a database without AeroSync's
    tables yet, a scratch table created and rolled back (the first task creates tables)."""
    try:
        if inspect(engine).has_table("staged_data"):
            _write_a_row_and_roll_back(engine)
        else:
            _create_a_table_and_roll_back(engine)
    except Exception as exc:
        return Verdict.failed(WRITABLE, f"cannot write: {safe_error(exc, engine_secrets(engine))}")
    return Verdict.passed(WRITABLE, "a row was written and rolled back")


def _write_a_row_and_roll_back(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(
            text(
                "INSERT INTO staged_data (company, run_id, stage, tail, staged_at, data) "
                "VALUES ('*aerosync check*', :id, 'write check', '*', '', '{}')"
            ),
            {"id": uuid.uuid4().hex},
        )
        conn.rollback()


def _create_a_table_and_roll_back(engine: Engine) -> None:
    table = f"aerosync_write_check_{uuid.uuid4().hex[:12]}"
    raw = engine.raw_connection()
    sqlite = engine.dialect.name == "sqlite"
    before = raw.driver_connection.isolation_level if sqlite else None  # type: ignore[union-attr]
    try:
        if sqlite:  # the driver's own transactions off: BEGIN and ROLLBACK as written
            raw.driver_connection.isolation_level = None  # type: ignore[union-attr]
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        cursor.execute(f"CREATE TABLE {table} (id INTEGER)")
        cursor.execute(f"INSERT INTO {table} (id) VALUES (1)")
        cursor.execute("ROLLBACK")
    finally:
        if sqlite:
            raw.driver_connection.isolation_level = before  # type: ignore[union-attr]
        raw.close()


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
