"""The aerosync database's own audit trail (`aerosync_audit`): what maintenance did to it, one
row per table and action (a retention purge: how many rows, and the cutoff), written in the
transaction of the change it records. The training tables' row-by-row trail is
`aerosync.crew.audit`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, text

from aerosync.stores.database import iso, parse_iso


@dataclass(frozen=True)
class AuditEntry:
    recorded_at: datetime
    actor: str  # who changed it: the DAG, or the command
    run_id: str
    action: str  # "purge"
    table_name: str
    rows_affected: int
    cutoff: str | None = None  # rows older than this went
    detail: str | None = None


def write_entry(conn: Connection, entry: AuditEntry) -> None:
    conn.execute(
        text(
            "INSERT INTO aerosync_audit (audit_id, recorded_at, actor, run_id, action, "
            "table_name, rows_affected, cutoff, detail) VALUES (:audit_id, :recorded_at, "
            ":actor, :run_id, :action, :table_name, :rows_affected, :cutoff, :detail)"
        ),
        {
            "audit_id": uuid.uuid4().hex,
            "recorded_at": iso(entry.recorded_at),
            "actor": entry.actor,
            "run_id": entry.run_id,
            "action": entry.action,
            "table_name": entry.table_name,
            "rows_affected": entry.rows_affected,
            "cutoff": entry.cutoff,
            "detail": entry.detail,
        },
    )


def read_entries(engine: Engine, run_id: str | None = None) -> list[AuditEntry]:
    """The entries (of one run, if given), oldest first."""
    where = "WHERE run_id = :run_id" if run_id else ""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT recorded_at, actor, run_id, action, table_name, rows_affected, cutoff, "
                f"detail FROM aerosync_audit {where} ORDER BY recorded_at, table_name"
            ),
            {"run_id": run_id},
        ).all()
    return [
        AuditEntry(
            parse_iso(row.recorded_at) or datetime.min,
            row.actor,
            row.run_id,
            row.action,
            row.table_name,
            int(row.rows_affected),
            row.cutoff,
            row.detail,
        )
        for row in rows
    ]
