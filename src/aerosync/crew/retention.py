"""Retention: records older than their retention period are purged, each purge audited.

The period is the company's (`training.records.retention_days`: training, checking and
qualification records) unless a source has its own (`first_kept_by_source`: flights flown, as
flight and duty records, 24 months by default).

A row is older than the period when the latest of its dates (a training record's completion and
expiry, a qualification's issue and expiry, a grading's session date, a duty's date and end; an
employee version's `effective_to`, so the current version of an employee always stays) is before
the cutoff; an enrolment's latest date is its last update. The course catalog is master data and
is not purged. Flights flown and roster duties have their own period (24 months: flight and duty
records) and so their own cutoff. Rows that old are not loaded either: re-running an old window
does not load and purge them again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import EMPLOYEES, SPECS, TableSpec


def cutoff(today: date, retention_days: int) -> str:
    """The first day kept, as YYYY-MM-DD: dates and times before it sort before it as text."""
    return (today - timedelta(days=retention_days)).isoformat()


def first_kept_by_source(
    today: date, retention_days: int, source_retention: Mapping[str, int] | None = None
) -> dict[str, str]:
    """The first day kept for each source: its own period from `source_retention`, else the
    company's `retention_days`."""
    own = source_retention or {}
    return {spec.source: cutoff(today, own.get(spec.source, retention_days)) for spec in SPECS}


def too_old(row: Mapping[str, Any], spec: TableSpec, first_kept: str) -> bool:
    dates = [str(row[c]) for c in spec.retention_dates if row.get(c) is not None]
    return bool(dates) and max(d[:10] for d in dates) < first_kept


def superseded_before(
    versions: Sequence[Mapping[str, Any]], stored: Sequence[Mapping[str, Any]], first_kept: str
) -> set[tuple[str, str]]:
    """(employee, effective_from) of incoming versions that another version (incoming or stored)
    ends before the cutoff."""
    starts: dict[str, set[str]] = {}
    for v in [*versions, *stored]:
        starts.setdefault(str(v["employee_id"]), set()).add(str(v["effective_from"]))
    old = set()
    for v in versions:
        later = [s for s in starts[str(v["employee_id"])] if s > str(v["effective_from"])]
        if later and min(later) < first_kept:
            old.add((str(v["employee_id"]), str(v["effective_from"])))
    return old


def purge(
    store: TrainingStore,
    company: str,
    first_kept: str,
    run_id: str,
    now: datetime,
    first_kept_of: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Delete every row older than the cutoff (`first_kept_of` its source's, else
    `first_kept`), auditing each; returns counts per table."""
    purged = {}
    for spec in SPECS:
        if not spec.retention_dates:
            continue  # master data (the course catalog), kept while completions refer to it
        kept_from = (first_kept_of or {}).get(spec.source, first_kept)
        conditions = " AND ".join(
            f"({c} IS NULL OR {c} < :first_kept)" for c in spec.retention_dates
        )
        anything = " OR ".join(f"{c} IS NOT NULL" for c in spec.retention_dates)
        if spec is EMPLOYEES:
            conditions, anything = "effective_to < :first_kept", "effective_to IS NOT NULL"
        rows = store.rows(
            company, spec, f"AND ({conditions}) AND ({anything})", first_kept=kept_from
        )
        rows = [r for r in rows if too_old(r, spec, kept_from)]
        purged[spec.table] = store.delete_audited(company, spec, rows, run_id, now, "purge")
    return purged
