"""Which revision of its schema an aerosync database is at, read without changing anything.

Alembic keeps the revision in AeroSync's own version table (`VERSION_TABLE`, never Airflow's
`alembic_version`, so the two may share a database). Readers (the pages, `aerosync status`,
`aerosync check`) only read it, and say so when the database is behind; the tasks that write
migrate it first (`aerosync.stores.migrate.ensure_migrated`). Alembic itself is not imported
here: a task reads one row and compares it with `HEAD`, and only a database behind pays for
Alembic (a test keeps `REVISIONS` equal to the scripts in `migrations/versions/`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from aerosync.redaction import engine_secrets, safe_error
from aerosync.stores.database import StoreUnavailable, where

VERSION_TABLE = "aerosync_alembic_version"
REVISIONS = (
    "0001_baseline",
    "0002_maintenance_audit",
    "0003_crew_operations",
    "0004_regulatory_records",
)  # oldest first
HEAD = REVISIONS[-1]
# The tables AeroSync 0.1.0 made, before its schema had a revision: one of them without a
# version table is a database of that release.
RELEASE_0_1_0_TABLES = frozenset(
    {
        "upload_status", "staged_data", "validation_results", "training_employee_versions",
        "training_records", "training_qualifications", "training_ebt_gradings",
        "training_quarantine", "training_audit", "training_sync_runs", "training_sync_exports",
    }
)  # fmt: skip
MIGRATE = "run `aerosync db migrate` (or let the next task run migrate it)"


class SchemaNotCurrent(StoreUnavailable):
    """The aerosync database is not at the revision this AeroSync reads and writes: behind it
    (migrate it) or ahead of it (a newer AeroSync migrated it). The message says which."""


@dataclass(frozen=True)
class SchemaState:
    """`current`: the revision in the version table (None: no version table, or no row);
    `tables`: which tables of AeroSync 0.1.0 are there."""

    current: str | None
    tables: frozenset[str]

    @property
    def head(self) -> str:
        return HEAD

    @property
    def at_head(self) -> bool:
        return self.current == HEAD

    @property
    def empty(self) -> bool:
        """No AeroSync table at all: no task has written here yet."""
        return self.current is None and not self.tables

    @property
    def unversioned(self) -> bool:
        """Tables of AeroSync 0.1.0 and no revision: made by that release."""
        return self.current is None and bool(self.tables)

    @property
    def unknown(self) -> bool:
        """A revision this AeroSync does not know: a newer one migrated the database."""
        return self.current is not None and self.current not in REVISIONS

    @property
    def pending(self) -> tuple[str, ...]:
        """The revisions `aerosync db migrate` would apply, oldest first."""
        if self.unknown:
            return ()
        start = 0 if self.current is None else REVISIONS.index(self.current) + 1
        return REVISIONS[start:]

    def problem(self) -> str | None:
        """Why a reader cannot read this database as it is, in words; None when it can (at
        head, or empty: nothing recorded yet)."""
        if self.at_head or self.empty:
            return None
        if self.unknown:
            return (
                f"the aerosync database is at revision {self.current}, which this AeroSync "
                f"does not know (its head is {HEAD}): a newer AeroSync migrated it; install "
                "that release here too"
            )
        if self.unversioned:
            return (
                "the aerosync database was made by AeroSync 0.1.0 and has no schema revision "
                f"yet, head is {HEAD}: {MIGRATE}"
            )
        return f"the aerosync database is at revision {self.current}, head is {HEAD}: {MIGRATE}"

    def to_dict(self) -> dict[str, object]:
        return {
            "current": self.current,
            "head": HEAD,
            "at_head": self.at_head,
            "pending": list(self.pending),
            "problem": self.problem(),
        }


def read_state(bind: Engine | Connection) -> SchemaState:
    """The database's revision and which 0.1.0 tables it holds: catalogue reads and one SELECT."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return read_state(conn)
    present = set(inspect(bind).get_table_names())
    current = None
    if VERSION_TABLE in present:
        current = bind.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return SchemaState(current, frozenset(present & RELEASE_0_1_0_TABLES))


def require_readable(engine: Engine) -> SchemaState:
    """The state of a database a reader is about to read; `SchemaNotCurrent` when it is behind
    or ahead of this AeroSync (an empty one is readable: nothing recorded yet); a database
    that does not answer is `StoreUnavailable`, saying where it was looked for."""
    try:
        state = read_state(engine)
    except DBAPIError as exc:
        raise StoreUnavailable(
            f"cannot read the aerosync database at {where(engine)}: "
            f"{safe_error(exc, engine_secrets(engine))}"
        ) from None
    problem = state.problem()
    if problem is not None:
        raise SchemaNotCurrent(problem)
    return state
