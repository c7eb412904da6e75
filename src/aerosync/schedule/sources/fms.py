"""Extraction from a fleet management system through its dialect's SQL files.

Every dialect returns the same canonical columns (see `include/sql/reference/` and the README's
"adding an FMS dialect"), so the rest of the pipeline never knows which FMS it reads.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from aerosync.config.dialects import read_sql, split_statements, sql_path
from aerosync.schedule.normalise.values import Columns, plain_in_order, rows_from_columns
from aerosync.schedule.sources.fms_text import (
    UndecodableValue,
    is_undecodable_error,
    marking_undecodable,
    take_undecodable,
)

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
    # Values that are not UTF-8 text (read as text with U+FFFD): each holds its aircraft.
    undecodable: list[UndecodableValue] = field(default_factory=list)

    @property
    def activities(self) -> list[dict[str, Any]]:
        return rows_from_columns(self.activity_columns)


def json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _columns(
    conn: Connection,
    dialect: str,
    name: str,
    params: dict[str, Any],
    undecodable: list[UndecodableValue] | None = None,
) -> Columns:
    """The query's result, one list per column, each laid out in order (`plain_in_order`):
    converted only where a column holds a value that is not JSON-safe as read (times, decimals),
    so most columns are taken as they are.

    A text value that is not UTF-8 (SQLite only) makes the driver refuse the whole result: the
    query is read again decoding value by value, and each bad value is added to `undecodable`
    (its text kept with U+FFFD) instead of failing the extract."""
    query = text(read_sql(dialect, f"{name}.sql"))
    marked = False
    try:
        result = conn.execute(query, params)
        names, rows = list(result.keys()), result.all()
    except DBAPIError as exc:
        if not is_undecodable_error(exc):
            raise
        marked = True
        with marking_undecodable(conn):
            result = conn.execute(query, params)
            names, rows = list(result.keys()), result.all()
    values: list[Any] = [list(column) for column in zip(*rows, strict=True)]
    columns: Columns = {}
    for index, key in enumerate(names):
        column = values[index] if values else []
        plain = plain_in_order(column)
        columns[key] = plain if plain is not None else list(map(json_safe, column))
    if marked and undecodable is not None:
        undecodable.extend(take_undecodable(name, columns))
    return columns


class SourceTimeout(Exception):
    """The FMS did not answer within the company's `fms.timeout_seconds`."""


def fms_connect_args(dialect_name: str, timeout_seconds: float | None) -> dict[str, Any]:
    """The driver's own limits for an FMS connection, from `fms.timeout_seconds`.

    PostgreSQL (libpq, psycopg2 or psycopg 3): `connect_timeout` bounds connecting (a server that
    accepts the TCP connection and never answers) and `statement_timeout` makes the server cancel
    a query running longer. SQLite: the busy timeout, for a file another process holds locked;
    a running query is interrupted by `extract`'s watchdog."""
    if not timeout_seconds:
        return {}
    if dialect_name == "postgresql":
        return {
            "connect_timeout": max(2, math.ceil(timeout_seconds)),  # libpq's least is 2 s
            "options": f"-c statement_timeout={int(timeout_seconds * 1000)}",
        }
    if dialect_name == "sqlite":
        return {"timeout": float(timeout_seconds)}
    return {}


def extract(
    engine: Engine, dialect: str, now: datetime, timeout_seconds: float | None = None
) -> RawExtract:
    """Read marketed aircraft, their activities and their services, as of `now`.

    With a timeout, a watchdog cancels the running query through the driver (psycopg2's
    `cancel()`, sqlite3's `interrupt()`) when the time is up, and `SourceTimeout` is raised; so
    it is when the driver's own limits (`fms_connect_args`: connecting, the server's statement
    timeout) end the read once the time is up.
    """
    params = history_bind(now)
    started = time.monotonic()
    try:
        return _read(engine, dialect, params, timeout_seconds)
    except SourceTimeout:
        raise
    except Exception as exc:
        if timeout_seconds and time.monotonic() - started >= timeout_seconds:
            raise SourceTimeout(_no_answer(timeout_seconds)) from exc
        raise


def history_bind(now: datetime) -> dict[str, Any]:
    """The bind `activities.sql` and `services.sql` may use: ISO 8601 UTC, 32 days before now."""
    return {"history_start": (now - timedelta(days=PREFILTER_DAYS)).isoformat()}


def sample(
    engine: Engine, dialect: str, name: str, now: datetime, row_limit: int, timeout_seconds: float
) -> tuple[list[str], int]:
    """The columns of one dialect query and how many rows it gave, at most `row_limit`: run as
    `extract` runs it (the same binds, the same time limits), wrapped in a `LIMIT` so that a
    check reads a few rows of a big fleet (`aerosync check`)."""
    statements = split_statements(read_sql(dialect, f"{name}.sql"))
    if len(statements) != 1:
        raise ValueError(
            f"{sql_path(dialect, f'{name}.sql')} (dialect {dialect!r}) holds {len(statements)} "
            "statements; a dialect's file holds exactly one SELECT"
        )
    query = text(f"SELECT * FROM (\n{statements[0]}\n) AS fms_sample LIMIT {int(row_limit)}")
    params = {} if name == "aircraft" else history_bind(now)  # as `_read` binds them
    with engine.connect() as conn:
        expired = threading.Event()
        watchdog = query_watchdog(conn, timeout_seconds, expired)
        try:
            try:
                result = conn.execute(query, params)
                return list(result.keys()), len(result.all())
            except DBAPIError as exc:
                if not is_undecodable_error(exc):
                    raise
                with marking_undecodable(conn):  # text that is not UTF-8: extract reads it too
                    result = conn.execute(query, params)
                    return list(result.keys()), len(result.all())
        except Exception as exc:
            if expired.is_set():
                raise SourceTimeout(_no_answer(timeout_seconds)) from exc
            raise
        finally:
            if watchdog is not None:
                watchdog.cancel()


def _no_answer(timeout_seconds: float) -> str:
    return f"no answer within {timeout_seconds:g} s (fms.timeout_seconds)"


def _read(
    engine: Engine, dialect: str, params: dict[str, Any], timeout_seconds: float | None
) -> RawExtract:
    with engine.connect() as conn:
        expired = threading.Event()
        watchdog = query_watchdog(conn, timeout_seconds, expired)
        undecodable: list[UndecodableValue] = []
        try:
            return RawExtract(
                aircraft=rows_from_columns(_columns(conn, dialect, "aircraft", {}, undecodable)),
                activity_columns=_columns(conn, dialect, "activities", params, undecodable),
                services=rows_from_columns(
                    _columns(conn, dialect, "services", params, undecodable)
                ),
                undecodable=undecodable,
            )
        except Exception as exc:
            if expired.is_set() and timeout_seconds:
                raise SourceTimeout(_no_answer(timeout_seconds)) from exc
            raise
        finally:
            if watchdog is not None:
                watchdog.cancel()


def query_watchdog(
    conn: Connection, timeout_seconds: float | None, expired: threading.Event
) -> threading.Timer | None:
    """A timer that sets `expired` and cancels `conn`'s running query through its driver once
    `timeout_seconds` have passed (cancel it when the query is done); None without a limit or
    with a driver that cannot cancel."""
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
