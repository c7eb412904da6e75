"""The column lineage the crew sync's lineage events carry (`crew.field_lineage`) is held to the
mappings that really read the rows (`crew.mapping`, `catalog`, `enrolments`): each source field
is changed alone, and the columns it moves are the columns it feeds. A mapping that starts
reading a new field, or a field renamed in one place only, fails here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from aerosync.crew.catalog import map_course
from aerosync.crew.enrolments import map_enrolment
from aerosync.crew.field_lineage import FLAT_FIELDS, source_fields
from aerosync.crew.mapping import (
    Mapped,
    map_completion_csv,
    map_employee,
    map_grading,
    map_qualification,
)
from aerosync.crew.tables import COMPETENCIES

pytestmark = pytest.mark.unit

# Each source's row twice, every field different between the two, both readable.
_COMPETENCY_GRADES = {c.upper(): ("3", "4") for c in COMPETENCIES}
ROWS: dict[str, tuple[Callable[[Mapping[str, Any]], Mapped], dict[str, tuple[str, str]]]] = {
    "hris": (
        lambda raw: map_employee(raw, "line 2"),
        {
            "employee_id": ("E001", "E002"),
            "effective_from": ("2026-01-01", "2026-02-01"),
            "name": ("Anna Berger", "Ben Carter"),
            "role": ("PIC", "SIC"),
            "base": ("LOWW", "LSGG"),
            "employment_status": ("active", "left"),
            "hired_on": ("2020-01-01", "2021-01-01"),
            "left_on": ("2027-01-01", "2028-01-01"),
        },
    ),
    "statements": (
        lambda raw: map_completion_csv(raw, "line 2", {}),
        {
            "statement_id": ("S1", "S2"),
            "employee_id": ("E001", "E002"),
            "course_id": ("CRM", "SEP"),
            "module_id": ("M1", "M2"),
            "verb": ("completed", "passed"),
            "success": ("true", "false"),
            "score": ("0.9", "0.8"),
            "completed_at": ("2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"),
            "expires_at": ("2027-01-01", "2027-02-01"),
            "stored_at": ("2026-01-01T11:00:00Z", "2026-01-02T11:00:00Z"),
        },
    ),
    "qualifications": (
        lambda raw: map_qualification(raw, "line 2"),
        {
            "employee_id": ("E001", "E002"),
            "qualification": ("LINE_CHECK", "TYPE_RATING:CL60"),
            "issued_on": ("2026-01-01", "2026-02-01"),
            "expires_on": ("2027-01-01", "2027-02-01"),
        },
    ),
    "ebt_gradings": (
        lambda raw: map_grading(raw, "line 2"),
        {
            "session_id": ("EBT-1", "EBT-2"),
            "pilot_id": ("E001", "E002"),
            "session_date": ("2026-01-01", "2026-02-01"),
            "instructor_id": ("I1", "I2"),
            **_COMPETENCY_GRADES,
            "type_code": ("CL60", "GL7T"),
            "duty_position": ("PIC", "SIC"),
            "event_category": ("recurrent", "upgrade"),
            "result": ("SAT", "UNSAT"),
            "failed_tasks": ("", "steep turns"),
            "check_comments": ("fine", "again"),
        },
    ),
    "courses": (
        lambda raw: map_course(raw, "line 2"),
        {
            "course_id": ("CRM", "SEP"),
            "title": ("CRM recurrent", "Safety equipment"),
            "category": ("recurrent", "initial"),
            "validity_days": ("365", "730"),
            "ebt_module": ("true", "false"),
            "active": ("true", "false"),
        },
    ),
    "enrolments": (
        lambda raw: map_enrolment(raw, "line 2"),
        {
            "enrolment_id": ("N1", "N2"),
            "employee_id": ("E001", "E002"),
            "course_id": ("CRM", "SEP"),
            "status": ("enrolled", "in_progress"),
            "progress": ("0.1", "0.5"),
            "registered_at": ("2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"),
            "updated_at": ("2026-01-03T10:00:00Z", "2026-01-04T10:00:00Z"),
            "completed_at": ("2026-01-05T10:00:00Z", "2026-01-06T10:00:00Z"),
        },
    ),
}
# Given by a field when the row has it, computed when not (from the catalog, or from the
# employee and course): no single field is behind them, so lineage names none.
GIVEN_OR_COMPUTED = {"statements": {"expires_at"}, "enrolments": {"enrolment_id"}}


def fed_columns(source: str) -> dict[str, str]:
    """{column: the one field whose change alone moves it} of the source's mapping."""
    mapping, fields = ROWS[source]
    base = {field: first for field, (first, _) in fields.items()}
    before = mapping(base)
    assert not before.unreadable, before.unreadable
    movers: dict[str, list[str]] = {}
    for field, (_, second) in fields.items():
        after = mapping({**base, field: second})
        assert not after.unreadable, (field, after.unreadable)
        for column, value in after.record.items():
            if value != before.record[column]:
                movers.setdefault(column, []).append(field)
    return {
        column: found[0]
        for column, found in movers.items()
        if len(found) == 1 and column not in GIVEN_OR_COMPUTED.get(source, set())
    }


@pytest.mark.parametrize("source", sorted(ROWS))
def test_each_claimed_column_is_fed_by_its_field_and_none_is_missing(source: str) -> None:
    assert source_fields(source, "csv") == fed_columns(source)


def test_every_flat_source_is_held_to_its_mapping() -> None:
    assert set(FLAT_FIELDS) == set(ROWS)
    assert source_fields("statements", "lrs") == {}  # flattened first: no field per column
