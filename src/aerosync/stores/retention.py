"""The retention purge of the aerosync database (the `aerosync_maintenance` DAG's task): rows
older than their table's rule (`aerosync.config.retention.Retention`) are deleted, each table in
one transaction with its audit entry (`aerosync_audit`: rows deleted, cutoff).

What stays whatever its age, because something still reads it:
- `upload_status`: each aircraft's latest record (the page's last outcome, the fleet of the last
  run), latest success (the shrink guard compares with it; the next record's `last_success_at`)
  and latest real attempt (what a skip shows);
- `validation_results` that a kept status record points at (why an aircraft was held);
- `staged_data` of a run still running (the caller asks Airflow which runs are).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, bindparam, text

from aerosync.config.retention import Retention
from aerosync.models import Outcome
from aerosync.stores.audit import AuditEntry, write_entry
from aerosync.stores.database import iso

ACTOR = "aerosync_maintenance"
_SUCCESS = (Outcome.UPLOADED.value, Outcome.UPLOADED_WITH_ERRORS.value)
_NOT_REAL = (Outcome.SKIPPED.value, Outcome.IN_FLIGHT.value)
_LATEST = (
    "SELECT s.attempt_id FROM upload_status s JOIN (SELECT company, tail, "
    "MAX(attempted_at) AS at FROM upload_status {where} GROUP BY company, tail) l "
    "ON s.company = l.company AND s.tail = l.tail AND s.attempted_at = l.at {also}"
)
_KEPT_STATUS = " UNION ".join(
    [
        _LATEST.format(where="", also=""),
        _LATEST.format(
            where="WHERE outcome IN (:ok1, :ok2)", also="WHERE s.outcome IN (:ok1, :ok2)"
        ),
        _LATEST.format(
            where="WHERE outcome NOT IN (:skip, :flight)",
            also="WHERE s.outcome NOT IN (:skip, :flight)",
        ),
    ]
)
# Per table: the delete, with `:cutoff` (ISO text) bound. Status goes first: the validation
# results a status record still points at are kept.
PURGES = {
    "upload_status": (
        "DELETE FROM upload_status WHERE attempted_at < :cutoff "
        f"AND attempt_id NOT IN (SELECT attempt_id FROM ({_KEPT_STATUS}) kept)"
    ),
    "validation_results": (
        "DELETE FROM validation_results WHERE validated_at < :cutoff AND validation_id NOT IN "
        "(SELECT validation_id FROM upload_status WHERE validation_id IS NOT NULL)"
    ),
    "training_quarantine": (
        "DELETE FROM training_quarantine WHERE COALESCE(resolved_at, quarantined_at) < :cutoff"
    ),
    "training_audit": "DELETE FROM training_audit WHERE changed_at < :cutoff",
    "aerosync_audit": "DELETE FROM aerosync_audit WHERE recorded_at < :cutoff",
}
_PARAMS = {"ok1": _SUCCESS[0], "ok2": _SUCCESS[1], "skip": _NOT_REAL[0], "flight": _NOT_REAL[1]}


@dataclass(frozen=True)
class Purged:
    table: str
    rows: int
    cutoff: str

    def __str__(self) -> str:
        return f"{self.table}: {self.rows} rows older than {self.cutoff} deleted"


def cutoffs(retention: Retention, now: datetime) -> dict[str, str]:
    """Table -> the oldest time kept, as the ISO text the tables hold."""
    days = {
        "upload_status": retention.status_history_days,
        "validation_results": retention.validation_results_days,
        "staged_data": retention.staging_days,
        "training_quarantine": retention.quarantine_days,
        "training_audit": retention.audit_days,
        "aerosync_audit": retention.audit_days,
    }
    return {table: iso(now - timedelta(days=n)) for table, n in days.items()}


def old_staged_runs(engine: Engine, retention: Retention, now: datetime) -> list[tuple[str, str]]:
    """(company, run id) of every run with staging older than the rule: the caller says which
    of them are still running."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT DISTINCT company, run_id FROM staged_data WHERE staged_at < :cutoff "
                "ORDER BY company, run_id"
            ),
            {"cutoff": cutoffs(retention, now)["staged_data"]},
        ).all()
    return [(row.company, row.run_id) for row in rows]


def purge(
    engine: Engine,
    retention: Retention,
    now: datetime,
    run_id: str,
    running: Collection[tuple[str, str]] = (),
) -> list[Purged]:
    """Delete what is older than the rules; one audit entry per table (rows may be 0: the trail
    shows the purge ran and what it kept)."""
    limits = cutoffs(retention, now)
    purged = []
    for table, statement in PURGES.items():
        with engine.begin() as conn:
            rows = conn.execute(text(statement), {"cutoff": limits[table], **_PARAMS}).rowcount
            purged.append(_audited(conn, Purged(table, rows, limits[table]), now, run_id))
    with engine.begin() as conn:
        purged.append(
            _audited(conn, _purge_staging(conn, limits["staged_data"], running), now, run_id)
        )
    return purged


def _purge_staging(conn: Connection, cutoff: str, running: Collection[tuple[str, str]]) -> Purged:
    runs = sorted({f"{company}\x1f{run}" for company, run in running})
    statement = "DELETE FROM staged_data WHERE staged_at < :cutoff"
    if not runs:
        return Purged(
            "staged_data", conn.execute(text(statement), {"cutoff": cutoff}).rowcount, cutoff
        )
    # Runs still running keep every row (company and run id joined: one list to bind).
    keep = text(statement + " AND (company || :sep || run_id) NOT IN :runs").bindparams(
        bindparam("runs", expanding=True)
    )
    rows = conn.execute(keep, {"cutoff": cutoff, "sep": "\x1f", "runs": runs}).rowcount
    return Purged("staged_data", rows, cutoff)


def _audited(conn: Connection, purged: Purged, now: datetime, run_id: str) -> Purged:
    write_entry(
        conn,
        AuditEntry(now, ACTOR, run_id, "purge", purged.table, purged.rows, purged.cutoff),
    )
    return purged
