"""The check columns Great Expectations reads, one frame per source and one row per source row.

Checks that need reference data (known employees) or compare rows (duplicates) are computed here
in pandas-free Python as booleans; the suites in `expectations/training_*.json` say which values
pass and how severe a failure is. `details` words a failure for one row, naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from aerosync.crew.leg_crew_checks import DETAILS as LEG_CREW_DETAILS
from aerosync.crew.leg_crew_checks import PilotsFlying, leg_crew_checks
from aerosync.crew.lms_checks import DETAILS as LMS_DETAILS
from aerosync.crew.lms_checks import LMS_SOURCES, LmsReferences, lms_row_checks
from aerosync.crew.mapping import Mapped
from aerosync.crew.roster_checks import RosterBatch
from aerosync.crew.tables import COMPETENCIES
from aerosync.crew.values import moment_of

SUITES = {
    "hris": "training_employees",
    "statements": "training_statements",
    "qualifications": "training_qualifications",
    "ebt_gradings": "training_ebt_gradings",
    "roster": "training_roster",
    "flights": "training_flights",
    "courses": "training_courses",
    "enrolments": "training_enrolments",
}
EMPLOYMENT_STATUSES = frozenset({"active", "leave", "inactive", "terminated"})
KEYS = {
    "hris": ("employee_id", "effective_from"),
    "statements": ("record_id",),
    "qualifications": ("employee_id", "qualification", "issued_on"),
    "ebt_gradings": ("session_id", "employee_id"),
    "roster": ("starts_at", "employee_id"),
    "flights": ("leg_id", "employee_id"),
    "courses": ("course_id",),
    # An enrolment's observations share its id: its suite checks their owner, not this key.
    "enrolments": ("enrolment_id",),
}
SAME_RESULT = ("employee_id", "course_id", "module_id", "verb", "completed_at")


class BatchChecks(Protocol):
    """A source's check columns that compare each row with the rest of its batch, in the
    source's own module: every kept row is `add`ed in the survey's pass (by its position among
    the kept rows), then `checks` and `detail` answer for one row in the check pass."""

    def add(self, row: Mapped, position: int) -> None: ...

    def checks(self, row: Mapped, position: int) -> dict[str, bool]: ...

    def detail(self, column: str, row: Mapped, position: int) -> tuple[str | None, str] | None: ...


BATCH_CHECKS: dict[str, Callable[[], BatchChecks]] = {
    "roster": RosterBatch,
    "flights": PilotsFlying,
}


def _content(m: Mapped) -> str:
    return json.dumps(m.record, sort_keys=True, default=str)


def deduplicate(rows: Sequence[Mapped]) -> list[Mapped]:
    """Rows read twice with the same content (an LRS page repeated, a file copied) count once."""
    seen: set[str] = set()
    kept = []
    for row in rows:
        content = _content(row) + json.dumps(row.unreadable, sort_keys=True)
        if content not in seen:
            seen.add(content)
            kept.append(row)
    return kept


def _conflicting(rows: Sequence[Mapped], key: tuple[str, ...]) -> set[int]:
    """Positions of rows sharing a key with another row of different content: which of them is
    right cannot be told, so all are refused."""
    by_key: dict[tuple[Any, ...], list[int]] = {}
    for index, row in enumerate(rows):
        values = tuple(row.record.get(k) for k in key)
        if None not in values:
            by_key.setdefault(values, []).append(index)
    return {i for group in by_key.values() if len(group) > 1 for i in group}


def _repeated_results(rows: Sequence[Mapped]) -> set[int]:
    """The same result (employee, course, module, verb, time) under several statement ids: the
    lowest id is the record, the others are duplicates."""
    groups: dict[tuple[Any, ...], list[tuple[str, int]]] = {}
    for index, row in enumerate(rows):
        values = tuple(row.record.get(k) for k in SAME_RESULT)
        if values[0] is not None and values[4] is not None:
            groups.setdefault(values, []).append((str(row.record.get("record_id")), index))
    return {i for group in groups.values() for _, i in sorted(group)[1:]}


def _before(later: str | None, earlier: str | None) -> bool:
    """True when both dates are there and `later` is before `earlier` (dates or times)."""
    if later is None or earlier is None:
        return False
    return later[:10] < earlier[:10]


def _future(value: str | None, window_end: datetime) -> bool:
    moment = moment_of(value)
    return moment is not None and moment > window_end


def check_rows(
    source: str,
    rows: Sequence[Mapped],
    known: set[str],
    window_end: datetime,
    references: LmsReferences | None = None,
) -> list[dict[str, bool]]:
    """One dict of check columns per row, in the order given."""
    conflicts = _conflicting(rows, KEYS[source])
    repeated = _repeated_results(rows) if source == "statements" else set()
    batch = BATCH_CHECKS[source]() if source in BATCH_CHECKS else None
    if batch is not None:
        for index, m in enumerate(rows):
            batch.add(m, index)
    return [
        check_row(source, m, known, window_end, index in conflicts or index in repeated, references)
        | (batch.checks(m, index) if batch else {})
        for index, m in enumerate(rows)
    ]


def check_row(
    source: str,
    m: Mapped,
    known: set[str],
    window_end: datetime,
    not_unique: bool,
    references: LmsReferences | None = None,
) -> dict[str, bool]:
    """The check columns of one row; `not_unique`: another row of the batch has its key (or,
    for a statement, is the same result under a lower id); `references`: the LMS's catalog and
    enrolments (`aerosync.crew.lms_checks`; none: no catalog)."""
    references = references or LmsReferences()
    if source in LMS_SOURCES:
        return lms_row_checks(source, m, known, window_end, not_unique, references)
    r = m.record
    checks = {"fields_readable": not m.unreadable}
    if source == "hris":
        checks |= {
            "employee_id_present": r["employee_id"] is not None,
            "effective_from_present": r["effective_from"] is not None
            or "effective_from" in m.unreadable,
            "name_present": r["name"] is not None,
            "status_known": r["employment_status"] in EMPLOYMENT_STATUSES,
            "left_after_hired": not _before(r["left_on"], r["hired_on"]),
            "key_unique": not not_unique,
            "base_present": r["base"] is not None,
        }
    else:
        checks["employee_known"] = r["employee_id"] in known
        checks["key_unique"] = not not_unique
    if source == "statements":
        checks |= {
            "record_id_present": r["record_id"] is not None,
            "course_present": r["course_id"] is not None,
            "completed_at_present": r["completed_at"] is not None or "completed_at" in m.unreadable,
            "stored_at_present": r["stored_at"] is not None or "stored_at" in m.unreadable,
            "not_in_future": not _future(r["completed_at"], window_end),
            "expiry_after_completion": not _before(r["expires_at"], r["completed_at"]),
            "score_in_range": r["score"] is None or -1 <= r["score"] <= 1,
            "course_in_catalog": references.knows_course(r["course_id"]),
        }
    elif source == "qualifications":
        checks |= {
            "qualification_present": r["qualification"] is not None,
            "issued_on_present": r["issued_on"] is not None or "issued_on" in m.unreadable,
            "not_in_future": not _future(r["issued_on"], window_end),
            "expiry_after_issue": not _before(r["expires_on"], r["issued_on"]),
            "expiry_present": r["expires_on"] is not None,
        }
    elif source == "ebt_gradings":
        grades = [r[c] for c in COMPETENCIES]
        checks |= {
            "session_present": r["session_id"] is not None,
            "session_date_present": r["session_date"] is not None or "session_date" in m.unreadable,
            "not_in_future": not _future(r["session_date"], window_end),
            "grades_in_range": all(g is None or 1 <= g <= 5 for g in grades),
            "has_a_grade": any(g is not None for g in grades) or bool(m.unreadable),
            "all_graded": all(g is not None for g in grades),
        }
    elif source == "flights":
        checks |= leg_crew_checks(m)
    return checks


def _grades_out_of_range(r: dict[str, Any]) -> str:
    bad = [f"{c.upper()}={r[c]}" for c in COMPETENCIES if r[c] is not None and not 1 <= r[c] <= 5]
    return ", ".join(bad) + " (grades are 1 to 5)"


_DETAILS: dict[str, Callable[[Mapped], tuple[str | None, str]]] = {
    "fields_readable": lambda m: (
        ", ".join(sorted(m.unreadable)),
        "; ".join(f"{k} {v}" for k, v in sorted(m.unreadable.items())),
    ),
    "employee_known": lambda m: ("employee_id", f"employee {m.employee_id!r} is not in the HRIS"),
    "key_unique": lambda m: (
        None,
        "another row has the same key ("
        + ", ".join(f"{k}={m.record.get(k)}" for k in KEYS[m.source])
        + ") or the same result",
    ),
    "not_in_future": lambda m: (
        next(k for k in ("completed_at", "issued_on", "session_date") if k in m.record),
        "after the end of the window it was delivered in",
    ),
    "expiry_after_completion": lambda m: (
        "expires_at",
        f"{m.record['expires_at']} is before completion {m.record['completed_at']}",
    ),
    "expiry_after_issue": lambda m: (
        "expires_on",
        f"{m.record['expires_on']} is before issue {m.record['issued_on']}",
    ),
    "grades_in_range": lambda m: ("grades", _grades_out_of_range(m.record)),
    "score_in_range": lambda m: ("score", f"{m.record['score']} is outside -1..1 (scaled)"),
    "status_known": lambda m: (
        "employment_status",
        f"{m.record['employment_status']!r} is not one of {', '.join(sorted(EMPLOYMENT_STATUSES))}",
    ),
    "left_after_hired": lambda m: (
        "left_on",
        f"{m.record['left_on']} is before hired_on {m.record['hired_on']}",
    ),
    **LEG_CREW_DETAILS,
}


def details(column: str, row: Mapped) -> tuple[str | None, str]:
    """(field, detail) for a failed check of one row; a medical's dates are never in it."""
    if column in LMS_DETAILS:
        return LMS_DETAILS[column](row)
    if column in _DETAILS:
        field, detail = _DETAILS[column](row)
        return field, without_medical_dates(row, detail)
    field = column.removesuffix("_present")
    return field, "missing"


def without_medical_dates(row: Mapped, text: str) -> str:
    """`text` with the dates of a medical qualification (personal data) replaced: a reason is
    shown on the Crew sync page, in alerts and in XCom."""
    if row.source != "qualifications":
        return text
    if (
        not str(row.record.get("qualification") or row.raw.get("qualification") or "")
        .upper()
        .startswith("MEDICAL")
    ):
        return text
    for name in ("issued_on", "expires_on"):
        for value in (row.record.get(name), row.raw.get(name)):
            if value not in (None, ""):
                text = text.replace(str(value), "<medical date>")
    return text
