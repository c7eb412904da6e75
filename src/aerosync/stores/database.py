"""The aerosync database: its engine, and the one text form of a time in it.

The engine is a SQLite file by default (the embedded store) or any SQLAlchemy URL (PostgreSQL
in production). Its tables are made and changed by Alembic revisions only
(`aerosync.stores.migrate`, `aerosync.stores.migrations`).
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError


def iso(moment: datetime) -> str:
    """The one text form of a time in the aerosync database: sortable, UTC, microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# -- the engine -----------------------------------------------------------------------------------


def sqlite_engine(path: Path) -> Engine:
    """Several task processes write at once: WAL journal and a generous lock timeout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _use_wal(cursor: Any, attempts: int = 100) -> None:
    """Switch a file to WAL once. Switching takes an exclusive lock without waiting on the busy
    timeout, so task processes opening a new file at the same moment are refused ("database is
    locked"): the ones that lose wait and look again (the winner's switch holds for them all)."""
    for attempt in range(attempts):
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


def engine_from_url(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        return sqlite_engine(Path(url.removeprefix("sqlite:///")))
    return create_engine(url)


class StoreUnavailable(Exception):
    """A reader (`aerosync status`) cannot reach the aerosync database it was pointed at; the
    message says where it looked and how to point it elsewhere."""


def sqlite_file_of(engine: Engine) -> Path | None:
    """The file of a SQLite engine (None for another database, or SQLite in memory)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database.removeprefix("file:").split("?", 1)[0])


def existing_sqlite_engine(path: Path, context: str = "") -> Engine:
    """An engine on a SQLite file that must already exist: a reader never creates the database
    (nor its folder) that a wrong path or AIRFLOW_HOME points at."""
    if not path.is_file():
        raise StoreUnavailable(f"no aerosync database at {path}{context}")
    return sqlite_engine(path)


def existing_engine_from_url(url: str) -> Engine:
    """`engine_from_url` for a reader: a SQLite file must exist (other databases are reached
    when first read)."""
    if url.startswith("sqlite:///"):
        return existing_sqlite_engine(Path(url.removeprefix("sqlite:///")))
    return create_engine(url)


def where(engine: Engine) -> str:
    """The database an engine reaches, for a message: its file, or its URL without password."""
    path = sqlite_file_of(engine)
    return str(path) if path else engine.url.render_as_string(hide_password=True)


# -- the tables -----------------------------------------------------------------------------------


def compress_staging_with_lz4(conn: Connection) -> bool:
    """Staged data (a big fleet's run stages about 140 MB of JSON text) is compressed by
    PostgreSQL's TOAST with pglz unless told otherwise; lz4 writes it in about half the time
    (29 MB: 0.20 s against 0.36 s here) and reads it as fast. Set once, where the server has
    lz4 (PostgreSQL 14 or later, built with it); returns whether the column uses it."""
    version = conn.dialect.server_version_info or (0,)
    if version < (14,):
        return False
    current = conn.execute(
        text(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = to_regclass('staged_data') AND attname = 'data'"
        )
    ).scalar()
    if current is None:
        return False
    if current == "l":
        return True
    try:
        with conn.begin_nested():
            conn.execute(text("ALTER TABLE staged_data ALTER COLUMN data SET COMPRESSION lz4"))
    except DBAPIError:  # a server built without lz4: pglz stays, nothing else changes
        return False
    return True
