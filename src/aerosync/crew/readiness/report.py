"""Readiness for one company on one day, from the store, and the export made of it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from aerosync.config.readiness import ReadinessExport, ReadinessRules
from aerosync.crew.readiness.days import AsOf
from aerosync.crew.readiness.export import ExportNames, readiness_csv, readiness_json
from aerosync.crew.readiness.history import ExportRow, flag_changes, previous_verdicts
from aerosync.crew.readiness.queries import read_inputs
from aerosync.crew.readiness.states import ReadinessReport
from aerosync.crew.readiness.verdicts import compute_report


def compute_readiness(
    engine: Engine,
    company: str,
    as_of: AsOf,
    rules: ReadinessRules,
    horizon_days: int = 30,
) -> ReadinessReport:
    """Every pilot and type of the company on `as_of.day`, from the store as of `as_of.moment`."""
    inputs = read_inputs(engine, company, as_of, rules)
    return compute_report(company, inputs, rules, as_of, horizon_days)


@dataclass(frozen=True)
class PreparedExport:
    report: ReadinessReport
    rows: list[ExportRow]
    names: ExportNames
    csv_text: str
    json_text: str

    @property
    def changed(self) -> int:
        return sum(1 for row in self.rows if row.changed)

    def summary(self) -> dict[str, int | str]:
        """Counts only (for XCom and the task log): no employee id, no rule detail."""
        pilots = self.report.pilots
        return {
            "as_of": self.report.day.isoformat(),
            "listed": len(pilots),
            "ready": sum(1 for p in pilots if p.ready),
            "not_ready": sum(1 for p in pilots if not p.ready),
            "changed": self.changed,
            "lapsing": len(self.report.lapsing()),
            "no_longer_listed": sum(1 for row in self.rows if not row.listed),
        }


def prepare_export(
    engine: Engine, company: str, as_of: AsOf, export: ReadinessExport
) -> PreparedExport:
    """Readiness on the day, each row flagged against the exports before the day, as files."""
    report = compute_readiness(engine, company, as_of, export.rules, export.horizon_days)
    rows = flag_changes(report, previous_verdicts(engine, company, as_of.day))
    return PreparedExport(
        report,
        rows,
        ExportNames.of(company, as_of.day),
        readiness_csv(report, rows, export.rules),
        readiness_json(report, rows),
    )
