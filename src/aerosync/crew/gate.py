"""The quality gate of the training sync: Great Expectations over each source's check columns;
rows failing a blocking expectation are quarantined with every reason, the others load.

GX decides which expectations failed and how severe that is (GX's `severity` of the suites in
`expectations/`: `critical` refuses the row, `warning` is counted and reported, `info` is only in
the validation results); the failing rows are then read off the same boolean columns in full
(GX's own list of failing rows is capped), and both counts must agree. A batch is read in
parts, so a source file of any size is checked in bounded memory (`run_gate_on_parts`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aerosync.config.suite_files import severity_of
from aerosync.crew.batch_survey import BatchSurvey
from aerosync.crew.checks import SUITES, check_row
from aerosync.crew.lms_checks import LmsReferences
from aerosync.crew.mapping import Mapped
from aerosync.crew.quarantine import QuarantineEntry
from aerosync.crew.tables import SOURCE_ORDER
from aerosync.models import Severity
from aerosync.quality.suites import ValidationReport, load_suite_definition, validate_frames


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
            severity_of(e),
            str((e.get("meta") or {}).get("description") or e["type"]),
        )
        for e in definition["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set"
    ]


class GateSink(Protocol):
    """Where the streaming gate hands its results, a part at a time."""

    def good(self, source: str, rows: list[Mapped]) -> None: ...

    def refused(self, entries: list[QuarantineEntry]) -> None: ...

    def warning(self, warning: dict[str, Any]) -> None: ...


@dataclass
class GateTally:
    """What the streaming gate counted (the rows went to the sink)."""

    report: ValidationReport = field(default_factory=ValidationReport)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    quarantined: int = 0
    warnings: int = 0


# A source's batch: a callable that reads its parts (lists of rows) again each time it is called.
Parts = Callable[[], Iterable[Sequence[Mapped]]]


def run_gate_on_parts(
    batches: Mapping[str, Parts],
    known: set[str],
    window_end: datetime,
    sink: GateSink,
    references: LmsReferences | None = None,
) -> GateTally:
    """The quality gate over batches read part by part, each twice: once to survey it (repeats,
    shared keys; `BatchSurvey`), once to check every row, hand good rows and refused ones to the
    sink part by part and keep each check column as one byte a row. Great Expectations then
    validates the check columns of each whole batch (a million rows are a few MB of booleans)
    and must agree with the rows refused. Memory stays bounded by a part and the survey's digests,
    whatever the size of a batch.

    The HRIS rows that pass make their employees known to the other sources of the same window;
    the catalog's rows that pass, their courses (`references`, `aerosync.crew.lms_checks`).
    """
    import numpy as np
    import pandas as pd

    known_now = set(known)
    references = references or LmsReferences()
    tally = GateTally()
    columns: dict[str, dict[str, bytearray]] = {}
    for source in [s for s in SOURCE_ORDER if s in batches]:
        survey = BatchSurvey(source)
        for part in batches[source]():
            for row in part:
                survey.add(row)
        survey.done()
        expectations = _expectations(source)
        columns[source] = {}
        counts = {"good": 0, "quarantined": 0, "warnings": 0}
        offset = position = 0
        for part in batches[source]():
            good: list[Mapped] = []
            refused: list[QuarantineEntry] = []
            for row in part:
                offset += 1
                if not survey.kept[offset - 1]:
                    continue
                checks = check_row(
                    source,
                    row,
                    known_now,
                    window_end,
                    survey.not_unique(row, position),
                    references,
                ) | survey.batch_checks(row, position)
                position += 1
                for column, value in checks.items():
                    columns[source].setdefault(column, bytearray()).append(value)
                reasons = []
                for column, allowed, severity, description in expectations:
                    if checks[column] in allowed:
                        continue
                    where, detail = survey.details(column, row, position - 1)
                    entry = {"code": column, "field": where, "message": f"{description}: {detail}"}
                    if severity is Severity.BLOCKING:
                        reasons.append(entry)
                    elif severity is Severity.WARNING:
                        counts["warnings"] += 1
                        sink.warning(
                            {
                                "source": source,
                                "row_ref": row.row_ref,
                                "employee_id": row.employee_id,
                                **entry,
                            }
                        )
                if reasons:
                    refused.append(_entry(source, row, reasons))
                else:
                    good.append(row)
                    references.passed(row)
                    if source == "hris" and row.employee_id is not None:
                        known_now.add(row.employee_id)
            counts["good"] += len(good)
            counts["quarantined"] += len(refused)
            sink.good(source, good)
            if refused:
                sink.refused(refused)
        tally.counts[source] = counts
        tally.quarantined += counts["quarantined"]
        tally.warnings += counts["warnings"]
    named = [
        (
            SUITES[source],
            pd.DataFrame({c: np.frombuffer(v, dtype=np.bool_) for c, v in by_column.items()}),
            pd.DataFrame({"row": range(len(next(iter(by_column.values()))))}),
        )
        for source, by_column in columns.items()
        if by_column
    ]
    tally.report = validate_frames(named) if named else ValidationReport()
    outcomes = {(o.suite, o.column): o for o in tally.report.outcomes}
    for source, by_column in columns.items():
        for column, allowed, _, _ in _expectations(source) if by_column else []:
            failing = sum(by_column[column].count(v) for v in (0, 1) if bool(v) not in allowed)
            outcome = outcomes.get((SUITES[source], column))
            if outcome is None or outcome.unexpected_count != failing:
                raise RuntimeError(
                    f"source {source}: Great Expectations and the check column {column} "
                    f"disagree ({outcome.unexpected_count if outcome else 'no result'} "
                    f"against {failing} failing rows)"
                )
    return tally


def _entry(source: str, m: Mapped, reasons: list[dict[str, Any]]) -> QuarantineEntry:
    return QuarantineEntry(
        source=source,
        fingerprint=m.fingerprint,
        row_ref=m.row_ref,
        employee_id=m.employee_id,
        reasons=reasons,
        row_data=m.raw,
        record=m.record,
    )


@dataclass
class _Collect:
    result: GateResult

    def good(self, source: str, rows: list[Mapped]) -> None:
        self.result.good.setdefault(source, []).extend(rows)

    def refused(self, entries: list[QuarantineEntry]) -> None:
        self.result.quarantined.extend(entries)

    def warning(self, warning: dict[str, Any]) -> None:
        self.result.warnings.append(warning)


def _one_part(rows: Sequence[Mapped]) -> Parts:
    return lambda: [rows]


def run_gate(
    batches: Mapping[str, Sequence[Mapped]],
    known: set[str],
    window_end: datetime,
    references: LmsReferences | None = None,
) -> GateResult:
    """`run_gate_on_parts` over batches held in memory (each one part), its results collected."""
    result = GateResult()
    tally = run_gate_on_parts(
        {source: _one_part(rows) for source, rows in batches.items()},
        known,
        window_end,
        _Collect(result),
        references,
    )
    result.report = tally.report
    return result
