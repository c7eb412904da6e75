"""The columns every FMS dialect's queries return (README, "Adding an FMS dialect"), and the check
that a company's FMS gives them (`aerosync check`): each query runs as the extract runs it, with
its bind and a row limit, and names every contract column it does not return.

Extra columns are allowed (the pipeline reads the contract's by name); a missing one would fail
the extract at the first aircraft, so the check names it before a run does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from aerosync.models import Verdict
from aerosync.redaction import engine_secrets, safe_error
from aerosync.schedule.sources.fms import QUERIES, sample

FMS_COLUMNS: dict[str, tuple[str, ...]] = {
    "aircraft": ("aircraft_id", "tail", "homebase"),
    "activities": (
        "activity_id", "tail", "activity_kind", "external_trip_id", "avinode_trip_id",
        "flight_number", "start_airport", "end_airport", "start_time", "end_time", "pax_count",
        "note", "flight_regulation", "market_from", "market_to", "price", "currency",
        "marketing_message", "verified_by",
    ),
    "services": (
        "activity_id", "provider_id", "provider_name", "airport", "service_type", "service_for",
        "data_source", "note",
    ),
}  # fmt: skip
SAMPLE_ROWS = 5


def missing_columns(query: str, columns: list[str]) -> list[str]:
    """The contract columns of `query` that `columns` lacks (compared ignoring case, as the
    drivers fold unquoted names differently)."""
    present = {column.lower() for column in columns}
    return [column for column in FMS_COLUMNS[query] if column not in present]


def fms_verdicts(
    open_engine: Callable[[], Engine],
    dialect: str,
    now: datetime,
    timeout_seconds: float,
    row_limit: int = SAMPLE_ROWS,
) -> list[Verdict]:
    """One verdict per dialect query (aircraft.sql, activities.sql, services.sql); a query that
    fails does not keep the others from running."""
    try:
        engine = open_engine()
    except Exception as exc:  # an unknown connection type, a bad URL
        return [Verdict.failed("connection", f"cannot be opened: {safe_error(exc)}")]
    secrets = engine_secrets(engine)
    verdicts = []
    try:
        for query in QUERIES:
            name = f"{dialect}/{query}.sql"
            try:
                columns, rows = sample(engine, dialect, query, now, row_limit, timeout_seconds)
            except Exception as exc:  # a driver's error: no table, no column, no answer
                verdicts.append(Verdict.failed(name, f"does not run: {safe_error(exc, secrets)}"))
                continue
            missing = missing_columns(query, columns)
            if missing:
                verdicts.append(
                    Verdict.failed(
                        name,
                        f"runs, but returns no column {', '.join(missing)} (every dialect "
                        "returns the columns of README 'Adding an FMS dialect')",
                    )
                )
            else:
                verdicts.append(
                    Verdict.passed(
                        name,
                        f"runs ({rows} rows read, limit {row_limit}); its "
                        f"{len(FMS_COLUMNS[query])} contract columns are there",
                    )
                )
    finally:
        engine.dispose()
    return verdicts
