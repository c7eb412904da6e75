"""Bring the aerosync database to this AeroSync's schema (`HEAD`) with Alembic, as Airflow
migrates its own metadata database.

Who runs it: `aerosync db migrate`, and the tasks that write (`ensure_migrated`: build_schedules,
upload, record_status, every training-sync task) before they write, so a fresh install needs no
manual step. Readers never do (`aerosync.stores.schema_version`). A run's tasks, and many
companies' runs, start together: the upgrade holds a lock (a PostgreSQL advisory lock for its
transaction; on SQLite, which serves one machine, a lock file beside the database) and reads the
revision again once it holds it, so one process migrates and the others find it done.

A database AeroSync 0.1.0 made has its tables and no version table. Its columns are checked
against that release's (the two columns 0.1.0 added to `upload_status` on start-up are added
if missing, as it would have); then the baseline revision, all `IF NOT EXISTS`, creates only
what is missing (the training tables where no training sync ran) and the version is recorded.
Tables whose columns differ otherwise come from another schema: nothing is changed and
`SchemaMismatch` says which columns.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, inspect, text

from aerosync.config.dialects import split_statements
from aerosync.stores.database import StoreUnavailable, sqlite_file_of
from aerosync.stores.schema_version import HEAD, SchemaNotCurrent, SchemaState, read_state

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SCHEMA_LOCK = 7_413_002  # any constant shared by every AeroSync process
# Columns AeroSync 0.1.0 added on start-up to tables its earlier builds had made.
ADDED_ON_START_IN_0_1_0 = (
    ("upload_status", "last_real_attempt", "TEXT"),
    ("upload_status", "upload_map_index", "INTEGER"),
)


class SchemaMismatch(StoreUnavailable):
    """Tables named like AeroSync's whose columns are not those of any AeroSync release."""


@dataclass(frozen=True)
class Migration:
    """What a migration did: from which revision (None: an empty database, or one AeroSync
    0.1.0 made: `adopted`) to which, and the columns it added to adopt it."""

    before: str | None
    after: str
    adopted: bool = False
    added_columns: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def describe(self) -> str:
        if not self.changed:
            return f"already at head ({self.after}): nothing to do"
        start = self.before or ("AeroSync 0.1.0 (no revision)" if self.adopted else "empty")
        added = f"; added {', '.join(self.added_columns)}" if self.added_columns else ""
        return f"migrated from {start} to {self.after}{added}"

    def to_dict(self) -> dict[str, object]:
        return {
            "from": self.before,
            "to": self.after,
            "changed": self.changed,
            "adopted_0_1_0": self.adopted,
            "added_columns": list(self.added_columns),
        }


def ensure_migrated(engine: Engine) -> Migration | None:
    """For a task about to write: nothing when the database is at head (one read), else the
    upgrade. A database a newer AeroSync migrated is refused (`SchemaNotCurrent`)."""
    state = read_state(engine)
    if state.at_head:
        return None
    migration = migrate(engine)
    log.info("aerosync database: %s", migration.describe())
    return migration


def migrate(engine: Engine) -> Migration:
    """Upgrade to `HEAD` under the migration lock (see the module's docstring)."""
    from alembic import command
    from alembic.config import Config

    with _exclusive(engine) as conn:
        state = read_state(conn)
        if state.unknown:
            raise SchemaNotCurrent(state.problem() or "")
        if state.at_head:
            return Migration(state.current, HEAD)
        added = _adopt(conn, state) if state.unversioned else ()
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        return Migration(state.current, HEAD, state.unversioned, added)


@contextlib.contextmanager
def _exclusive(engine: Engine) -> Iterator[Connection]:
    """One transaction that only one AeroSync process at a time holds for migrating."""
    path = sqlite_file_of(engine)
    with contextlib.ExitStack() as stack:
        if path is not None:
            lock = stack.enter_context(open(f"{path}.migrate-lock", "a"))
            fcntl.flock(lock, fcntl.LOCK_EX)
        conn = stack.enter_context(engine.begin())
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        yield conn


def release_0_1_0_columns() -> dict[str, set[str]]:
    """Table -> columns as AeroSync 0.1.0 made them: its DDL, run on a scratch SQLite."""
    scratch = create_engine("sqlite://")
    try:
        with scratch.begin() as conn:
            for name in ("schema.sql", "training.sql"):
                ddl = (MIGRATIONS / "baseline" / name).read_text(encoding="utf-8")
                for statement in split_statements(ddl):
                    conn.execute(text(statement))
        inspector = inspect(scratch)
        return {
            table: {column["name"] for column in inspector.get_columns(table)}
            for table in inspector.get_table_names()
        }
    finally:
        scratch.dispose()


def unversioned_gaps(conn: Connection, state: SchemaState) -> list[tuple[str, str, str]]:
    """The columns a 0.1.0 database lacks that 0.1.0 itself added on start-up, (table, column,
    type); `SchemaMismatch` when its tables lack any other column of that release. Reads only."""
    expected = release_0_1_0_columns()
    addable = {(table, column): kind for table, column, kind in ADDED_ON_START_IN_0_1_0}
    inspector = inspect(conn)
    to_add: list[tuple[str, str, str]] = []
    foreign: list[str] = []
    for table in sorted(state.tables):
        present = {column["name"] for column in inspector.get_columns(table)}
        for column in sorted(expected[table] - present):
            kind = addable.get((table, column))
            if kind is None:
                foreign.append(f"{table}.{column}")
            else:
                to_add.append((table, column, kind))
    if foreign:
        raise SchemaMismatch(
            f"the aerosync database's tables lack {', '.join(foreign)}, which AeroSync 0.1.0 "
            "made: they come from another schema; run no migration on it before you know why"
        )
    return to_add


def _adopt(conn: Connection, state: SchemaState) -> tuple[str, ...]:
    """Make a 0.1.0 database's tables what that release would have made them (the columns it
    added on start-up), after `unversioned_gaps` found nothing else missing."""
    to_add = unversioned_gaps(conn, state)
    for table, column, kind in to_add:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))
    return tuple(f"{table}.{column}" for table, column, _ in to_add)
