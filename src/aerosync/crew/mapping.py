"""Source rows (CSV lines, REST items, xAPI statements) into the canonical rows of `tables`.

A value that is present but unreadable leaves its canonical field None and is noted in
`Mapped.unreadable` (field -> why): the quality gate refuses such a row, naming the field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aerosync.crew.tables import (
    COMPETENCIES,
    EMPLOYEES,
    GRADINGS,
    QUALIFICATIONS,
    RECORDS,
    SESSION_REPORT,
)
from aerosync.crew.values import (
    Unreadable,
    moment_of,
    read_bool,
    read_date,
    read_float,
    read_int,
    read_time,
    text,
)
from aerosync.crew.xapi import statement_row

# xAPI verbs (the last segment of the verb IRI) that are completions or results.
RESULT_VERBS = frozenset({"completed", "passed", "failed"})
# Verbs that are no result but move an enrolment on: they feed enrolments only.
ENROLMENT_VERBS = frozenset({"registered", "progressed"})


@dataclass
class Mapped:
    source: str
    row_ref: str  # where the row came from: "employees.csv line 7", "statement <id>"
    raw: dict[str, Any]
    record: dict[str, Any]
    unreadable: dict[str, str] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """The row as read, hashed: the same bad row read again is the same quarantine entry."""
        data = json.dumps(self.raw, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(f"{self.source}\n{data}".encode()).hexdigest()[:32]

    @property
    def employee_id(self) -> str | None:
        value = self.record.get("employee_id")
        return None if value is None else str(value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "row_ref": self.row_ref,
            "raw": self.raw,
            "record": self.record,
            "unreadable": self.unreadable,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Mapped:
        return cls(
            data["source"],
            data["row_ref"],
            dict(data["raw"]),
            dict(data["record"]),
            dict(data["unreadable"]),
        )


class _Reader:
    """Reads fields of one raw row, collecting what cannot be read."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.unreadable: dict[str, str] = {}

    def get(self, name: str, read: Callable[[Any], Any] = text, column: str | None = None) -> Any:
        try:
            return read(self.raw.get(column or name))
        except Unreadable as exc:
            self.unreadable[name] = str(exc)
            return None


def map_employee(raw: Mapping[str, Any], row_ref: str) -> Mapped:
    r = _Reader(raw)
    record = {
        "employee_id": r.get("employee_id"),
        "effective_from": r.get("effective_from", read_date),
        "name": r.get("name"),
        "role": r.get("role"),
        "base": r.get("base"),
        "employment_status": (r.get("employment_status") or "").lower() or None,
        "hired_on": r.get("hired_on", read_date),
        "left_on": r.get("left_on", read_date),
    }
    return Mapped(EMPLOYEES.source, row_ref, dict(raw), record, r.unreadable)


def expiry(
    course_id: str | None,
    completed_at: str | None,
    success: str | None,
    verb: str | None,
    validity_days: Mapping[str, int],
) -> str | None:
    """A passed or completed course with a validity expires that many days after completion."""
    if course_id is None or completed_at is None or course_id not in validity_days:
        return None
    if verb == "failed" or success == "false":
        return None
    moment = moment_of(completed_at)
    assert moment is not None
    return (moment + timedelta(days=validity_days[course_id])).date().isoformat()


def map_completion_csv(
    raw: Mapping[str, Any], row_ref: str, validity_days: Mapping[str, int]
) -> Mapped:
    """A row of the LMS's CSV export (the columns of `RECORDS`; `expires_at` optional)."""
    r = _Reader(raw)
    record = {
        "record_id": r.get("record_id", column="statement_id") or r.get("record_id"),
        "employee_id": r.get("employee_id"),
        "course_id": r.get("course_id"),
        "module_id": r.get("module_id"),
        "verb": (r.get("verb") or "").lower() or None,
        "success": r.get("success", read_bool),
        "score": r.get("score", read_float),
        "completed_at": r.get("completed_at", read_time),
        "expires_at": r.get("expires_at", read_date),
        "stored_at": r.get("stored_at", read_time),
    }
    _fill_expiry(record, validity_days)
    return Mapped(RECORDS.source, row_ref, dict(raw), record, r.unreadable)


def map_statement(statement: Mapping[str, Any], validity_days: Mapping[str, int]) -> Mapped:
    """An xAPI statement from the LRS, through its flat row form (`xapi.statement_row`)."""
    flat = statement_row(statement)
    mapped = map_completion_csv(flat, f"statement {flat.get('statement_id') or '?'}", validity_days)
    mapped.raw = dict(statement)
    return mapped


def _fill_expiry(record: dict[str, Any], validity_days: Mapping[str, int]) -> None:
    if record["expires_at"] is None:
        record["expires_at"] = expiry(
            record["course_id"],
            record["completed_at"],
            record["success"],
            record["verb"],
            validity_days,
        )


def is_result(mapped: Mapped) -> bool:
    """Statements other than completions and results (launched, attempted...) are not records."""
    verb = mapped.record.get("verb")
    return verb is None or verb in RESULT_VERBS or "verb" in mapped.unreadable


def is_staged_statement(mapped: Mapped) -> bool:
    """What the statements source stages: results (training records, which also end an
    enrolment) and the enrolment verbs (`aerosync.crew.enrolments` reads both)."""
    return is_result(mapped) or mapped.record.get("verb") in ENROLMENT_VERBS


def map_qualification(raw: Mapping[str, Any], row_ref: str) -> Mapped:
    r = _Reader(raw)
    record = {
        "employee_id": r.get("employee_id"),
        "qualification": r.get("qualification"),
        "issued_on": r.get("issued_on", read_date),
        "expires_on": r.get("expires_on", read_date),
    }
    return Mapped(QUALIFICATIONS.source, row_ref, dict(raw), record, r.unreadable)


def map_grading(raw: Mapping[str, Any], row_ref: str) -> Mapped:
    r = _Reader(raw)
    record: dict[str, Any] = {
        "session_id": r.get("session_id"),
        "employee_id": r.get("employee_id", column="pilot_id") or r.get("employee_id"),
        "session_date": r.get("session_date", read_date),
        "instructor_id": r.get("instructor_id"),
    }
    for competency in COMPETENCIES:
        record[competency] = (
            r.get(competency, read_int, column=competency.upper())
            if competency.upper() in raw
            else r.get(competency, read_int)
        )
    for column in SESSION_REPORT:  # optional: an EBT system that sends none leaves them NULL
        record[column] = r.get(column)
    for column in ("type_code", "duty_position", "result"):
        record[column] = record[column].upper() if record[column] else None
    return Mapped(GRADINGS.source, row_ref, dict(raw), record, r.unreadable)
