"""Engines for the aerosync database when it is a SQLite file (the embedded default)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event


def sqlite_engine(path: Path) -> Engine:
    """Several task processes write at once: WAL journal and a generous lock timeout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def engine_from_url(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        return sqlite_engine(Path(url.removeprefix("sqlite:///")))
    return create_engine(url)
