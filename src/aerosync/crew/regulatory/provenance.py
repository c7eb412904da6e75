"""Where each exported row comes from: the stored row (table and natural key), the run that last
changed it, and that change's entry in the audit trail.

Read from the store only, so the same store exports the same provenance whenever it runs: a
re-run of a window changes no row and so no `last_run_id`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, text

from aerosync.crew.tables import TableSpec


@dataclass(frozen=True)
class Stored:
    """One stored row of a crew table and where it came from."""

    spec: TableSpec
    row: Mapping[str, Any]
    audit_id: str | None

    @property
    def source_row(self) -> str:
        """`<table>:<natural key, / between its parts>`, e.g. `training_ebt_gradings:S1/E002`."""
        return f"{self.spec.table}:{'/'.join(self.spec.key_of(dict(self.row)))}"

    @property
    def run_id(self) -> str:
        return str(self.row["last_run_id"])

    def __getitem__(self, column: str) -> Any:
        return self.row[column]


def _key_text(spec: TableSpec, row: Mapping[str, Any]) -> str:
    """The audit trail's `record_key` of a row (`aerosync.crew.audit`'s canonical JSON)."""
    return json.dumps({k: row[k] for k in spec.keys}, sort_keys=True, separators=(",", ":"))


def with_provenance(
    engine: Engine, company: str, spec: TableSpec, rows: Sequence[Mapping[str, Any]]
) -> list[Stored]:
    """`rows` with the audit entry of the change their `last_run_id` made (None when the audit
    trail has been purged under a shorter `retention.audit_days`)."""
    runs = sorted({str(r["last_run_id"]) for r in rows})
    found: dict[tuple[str, str], str] = {}
    statement = text(
        "SELECT audit_id, run_id, record_key FROM training_audit WHERE company = :company "
        "AND table_name = :table AND action IN ('insert', 'update') AND run_id IN :runs "
        "ORDER BY changed_at, audit_id"
    ).bindparams(bindparam("runs", expanding=True))
    with engine.connect() as conn:
        for start in range(0, len(runs), 500):
            params = {"company": company, "table": spec.table, "runs": runs[start : start + 500]}
            for entry in conn.execute(statement, params):
                found[(entry.run_id, entry.record_key)] = entry.audit_id  # the latest wins
    return [
        Stored(spec, row, found.get((str(row["last_run_id"]), _key_text(spec, row))))
        for row in rows
    ]
