"""The audit trail of the training tables (`training_audit`): one row per real change, with its
run, source, natural key, and the old and new values as canonical JSON.

Rows are written in the transaction of the change they record (`write_audit`), so a change and
its audit row land together or not at all.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from aerosync.crew.tables import TableSpec
from aerosync.stores.database import iso


def _json(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, sort_keys=True, separators=(",", ":"))


def audit_row(
    company: str,
    run_id: str,
    source: str,
    spec: TableSpec,
    key: dict[str, Any],
    action: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "audit_id": uuid.uuid4().hex,
        "company": company,
        "run_id": run_id,
        "source": source,
        "table_name": spec.table,
        "record_key": _json(key),
        "action": action,
        "old_values": _json(old),
        "new_values": _json(new),
        "changed_at": iso(now),
    }


def write_audit(conn: Connection, audits: Sequence[dict[str, Any]]) -> None:
    """Insert `audits` (rows of `audit_row`) in the caller's transaction."""
    if audits:
        columns = list(audits[0])
        conn.execute(
            text(
                f"INSERT INTO training_audit ({', '.join(columns)}) "
                f"VALUES ({', '.join(':' + c for c in columns)})"
            ),
            list(audits),
        )


def read_audit(engine: Engine, company: str, run_id: str | None = None) -> list[dict[str, Any]]:
    """The company's audit rows (of one run, if given), oldest first."""
    where = "WHERE company = :company" + (" AND run_id = :run_id" if run_id else "")
    with engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT * FROM training_audit {where} ORDER BY changed_at, audit_id"),
            {"company": company, "run_id": run_id},
        ).mappings()
        return [dict(r) for r in rows]


def count_audit(engine: Engine, company: str, run_id: str) -> dict[str, int]:
    """`<table>.<action>` -> how many changes the run audited (counted by the database: a run
    may have audited a million)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT table_name, action, COUNT(*) AS n FROM training_audit "
                "WHERE company = :company AND run_id = :run_id "
                "GROUP BY table_name, action ORDER BY table_name, action"
            ),
            {"company": company, "run_id": run_id},
        ).all()
    return {f"{row.table_name}.{row.action}": int(row.n) for row in rows}
