"""The quarantine of rows the quality gate refused: each with its source, row, employee and every
reason (code, field, message), kept once per distinct row so re-running a window adds nothing.

Rows refused only because their employee was unknown are loaded by a later run once the HRIS has
delivered that employee (a backfill may load a window before the one that hires the employee).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, text

from aerosync.stores.database import iso

UNKNOWN_EMPLOYEE = "employee_known"
_CHUNK = 500  # fingerprints per query: a refused part looks up only its own rows


@dataclass
class QuarantineEntry:
    source: str
    fingerprint: str
    row_ref: str
    employee_id: str | None
    reasons: list[dict[str, Any]]  # each {"code", "field", "message"}
    row_data: dict[str, Any]
    record: dict[str, Any]

    @property
    def codes(self) -> list[str]:
        return sorted({r["code"] for r in self.reasons})

    def describe(self, company: str) -> str:
        who = f", employee {self.employee_id}" if self.employee_id else ""
        why = "; ".join(
            f"{r['field']}: {r['message']}" if r.get("field") else r["message"]
            for r in self.reasons
        )
        return f"company {company}, source {self.source}, {self.row_ref}{who}: {why}"


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """A quarantined row as people may be told of it: its source, where it came from (file and
    line, statement id) and the (expectation, field) of each reason; never its values."""

    source: str
    row_ref: str
    reasons: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class Waiting:
    """A quarantined row refused only because its employee was unknown: loadable once the HRIS
    has delivered that employee."""

    source: str
    fingerprint: str
    employee_id: str | None
    record: dict[str, Any]


class QuarantineStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(
        self, company: str, entries: Sequence[QuarantineEntry], run_id: str, now: datetime
    ) -> int:
        """Record refused rows not already quarantined; returns how many were new."""
        if not entries:
            return 0
        statement = text(
            "SELECT source, fingerprint FROM training_quarantine "
            "WHERE company = :company AND fingerprint IN :fingerprints"
        ).bindparams(bindparam("fingerprints", expanding=True))
        fingerprints = sorted({e.fingerprint for e in entries})
        with self.engine.begin() as conn:
            known = {
                (row.source, row.fingerprint)
                for start in range(0, len(fingerprints), _CHUNK)
                for row in conn.execute(
                    statement,
                    {"company": company, "fingerprints": fingerprints[start : start + _CHUNK]},
                )
            }
            new = {}
            for e in entries:
                if (e.source, e.fingerprint) in known:
                    continue
                new[(e.source, e.fingerprint)] = {
                    "company": company,
                    "source": e.source,
                    "fingerprint": e.fingerprint,
                    "row_ref": e.row_ref,
                    "employee_id": e.employee_id,
                    "reason_codes": json.dumps(e.codes),
                    "reasons": json.dumps(e.reasons),
                    "row_data": json.dumps(e.row_data, sort_keys=True, default=str),
                    "record": json.dumps(e.record, sort_keys=True, default=str),
                    "first_run_id": run_id,
                    "quarantined_at": iso(now),
                }
            if new:
                columns = list(next(iter(new.values())))
                conn.execute(
                    text(
                        f"INSERT INTO training_quarantine ({', '.join(columns)}) "
                        f"VALUES ({', '.join(':' + c for c in columns)})"
                    ),
                    list(new.values()),
                )
        return len(new)

    def waiting_for_employees(self, company: str) -> list[Waiting]:
        """Unresolved entries whose only reason is an employee unknown at the time."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT source, fingerprint, employee_id, record FROM training_quarantine "
                    "WHERE company = :company AND resolved_at IS NULL AND reason_codes = :codes "
                    "ORDER BY source, fingerprint"
                ),
                {"company": company, "codes": json.dumps([UNKNOWN_EMPLOYEE])},
            ).mappings()
            return [
                Waiting(r["source"], r["fingerprint"], r["employee_id"], json.loads(r["record"]))
                for r in rows
            ]

    def resolve(
        self, company: str, keys: Sequence[tuple[str, str]], run_id: str, now: datetime
    ) -> None:
        if not keys:
            return
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE training_quarantine SET resolved_at = :at, resolved_run_id = :run "
                    "WHERE company = :company AND source = :source AND fingerprint = :fp"
                ),
                [
                    {"at": iso(now), "run": run_id, "company": company, "source": s, "fp": f}
                    for s, f in keys
                ],
            )

    def first_quarantined_in(self, company: str, run_id: str) -> list[QuarantinedRow]:
        """The rows this run added to the quarantine (not those it refused again), each with
        where it came from and why, without its values: what an alert may say."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT source, row_ref, reasons FROM training_quarantine "
                    "WHERE company = :company AND first_run_id = :run "
                    "ORDER BY source, row_ref, fingerprint"
                ),
                {"company": company, "run": run_id},
            ).all()
        return [
            QuarantinedRow(
                row.source,
                row.row_ref,
                tuple((str(r["code"]), r.get("field")) for r in json.loads(row.reasons)),
            )
            for row in rows
        ]

    def entries(self, company: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT * FROM training_quarantine WHERE company = :company "
                    "ORDER BY source, row_ref, fingerprint"
                ),
                {"company": company},
            ).mappings()
            return [
                {
                    **dict(r),
                    "reasons": json.loads(r["reasons"]),
                    "reason_codes": json.loads(r["reason_codes"]),
                }
                for r in rows
            ]
