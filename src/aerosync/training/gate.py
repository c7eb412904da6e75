"""The quality gate of the training sync: Great Expectations over each source's check columns;
rows failing a blocking expectation are quarantined with every reason, the others load.

GX decides which expectations failed and how severe that is (`meta.severity` of the suites in
`expectations/`); the failing rows are then read off the same boolean columns in full (GX's own
list of failing rows is capped), and both counts must agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aerosync.models import Severity
from aerosync.quality import ValidationReport, load_suite_definition, validate_frames
from aerosync.training.checks import SUITES, check_rows, details
from aerosync.training.mapping import Mapped
from aerosync.training.quarantine import QuarantineEntry

ORDER = ("hris", "statements", "qualifications", "ebt_gradings")


@dataclass
class GateResult:
    good: dict[str, list[Mapped]] = field(default_factory=dict)
    quarantined: list[QuarantineEntry] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    report: ValidationReport = field(default_factory=ValidationReport)

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for source, rows in self.good.items():
            out[source] = {
                "good": len(rows),
                "quarantined": sum(1 for q in self.quarantined if q.source == source),
                "warnings": sum(1 for w in self.warnings if w["source"] == source),
            }
        return out


def _expectations(source: str) -> list[tuple[str, set[Any], Severity, str]]:
    definition = load_suite_definition(SUITES[source])
    return [
        (
            e["kwargs"]["column"],
            set(e["kwargs"]["value_set"]),
            Severity(e["meta"]["severity"]),
            str(e["meta"].get("description") or e["type"]),
        )
        for e in definition["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set"
    ]


def _passes_blocking(source: str, checks: dict[str, bool]) -> bool:
    return all(
        checks[column] in allowed
        for column, allowed, severity, _ in _expectations(source)
        if severity is Severity.BLOCKING
    )


def run_gate(
    batches: Mapping[str, Sequence[Mapped]], known: set[str], window_end: datetime
) -> GateResult:
    """Check every source's rows; the HRIS rows that pass make their employees known to the
    other sources of the same window."""
    import pandas as pd

    known_now = set(known)
    checks: dict[str, list[dict[str, bool]]] = {}
    for source in [s for s in ORDER if s in batches]:
        rows = batches[source]
        checks[source] = check_rows(source, rows, known_now, window_end)
        if source == "hris":
            known_now |= {
                str(m.employee_id)
                for m, c in zip(rows, checks[source], strict=True)
                if m.employee_id is not None and _passes_blocking("hris", c)
            }
    named = [
        (SUITES[s], pd.DataFrame(checks[s]), pd.DataFrame({"row": range(len(checks[s]))}))
        for s in checks
        if checks[s]
    ]
    result = GateResult(report=validate_frames(named) if named else ValidationReport())
    outcomes = {(o.suite, o.column): o for o in result.report.outcomes}
    for source, rows in ((s, batches[s]) for s in checks):
        reasons: list[list[dict[str, Any]]] = [[] for _ in rows]
        for column, allowed, severity, description in _expectations(source):
            failing = [i for i, c in enumerate(checks[source]) if c[column] not in allowed]
            outcome = outcomes.get((SUITES[source], column))
            if rows and (outcome is None or outcome.unexpected_count != len(failing)):
                raise RuntimeError(
                    f"source {source}: Great Expectations and the check column {column} "
                    f"disagree ({outcome.unexpected_count if outcome else 'no result'} "
                    f"against {len(failing)} failing rows)"
                )
            for i in failing:
                where, detail = details(column, rows[i])
                entry = {"code": column, "field": where, "message": f"{description}: {detail}"}
                if severity is Severity.BLOCKING:
                    reasons[i].append(entry)
                else:
                    result.warnings.append(
                        {
                            "source": source,
                            "row_ref": rows[i].row_ref,
                            "employee_id": rows[i].employee_id,
                            **entry,
                        }
                    )
        result.good[source] = [m for m, r in zip(rows, reasons, strict=True) if not r]
        result.quarantined.extend(
            QuarantineEntry(
                source=source,
                fingerprint=m.fingerprint,
                row_ref=m.row_ref,
                employee_id=m.employee_id,
                reasons=r,
                row_data=m.raw,
                record=m.record,
            )
            for m, r in zip(rows, reasons, strict=True)
            if r
        )
    return result
