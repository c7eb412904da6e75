"""Extraction from a fleet management system through its dialect's SQL files.

Every dialect returns the same canonical columns (see `include/sql/reference/` and the README's
"adding an FMS dialect"), so the rest of the pipeline never knows which FMS it reads.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, text

from aerosync.sql_files import read_sql

# Rows that ended before this margin are not even read; the exact 30-day cut is in normalise.
PREFILTER_DAYS = 32
QUERIES = ("aircraft", "activities", "services")


@dataclass
class RawExtract:
    """Source rows as JSON-safe dicts: times keep their UTC offset as ISO text."""

    aircraft: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)


def json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _rows(
    conn: Connection, dialect: str, name: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    result = conn.execute(text(read_sql(dialect, f"{name}.sql")), params)
    return [{k: json_safe(v) for k, v in row.items()} for row in result.mappings()]


class SourceTimeout(Exception):
    """The FMS did not answer within the company's `fms.timeout_seconds`."""


def extract(
    engine: Engine, dialect: str, now: datetime, timeout_seconds: float | None = None
) -> RawExtract:
    """Read marketed aircraft, their activities and their services, as of `now`.

    With a timeout, a watchdog cancels the running query through the driver (psycopg2's
    `cancel()`, sqlite3's `interrupt()`) when the time is up, and `SourceTimeout` is raised.
    """
    history_start = (now - timedelta(days=PREFILTER_DAYS)).isoformat()
    params = {"history_start": history_start}
    with engine.connect() as conn:
        expired = threading.Event()
        watchdog = _watchdog(conn, timeout_seconds, expired)
        try:
            return RawExtract(
                aircraft=_rows(conn, dialect, "aircraft", {}),
                activities=_rows(conn, dialect, "activities", params),
                services=_rows(conn, dialect, "services", params),
            )
        except Exception as exc:
            if expired.is_set():
                raise SourceTimeout(f"no answer within {timeout_seconds:g} s") from exc
            raise
        finally:
            if watchdog is not None:
                watchdog.cancel()


def _watchdog(
    conn: Connection, timeout_seconds: float | None, expired: threading.Event
) -> threading.Timer | None:
    if not timeout_seconds:
        return None
    driver = conn.connection.driver_connection
    cancel = getattr(driver, "cancel", None) or getattr(driver, "interrupt", None)
    if cancel is None:
        return None  # a driver that cannot cancel: the task's own limits apply

    def fire() -> None:
        expired.set()
        cancel()

    timer = threading.Timer(timeout_seconds, fire)
    timer.daemon = True
    timer.start()
    return timer
