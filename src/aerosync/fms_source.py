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

from aerosync.column_values import Columns, plain_in_order, rows_from_columns
from aerosync.sql_files import read_sql

# Rows that ended before this margin are not even read; the exact 30-day cut is in normalise.
PREFILTER_DAYS = 32
QUERIES = ("aircraft", "activities", "services")


@dataclass
class RawExtract:
    """Source values, JSON-safe: times keep their UTC offset as ISO text. Activities, a fleet's
    bulk (120,000 rows for 400 aircraft), are read and kept as columns."""

    aircraft: list[dict[str, Any]] = field(default_factory=list)
    activity_columns: Columns = field(default_factory=dict)
    services: list[dict[str, Any]] = field(default_factory=list)

    @property
    def activities(self) -> list[dict[str, Any]]:
        return rows_from_columns(self.activity_columns)


def json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _columns(conn: Connection, dialect: str, name: str, params: dict[str, Any]) -> Columns:
    """The query's result, one list per column, each laid out in order (`plain_in_order`):
    converted only where a column holds a value that is not JSON-safe as read (times, decimals),
    so most columns are taken as they are."""
    result = conn.execute(text(read_sql(dialect, f"{name}.sql")), params)
    names = list(result.keys())
    values: list[Any] = [list(column) for column in zip(*result.all(), strict=True)]
    columns: Columns = {}
    for index, key in enumerate(names):
        column = values[index] if values else []
        plain = plain_in_order(column)
        columns[key] = plain if plain is not None else list(map(json_safe, column))
    return columns


def _rows(
    conn: Connection, dialect: str, name: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    return rows_from_columns(_columns(conn, dialect, name, params))


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
                activity_columns=_columns(conn, dialect, "activities", params),
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
