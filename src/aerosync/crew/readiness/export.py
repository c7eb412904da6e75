"""The readiness export as crew management and flight operations read it: a CSV (one row per
pilot and type, each rule's state in columns), a JSON document (every rule with its figures, and
who lapses within the horizon), and the same rows as pages for a REST endpoint.

Page protocol (`POST <endpoint>`, JSON, one page per call, never retried):
`{"company", "as_of", "page", "pages", "rows": [...]}`, rows as in the JSON document's `rows`,
`page` from 1 to `pages`; an export without rows is one page with none. Any 2xx answer accepts a
page. A re-run posts the same pages again (same `as_of`, same content): a receiver keys them by
company, `as_of`, employee and type.

The content depends only on the store and the previous exports, never on when it is written, so a
re-run writes the same files. No names or contact data: employee ids, types, and each rule's
state and lapse date. The `MEDICAL` rule's lapse date is a medical date; it is exported because
dispatchers plan on it, and only to the crew systems this export is configured for (decided and
argued in `aerosync.crew.classification`; `declaration` gives every column's class).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from aerosync.config.readiness import ReadinessRules
from aerosync.crew.classification import (
    FLIGHT_OPERATIONS,
    INTERNAL,
    PERSONAL,
    PUBLIC,
    SENSITIVE,
    ExportDeclaration,
    Level,
    medical_lapse_date,
)
from aerosync.crew.readiness.history import ExportRow, Previous
from aerosync.crew.readiness.states import (
    EBT_MODULE,
    EMPLOYMENT,
    FLIGHT_TIME,
    NIGHT_RECENCY,
    QUALIFICATION,
    RECENCY,
    EbtModuleState,
    FlightTimeState,
    QualificationState,
    ReadinessReport,
    RecencyState,
    RuleState,
)

LEADING = (
    "as_of",
    "employee_id",
    "type_code",
    "role",
    "listed",
    "ready",
    "failing",
    "lapses_on",
    "lapsing",
    "changed",
    "previous_ready",
    "previous_failing",
)
FIGURES = (
    "recency.takeoffs",
    "recency.landings",
    "night_recency.takeoffs",
    "night_recency.landings",
    "flight_time.hours_left_28_days",
    "flight_time.hours_left_calendar_year",
    "flight_time.hours_left_12_months",
    "ebt_module.last_module_on",
)


@dataclass(frozen=True)
class ExportNames:
    csv: str
    json: str

    @classmethod
    def of(cls, company: str, day: date) -> ExportNames:
        stem = f"readiness__{company}__{day:%Y%m%d}"
        return cls(f"{stem}.csv", f"{stem}.json")


def rule_columns(rules: ReadinessRules) -> list[str]:
    """One column group per rule; qualifications by their configured code (every role's)."""
    templates: list[str] = []
    for codes in [rules.default_qualifications, *rules.qualifications.values()]:
        templates += [code for code in codes if code not in templates]
    qualifications = [f"{QUALIFICATION}:{template}" for template in templates]
    return [EMPLOYMENT, *qualifications, EBT_MODULE, RECENCY, NIGHT_RECENCY, FLIGHT_TIME]


def csv_columns(rules: ReadinessRules) -> list[str]:
    groups = [(f"{rule}.holds", f"{rule}.lapses_on") for rule in rule_columns(rules)]
    return [*LEADING, *(column for group in groups for column in group), *FIGURES]


_LEADING_LEVELS = {
    "as_of": INTERNAL,
    "employee_id": INTERNAL,
    "type_code": PUBLIC,
    "role": INTERNAL,
    "listed": INTERNAL,
    "ready": PERSONAL,
    "failing": PERSONAL,
    "lapses_on": SENSITIVE,  # the medical's lapse date when it lapses first
    "lapsing": PERSONAL,
    "changed": INTERNAL,
    "previous_ready": PERSONAL,
    "previous_failing": PERSONAL,
}


def declaration(rules: ReadinessRules) -> ExportDeclaration:
    """The CSV's columns (and the JSON's fields of the same names) with their classes; the
    medical's lapse date is the one sensitive value, sent on purpose
    (`aerosync.crew.classification`)."""
    levels: dict[str, Level] = {}
    for column in csv_columns(rules):
        if column in _LEADING_LEVELS:
            levels[column] = _LEADING_LEVELS[column]
        elif medical_lapse_date(column):
            levels[column] = SENSITIVE
        else:
            levels[column] = PERSONAL
    return ExportDeclaration("readiness", FLIGHT_OPERATIONS, levels)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _column_of(rule: RuleState) -> str:
    if isinstance(rule, QualificationState):
        return f"{QUALIFICATION}:{rule.template}"
    return rule.rule


def _figures(rules: Sequence[RuleState]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for rule in rules:
        if isinstance(rule, RecencyState):
            out[f"{rule.rule}.takeoffs"] = rule.takeoffs
            out[f"{rule.rule}.landings"] = rule.landings
        elif isinstance(rule, FlightTimeState):
            for name, value in rule.details().items():
                if name.startswith("hours_left"):
                    out[f"{rule.rule}.{name}"] = value
        elif isinstance(rule, EbtModuleState):
            out[f"{rule.rule}.last_module_on"] = rule.last_module_on
    return out


def _csv_row(day: date, row: ExportRow) -> dict[str, Any]:
    previous = row.previous
    out: dict[str, Any] = {
        "as_of": day,
        "employee_id": row.employee_id,
        "type_code": row.type_code,
        "listed": row.listed,
        "changed": row.changed,
        "lapsing": row.lapsing,
        "previous_ready": None if previous is None else previous.ready,
        "previous_failing": None if previous is None else ";".join(previous.failing),
    }
    if row.pilot is not None:
        pilot = row.pilot
        out.update(
            role=pilot.role,
            ready=pilot.ready,
            failing=";".join(pilot.failing),
            lapses_on=pilot.lapses_on,
        )
        for rule in pilot.rules:
            out[f"{_column_of(rule)}.holds"] = rule.holds
            out[f"{_column_of(rule)}.lapses_on"] = rule.lapses_on
        out.update(_figures(pilot.rules))
    else:
        out["ready"] = False
    return out


def readiness_csv(report: ReadinessReport, rows: Sequence[ExportRow], rules: ReadinessRules) -> str:
    columns = csv_columns(rules)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        values = _csv_row(report.day, row)
        writer.writerow({column: _text(values.get(column)) for column in columns})
    return buffer.getvalue()


def _previous(previous: Previous | None) -> dict[str, Any] | None:
    if previous is None:
        return None
    return {
        "since": previous.since.isoformat(),
        "ready": previous.ready,
        "failing": list(previous.failing),
    }


def row_document(row: ExportRow) -> dict[str, Any]:
    pilot = row.pilot
    return {
        "employee_id": row.employee_id,
        "type_code": row.type_code,
        "role": None if pilot is None else pilot.role,
        "listed": row.listed,
        "ready": False if pilot is None else pilot.ready,
        "failing": [] if pilot is None else list(pilot.failing),
        "lapses_on": None if pilot is None or pilot.lapses_on is None else str(pilot.lapses_on),
        "lapsing": row.lapsing,
        "changed": row.changed,
        "previous": _previous(row.previous),
        "rules": [] if pilot is None else [rule.to_dict() for rule in pilot.rules],
    }


def _lapsing(report: ReadinessReport) -> list[dict[str, Any]]:
    last = report.day + timedelta(days=report.horizon_days)
    return [
        {
            "employee_id": pilot.employee_id,
            "type_code": pilot.type_code,
            "lapses_on": str(pilot.lapses_on),
            "rules": [
                rule.rule
                for rule in pilot.rules
                if rule.required and rule.lapses_on is not None and rule.lapses_on <= last
            ],
        }
        for pilot in report.lapsing()
    ]


def readiness_json(report: ReadinessReport, rows: Sequence[ExportRow]) -> str:
    listed = [row for row in rows if row.pilot is not None]
    document = {
        "company": report.company,
        "as_of": report.day.isoformat(),
        "horizon_days": report.horizon_days,
        "counts": {
            "listed": len(listed),
            "ready": sum(1 for row in listed if row.pilot is not None and row.pilot.ready),
            "changed": sum(1 for row in rows if row.changed),
            "lapsing": sum(1 for row in rows if row.lapsing),
            "no_longer_listed": len(rows) - len(listed),
        },
        "lapsing": _lapsing(report),
        "rows": [row_document(row) for row in rows],
    }
    return json.dumps(document, indent=1, sort_keys=False) + "\n"


def pages(report: ReadinessReport, rows: Sequence[ExportRow], page_size: int) -> Iterator[str]:
    """The bodies of the POSTs, in order."""
    count = max(1, -(-len(rows) // page_size))
    for index in range(count):
        part = rows[index * page_size : (index + 1) * page_size]
        yield json.dumps(
            {
                "company": report.company,
                "as_of": report.day.isoformat(),
                "page": index + 1,
                "pages": count,
                "rows": [row_document(row) for row in part],
            }
        )
