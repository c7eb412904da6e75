"""Maintenance events read from the AMS's own database, through a dialect's query.

An AMS dialect is a folder of the SQL search folders holding `maintenance_events.sql`, one SELECT
returning the columns `event_id, tail_number, kind, airport, starts_at, ends_at, status, note`; it
may use the bind `:history_start` (ISO 8601 UTC, 32 days before the run) as the FMS dialects do.
The packaged `ams_reference` reads the reference table `maintenance_events` (docs/ams.md).

The read has the FMS's time limits: the engine's driver connects and queries within
`ams.sql.timeout_seconds` (`fms_connect_args`), and a watchdog cancels a query still running then.
A text value that is not UTF-8 (SQLite) holds only its event's aircraft, as in the FMS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from aerosync.config.ams import AMS_QUERY
from aerosync.config.dialects import read_sql
from aerosync.schedule.normalise.values import rows_from_columns
from aerosync.schedule.sources.ams_events import (
    EVENT_FIELDS,
    AmsRows,
    AmsUnavailable,
    RefusedEvent,
    activity_id,
    ams_rows,
)
from aerosync.schedule.sources.ams_events import text as text_value
from aerosync.schedule.sources.fms import history_bind, json_safe, query_watchdog
from aerosync.schedule.sources.fms_text import (
    is_undecodable_error,
    marking_undecodable,
    take_undecodable,
)

QUERY_NAME = AMS_QUERY.removesuffix(".sql")


def _execute(
    engine: Engine, query: str, params: dict[str, Any], timeout_seconds: float
) -> tuple[list[str], Sequence[Any]]:
    expired = threading.Event()
    started = time.monotonic()
    try:
        with engine.connect() as conn:
            watchdog = query_watchdog(conn, timeout_seconds, expired)
            try:
                try:
                    result = conn.execute(text(query), params)
                    return list(result.keys()), result.all()
                except DBAPIError as exc:
                    if not is_undecodable_error(exc):
                        raise
                    with marking_undecodable(conn):  # read again, value by value
                        result = conn.execute(text(query), params)
                        return list(result.keys()), result.all()
            finally:
                if watchdog is not None:
                    watchdog.cancel()
    except Exception as exc:
        if expired.is_set() or time.monotonic() - started >= timeout_seconds:
            raise AmsUnavailable(
                f"no answer within {timeout_seconds:g} s (ams.sql.timeout_seconds)"
            ) from exc
        raise


def read_sql_events(
    engine: Engine, dialect: str, now: datetime, timeout_seconds: float, aog_until: datetime
) -> AmsRows:
    """Every event the dialect's query returns, as activity rows (`ams_events.ams_rows`)."""
    query = read_sql(dialect, AMS_QUERY)
    names, rows = _execute(engine, query, history_bind(now), timeout_seconds)
    missing = [name for name in EVENT_FIELDS if name not in names]
    if missing:
        raise AmsUnavailable(
            f"the AMS dialect {dialect!r}'s {AMS_QUERY} returns no column {', '.join(missing)}; "
            f"it must return {', '.join(EVENT_FIELDS)}"
        )
    values: list[Any] = [list(column) for column in zip(*rows, strict=True)]
    columns = {
        name: [json_safe(v) for v in values[index]] if values else []
        for index, name in enumerate(names)
        if name in EVENT_FIELDS
    }
    undecodable = take_undecodable(QUERY_NAME, columns)
    events = rows_from_columns(columns)
    bad_rows = {value.row for value in undecodable}
    result = ams_rows((e for row, e in enumerate(events) if row not in bad_rows), aog_until)
    result.refused += [
        RefusedEvent(
            activity_id(events[value.row]),
            text_value(events[value.row].get("tail_number")),
            value.column,
            f"{value.column} is not valid UTF-8 text in the AMS ({value.detail})",
        )
        for value in undecodable
    ]
    return result
