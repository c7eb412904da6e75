"""Each export checked by its Great Expectations suite (`expectations/regulatory_*.json`) before
anything is written: the export's own columns, so the suite sees exactly what would go out, and
the check columns a rule across columns needs (an UNSAT event's failed tasks, a medical's code).

A critical expectation that fails refuses the export: `ExportRefused` says, for a dispatcher,
which export, which person (by employee id, never a name), which field and why, and which stored
row to correct; values are never quoted, since a value may be personal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aerosync.crew.classification import is_medical
from aerosync.crew.regulatory.files import ExportTable
from aerosync.models import Severity

SUITES = {
    "faa_prd_training_events": "regulatory_prd",
    "easa_training_record": "regulatory_easa",
    "expiring": "regulatory_expiring",
}
# Problems named per refusal; the count is always exact.
NAMED = 20


class ExportRefused(Exception):
    """An export failed its suite: nothing was written."""


@dataclass(frozen=True)
class Problem:
    export: str
    employee_id: str | None
    field: str
    description: str
    source_row: str | None

    def __str__(self) -> str:
        who = f"employee {self.employee_id}, " if self.employee_id else ""
        where = f" ({self.source_row})" if self.source_row else ""
        return f"{self.export}: {who}field {self.field}: {self.description}{where}"


def _check_columns(table: ExportTable) -> dict[str, list[bool]]:
    rows = table.rows
    if table.name == "faa_prd_training_events":
        return {
            "unsat_lists_failed_tasks": [
                r.get("result") != "UNSAT" or bool(r.get("failed_tasks")) for r in rows
            ]
        }
    checks = {"not_medical": [not is_medical(r.get("item")) for r in rows]}
    if table.name == "easa_training_record":
        checks["valid_after_date"] = [
            r.get("valid_until") is None or str(r["valid_until"]) >= str(r["date"]) for r in rows
        ]
    return checks


def problems(tables: Sequence[ExportTable]) -> list[Problem]:
    """What keeps these exports from being written (critical failures of their suites); warnings
    are not problems."""
    import pandas as pd

    from aerosync.quality.suites import validate_frames

    # One frame per suite (every person's EASA record in one): GX names an asset per frame.
    grouped: dict[str, list[ExportTable]] = {}
    for table in tables:
        grouped.setdefault(SUITES[table.name], []).append(table)
    named = []
    for suite, group in grouped.items():
        columns: dict[str, list[object]] = {c: [] for c in group[0].columns}
        ids: dict[str, list[str]] = {"employee_id": [], "source_row": []}
        for table in group:
            for column in table.columns:
                columns[column] += [r.get(column) for r in table.rows]
            for check, passed in _check_columns(table).items():
                columns.setdefault(check, []).extend(passed)
            for key, values in ids.items():
                values += [str(r.get(key) or "") for r in table.rows]
        named.append((suite, pd.DataFrame(columns, dtype=object), pd.DataFrame(ids)))
    found: list[Problem] = []
    by_suite = {suite: name for name, suite in SUITES.items()}
    for outcome in validate_frames(named).outcomes:
        if outcome.success or outcome.severity is not Severity.BLOCKING:
            continue
        export = by_suite[outcome.suite]
        field = outcome.activity_field or outcome.column or "columns"
        if not outcome.failing:
            found.append(Problem(export, None, field, outcome.description, None))
        for row in outcome.failing:
            employee = row.get("employee_id") or None
            found.append(
                Problem(export, employee, field, outcome.description, row.get("source_row"))
            )
    return found


def refuse_unless_clean(company: str, tables: Sequence[ExportTable]) -> None:
    """Raise `ExportRefused` when any export fails its suite."""
    found = problems(tables)
    if not found:
        return
    shown = "; ".join(str(p) for p in found[:NAMED])
    more = f"; and {len(found) - NAMED} more" if len(found) > NAMED else ""
    raise ExportRefused(
        f"company {company}: the regulatory exports were not written, {len(found)} problem(s) "
        f"to correct in the source systems: {shown}{more}"
    )
