"""The training tables of the aerosync database: idempotent upserts by natural key, each real
change written to the audit trail (`aerosync.crew.audit`) with its run, source, old and new
values.

A row is written only when its values differ from what is stored, so loading the same window
again changes nothing and audits nothing. The only derived column, an employee version's
`effective_to`, is recomputed from the whole set of versions (never from load order) and is not
audited: it changes because another version arrived, and that arrival is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, text

from aerosync.crew.audit import audit_row, count_audit, read_audit, write_audit
from aerosync.crew.tables import EMPLOYEES, TableSpec
from aerosync.stores.database import iso

_CHUNK = 500


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
    return bool(a == b)


class TrainingStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- reading ---------------------------------------------------------------------------------

    def rows(
        self, company: str, spec: TableSpec, where: str = "", **params: Any
    ) -> list[dict[str, Any]]:
        """The company's rows of one table in key order (`where`: more conditions, bound)."""
        order = ", ".join(spec.keys)
        query = f"SELECT * FROM {spec.table} WHERE company = :company {where} ORDER BY {order}"
        with self.engine.connect() as conn:
            result = conn.execute(text(query), {"company": company, **params})
            return [dict(r) for r in result.mappings()]

    def _existing(
        self, company: str, spec: TableSpec, rows: Sequence[dict[str, Any]]
    ) -> dict[tuple[str, ...], dict[str, Any]]:
        first = sorted({str(r[spec.keys[0]]) for r in rows})
        found: dict[tuple[str, ...], dict[str, Any]] = {}
        statement = text(
            f"SELECT * FROM {spec.table} WHERE company = :company AND {spec.keys[0]} IN :firsts"
        ).bindparams(bindparam("firsts", expanding=True))
        with self.engine.connect() as conn:
            for start in range(0, len(first), _CHUNK):
                params = {"company": company, "firsts": first[start : start + _CHUNK]}
                for row in conn.execute(statement, params).mappings():
                    found[spec.key_of(dict(row))] = dict(row)
        return found

    def known_employees(self, company: str) -> set[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT DISTINCT employee_id FROM training_employee_versions "
                    "WHERE company = :company"
                ),
                {"company": company},
            ).all()
        return {row.employee_id for row in rows}

    def employee_history(self, company: str, employee_id: str) -> list[dict[str, Any]]:
        """Every version of an employee's master data, oldest first."""
        return self.rows(
            company, EMPLOYEES, "AND employee_id = :employee_id", employee_id=employee_id
        )

    def employee_as_of(self, company: str, employee_id: str, day: str) -> dict[str, Any] | None:
        """The version in effect on `day` (YYYY-MM-DD), if the employee existed then."""
        for version in self.employee_history(company, employee_id):
            ends = version["effective_to"]
            if version["effective_from"] <= day and (ends is None or day < ends):
                return version
        return None

    def audit(self, company: str, run_id: str | None = None) -> list[dict[str, Any]]:
        return read_audit(self.engine, company, run_id)

    def audit_counts(self, company: str, run_id: str) -> dict[str, int]:
        return count_audit(self.engine, company, run_id)

    # -- writing ---------------------------------------------------------------------------------

    def upsert(
        self,
        company: str,
        spec: TableSpec,
        rows: Sequence[dict[str, Any]],
        run_id: str,
        now: datetime,
        source: str | None = None,
    ) -> UpsertCounts:
        """Insert new keys, update changed ones, leave equal ones alone; audit each change."""
        counts = UpsertCounts()
        if not rows:
            return counts
        source = source or spec.source
        existing = self._existing(company, spec, rows)
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for row in rows:
            key = {k: row[k] for k in spec.keys}
            new = {v: row.get(v) for v in spec.values}
            stored = existing.get(spec.key_of(row))
            meta = {
                "company": company,
                "source": source,
                "last_run_id": run_id,
                "last_changed_at": iso(now),
            }
            if stored is None:
                inserts.append({**key, **new, **meta})
                audits.append(
                    audit_row(company, run_id, source, spec, key, "insert", None, new, now)
                )
                counts.inserted += 1
                existing[spec.key_of(row)] = {**key, **new}
                continue
            old = {v: stored.get(v) for v in spec.values}
            if all(_same(old[v], new[v]) for v in spec.values):
                counts.unchanged += 1
                continue
            updates.append({**key, **new, **meta})
            audits.append(audit_row(company, run_id, source, spec, key, "update", old, new, now))
            counts.updated += 1
        columns = ["company", *spec.columns, "source", "last_run_id", "last_changed_at"]
        assignments = ", ".join(
            f"{c} = :{c}" for c in (*spec.values, "source", "last_run_id", "last_changed_at")
        )
        match = " AND ".join(f"{k} = :{k}" for k in ("company", *spec.keys))
        with self.engine.begin() as conn:
            if inserts:
                conn.execute(
                    text(
                        f"INSERT INTO {spec.table} ({', '.join(columns)}) "
                        f"VALUES ({', '.join(':' + c for c in columns)})"
                    ),
                    inserts,
                )
            if updates:
                conn.execute(text(f"UPDATE {spec.table} SET {assignments} WHERE {match}"), updates)
            write_audit(conn, audits)
        if spec is EMPLOYEES:
            self.derive_effective_to(company, {str(r["employee_id"]) for r in rows})
        return counts

    def derive_effective_to(self, company: str, employee_ids: Iterable[str]) -> None:
        """Each version ends where the employee's next version begins: set from the set of
        versions, so the history is the same whatever order the windows were loaded in."""
        wanted = sorted(set(employee_ids))
        if not wanted:
            return
        statement = text(
            "SELECT employee_id, effective_from, effective_to FROM training_employee_versions "
            "WHERE company = :company AND employee_id IN :ids ORDER BY employee_id, effective_from"
        ).bindparams(bindparam("ids", expanding=True))
        changes = []
        with self.engine.begin() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                versions = conn.execute(statement, {"company": company, "ids": chunk}).all()
                for index, version in enumerate(versions):
                    following = versions[index + 1] if index + 1 < len(versions) else None
                    ends = (
                        following.effective_from
                        if following is not None and following.employee_id == version.employee_id
                        else None
                    )
                    if ends != version.effective_to:
                        changes.append(
                            {
                                "company": company,
                                "employee_id": version.employee_id,
                                "effective_from": version.effective_from,
                                "ends": ends,
                            }
                        )
            if changes:
                conn.execute(
                    text(
                        "UPDATE training_employee_versions SET effective_to = :ends "
                        "WHERE company = :company AND employee_id = :employee_id "
                        "AND effective_from = :effective_from"
                    ),
                    changes,
                )

    def delete_audited(
        self,
        company: str,
        spec: TableSpec,
        rows: Sequence[dict[str, Any]],
        run_id: str,
        now: datetime,
        action: str,
    ) -> int:
        """Delete these stored rows, auditing each with its old values (retention purges)."""
        if not rows:
            return 0
        match = " AND ".join(f"{k} = :{k}" for k in ("company", *spec.keys))
        audits = [
            audit_row(
                company,
                run_id,
                "retention",
                spec,
                {k: r[k] for k in spec.keys},
                action,
                {v: r.get(v) for v in spec.values},
                None,
                now,
            )
            for r in rows
        ]
        with self.engine.begin() as conn:
            conn.execute(
                text(f"DELETE FROM {spec.table} WHERE {match}"),
                [{"company": company, **{k: r[k] for k in spec.keys}} for r in rows],
            )
            write_audit(conn, audits)
        if spec is EMPLOYEES:
            self.derive_effective_to(company, {str(r["employee_id"]) for r in rows})
        return len(rows)
