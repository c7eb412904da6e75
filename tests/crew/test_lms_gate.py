"""The quality gate over the LMS's catalog and enrolments through real Great Expectations: each
rule refuses its row naming the field; a completion of a course the catalog lacks is a warning."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aerosync.crew.catalog import map_course
from aerosync.crew.enrolments import map_enrolment
from aerosync.crew.gate import run_gate
from aerosync.crew.lms_checks import LmsReferences
from aerosync.crew.mapping import map_completion_csv

pytestmark = pytest.mark.unit
END = datetime(2026, 3, 2, 3, tzinfo=UTC)


def course(line: int, **kw: Any) -> Any:
    row = {"course_id": "CRM", "title": "Crew resource management", "validity_days": "365",
           "ebt_module": "false", "active": "true"}  # fmt: skip
    return map_course({**row, **kw}, f"catalog.csv line {line}")


def enrolment(line: int, **kw: Any) -> Any:
    row = {
        "enrolment_id": f"EN{line}",
        "employee_id": "E1",
        "course_id": "CRM",
        "status": "in_progress",
        "progress": "0.5",
        "registered_at": "2026-02-01T08:00:00Z",
        "updated_at": "2026-03-01T08:00:00Z",
    }
    return map_enrolment({**row, **kw}, f"enrolments.csv line {line}")


def refused(result: Any, source: str) -> dict[str, list[tuple[str, str | None]]]:
    return {
        q.row_ref: sorted((r["code"], r["field"]) for r in q.reasons)
        for q in result.quarantined
        if q.source == source
    }


def test_each_broken_course_is_refused_for_its_reason() -> None:
    rows = [
        course(2),
        course(3, course_id=""),
        course(4, course_id="DG", validity_days="-30"),
        course(5, course_id="SEP", title="Safety"),
        course(6, course_id="SEP", title="Safety and emergency procedures"),
        course(7, course_id="EBT", ebt_module="maybe"),
        course(8, course_id="LPC", validity_days="1.5"),
        course(9, course_id="OPC", title=""),  # a warning only
        course(2),  # the same row twice (a file copied): counted once
    ]
    result = run_gate({"courses": rows}, set(), END)
    assert refused(result, "courses") == {
        "catalog.csv line 3": [("course_id_present", "course_id")],
        "catalog.csv line 4": [("validity_not_negative", "validity_days")],
        "catalog.csv line 5": [("key_unique", None)],
        "catalog.csv line 6": [("key_unique", None)],
        "catalog.csv line 7": [("fields_readable", "ebt_module")],
        "catalog.csv line 8": [("fields_readable", "validity_days")],
    }
    assert [m.record["course_id"] for m in result.good["courses"]] == ["CRM", "OPC"]
    assert [(w["row_ref"], w["code"]) for w in result.warnings] == [
        ("catalog.csv line 9", "title_present")
    ]
    negative = next(q for q in result.quarantined if q.row_ref == "catalog.csv line 4")
    assert "course 'DG': -30 is negative" in negative.reasons[0]["message"]
    duplicate = next(q for q in result.quarantined if q.row_ref == "catalog.csv line 5")
    assert "course_id=SEP" in duplicate.reasons[0]["message"]
    good = result.good["courses"][0].record
    assert (good["validity_days"], good["ebt_module"], good["active"]) == (365, 0, 1)


def test_each_broken_enrolment_is_refused_for_its_reason() -> None:
    rows = [
        enrolment(2),
        enrolment(3, employee_id="E999"),
        enrolment(4, progress="1.5"),
        enrolment(5, status="dropped"),
        enrolment(6, status="passed", completed_at="2026-01-15T08:00:00Z"),
        enrolment(7, status="passed"),  # ended, but when?
        enrolment(8, updated_at="2026-03-01 08:00"),  # no UTC offset
        enrolment(9, updated_at="2026-03-05T08:00:00Z"),
        enrolment(10, course_id="", enrolment_id=""),
        enrolment(11, enrolment_id="EN2", employee_id="E2"),  # EN2 is E1's
        enrolment(12, status="completed", completed_at="2026-03-01T08:00:00Z", progress="1"),
    ]
    result = run_gate({"enrolments": rows}, {"E1", "E2"}, END)
    assert refused(result, "enrolments") == {
        "enrolments.csv line 3": [("employee_known", "employee_id")],
        "enrolments.csv line 4": [("progress_in_range", "progress")],
        "enrolments.csv line 5": [("enrolment_status_known", "status")],
        "enrolments.csv line 6": [("completed_after_registered", "completed_at")],
        "enrolments.csv line 7": [("completion_matches_status", "completed_at")],
        "enrolments.csv line 8": [("fields_readable", "updated_at")],
        "enrolments.csv line 9": [("updated_not_in_future", "updated_at")],
        "enrolments.csv line 10": [("course_present", "course")],
        "enrolments.csv line 11": [("enrolment_owner_consistent", "employee_id")],
    }
    assert [m.row_ref for m in result.good["enrolments"]] == [
        "enrolments.csv line 2",
        "enrolments.csv line 12",
    ]
    unknown = next(q for q in result.quarantined if q.row_ref == "enrolments.csv line 3")
    assert unknown.employee_id == "E999" and "E999" in unknown.describe("acme")
    assert "company acme" in unknown.describe("acme")
    status = next(q for q in result.quarantined if q.row_ref == "enrolments.csv line 5")
    assert "'dropped' is not one of completed, failed, in_progress" in status.reasons[0]["message"]


def test_a_course_the_catalog_lacks_is_a_warning_only_when_there_is_a_catalog() -> None:
    def completion(sid: str, course_id: str) -> Any:
        row = {"statement_id": sid, "employee_id": "E1", "course_id": course_id,
               "verb": "passed", "completed_at": "2026-03-01T09:00:00Z",
               "stored_at": "2026-03-01T10:00:00Z"}  # fmt: skip
        return map_completion_csv(row, f"completions.csv line {sid}", {})

    batches = {
        "courses": [course(2), course(3, course_id="EBT", ebt_module="true")],
        "statements": [completion("2", "CRM"), completion("3", "EBT"), completion("4", "XYZ")],
    }
    with_catalog = run_gate(batches, {"E1"}, END, LmsReferences(courses={"SEP"}))
    assert not with_catalog.quarantined and len(with_catalog.good["statements"]) == 3
    assert [(w["row_ref"], w["code"], w["field"]) for w in with_catalog.warnings] == [
        ("completions.csv line 4", "course_in_catalog", "course_id")
    ]
    assert "'XYZ' is not in the LMS's course catalog" in with_catalog.warnings[0]["message"]
    # Without a catalog source (references.courses None), nobody is warned about.
    without = run_gate({"statements": batches["statements"]}, {"E1"}, END)
    assert not without.warnings and not without.quarantined
