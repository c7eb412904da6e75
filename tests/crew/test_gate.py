"""The training quality gate through real Great Expectations: each refused row names its reason
and field; good rows pass; warnings do not refuse."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aerosync.crew.checks import deduplicate
from aerosync.crew.gate import run_gate
from aerosync.crew.mapping import map_completion_csv, map_employee, map_grading
from aerosync.crew.xapi import course_and_module, statement_row

pytestmark = pytest.mark.unit
END = datetime(2026, 3, 2, 3, tzinfo=UTC)
GRADES = {c: "3" for c in ("APK", "COM", "FPA", "FPM", "LTW", "PSD", "SAW", "WLM", "KNO")}


def statement(sid: str, **kw: Any) -> dict[str, Any]:
    row = {
        "statement_id": sid,
        "employee_id": "E1",
        "course_id": "CRM",
        "verb": "passed",
        "success": "true",
        "score": "0.9",
        "completed_at": "2026-03-01T09:00:00Z",
        "stored_at": "2026-03-01T10:00:00Z",
    }
    return {**row, **kw}


def codes(result: Any, source: str) -> dict[str, list[str]]:
    return {q.row_ref: q.codes for q in result.quarantined if q.source == source}


def test_each_broken_statement_is_refused_for_its_reason() -> None:
    rows = [
        map_completion_csv(statement("s1"), "f line 2", {"CRM": 365}),
        map_completion_csv(statement("s2", employee_id="E404"), "f line 3", {}),
        map_completion_csv(statement("s3", completed_at="2026-03-09T09:00:00Z"), "f line 4", {}),
        map_completion_csv(
            statement("s4", expires_at="2026-01-01", completed_at="2026-03-01T08:00:00Z"),
            "f line 5",
            {},
        ),
        map_completion_csv(statement("s5", score="1.7", verb="completed"), "f line 6", {}),
        map_completion_csv(statement("s6", completed_at="yesterday"), "f line 7", {}),
        # the same result as s1 under another id: a duplicate statement
        map_completion_csv(statement("s7"), "f line 8", {"CRM": 365}),
        # one id, two contents: both refused
        map_completion_csv(statement("s8", course_id="DG"), "f line 9", {}),
        map_completion_csv(statement("s8", course_id="LPC"), "f line 10", {}),
    ]
    result = run_gate({"statements": rows}, {"E1"}, END)
    assert codes(result, "statements") == {
        "f line 3": ["employee_known"],
        "f line 4": ["not_in_future"],
        "f line 5": ["expiry_after_completion"],
        "f line 6": ["score_in_range"],
        "f line 7": ["fields_readable"],
        "f line 8": ["key_unique"],
        "f line 9": ["key_unique"],
        "f line 10": ["key_unique"],
    }
    (good,) = result.good["statements"]
    assert good.record["record_id"] == "s1" and good.record["expires_at"] == "2027-03-01"
    unreadable = next(q for q in result.quarantined if q.row_ref == "f line 7")
    assert unreadable.reasons[0]["field"] == "completed_at"
    assert "'yesterday' is not an ISO 8601 time" in unreadable.reasons[0]["message"]


def test_grades_out_of_range_and_unknown_pilots_are_refused_warnings_are_not() -> None:
    rows = [
        map_grading(
            {"session_id": "S1", "pilot_id": "E1", "session_date": "2026-03-01", **GRADES},
            "g line 2",
        ),
        map_grading(
            {
                "session_id": "S1",
                "pilot_id": "E2",
                "session_date": "2026-03-01",
                **GRADES,
                "APK": "0",
                "KNO": "6",
            },
            "g line 3",
        ),
        map_grading(
            {
                "session_id": "S2",
                "pilot_id": "E1",
                "session_date": "2026-03-01",
                **GRADES,
                "WLM": "",
            },
            "g line 4",
        ),
    ]
    hris = [
        map_employee(
            {
                "employee_id": "E2",
                "name": "B",
                "employment_status": "active",
                "effective_from": "2026-01-01",
            },
            "h line 2",
        )
    ]
    result = run_gate({"hris": hris, "ebt_gradings": rows}, {"E1"}, END)
    assert codes(result, "ebt_gradings") == {"g line 3": ["grades_in_range"]}
    (bad,) = result.quarantined
    assert "APK=0, KNO=6" in bad.reasons[0]["message"] and bad.employee_id == "E2"
    assert [w["code"] for w in result.warnings if w["source"] == "ebt_gradings"] == ["all_graded"]
    assert [w["code"] for w in result.warnings if w["source"] == "hris"] == ["base_present"]
    assert len(result.good["ebt_gradings"]) == 2


def test_rows_read_twice_count_once() -> None:
    row = map_completion_csv(statement("s1"), "f line 2", {})
    assert len(deduplicate([row, map_completion_csv(statement("s1"), "f line 2", {})])) == 1


def test_xapi_statement_mapping() -> None:
    assert course_and_module("https://lms.example.com/courses/CRM/modules/M2") == ("CRM", "M2")
    assert course_and_module("https://lms.example.com/activities/LPC") == ("LPC", None)
    row = statement_row(
        {
            "id": "x",
            "actor": {"account": {"homePage": "https://h", "name": "E7"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
            "object": {"id": "https://lms/courses/DG"},
            "timestamp": "2026-03-01T09:00:00Z",
            "result": {"success": True, "score": {"raw": 45, "max": 50}},
        }
    )
    assert row["employee_id"] == "E7" and row["verb"] == "passed" and row["score"] == 0.9


def test_the_gate_over_parts_refuses_what_the_whole_batch_check_refuses() -> None:
    """Repeated lines, shared keys and repeated results spread over many parts: the streaming
    gate decides every row as the whole-batch checks (`check_rows` after `deduplicate`) do."""
    import random

    from aerosync.crew.checks import check_rows
    from aerosync.crew.gate import _expectations, run_gate_on_parts
    from aerosync.models import Severity

    rng = random.Random(14)
    rows = []
    for n in range(400):
        sid = f"s{rng.randrange(300)}"  # ids drawn with repeats: shared keys
        row = statement(
            sid,
            employee_id=rng.choice(["E1", "E2", "E404"]),
            course_id=rng.choice(["CRM", "DG"]),
            completed_at=f"2026-03-01T0{rng.randrange(3)}:00:00Z",
            score=rng.choice(["0.9", "0.5", "1.7"]),
        )
        rows.append(map_completion_csv(row, f"f line {n + 2}", {}))
        if rng.random() < 0.1:  # the same line again
            rows.append(map_completion_csv(row, f"f line {n + 2}", {}))
    known = {"E1", "E2"}
    kept = deduplicate(rows)
    blocking = [
        (column, allowed)
        for column, allowed, severity, _ in _expectations("statements")
        if severity is Severity.BLOCKING
    ]
    expected = [
        m.row_ref
        for m, c in zip(kept, check_rows("statements", kept, known, END), strict=True)
        if all(c[column] in allowed for column, allowed in blocking)
    ]

    got: dict[str, list[str]] = {"good": [], "refused": []}
    sink = type(
        "S",
        (),
        {
            "good": lambda self, source, part: got["good"].extend(m.row_ref for m in part),
            "refused": lambda self, entries: got["refused"].extend(e.row_ref for e in entries),
            "warning": lambda self, warning: None,
        },
    )()
    cuts = sorted(rng.sample(range(1, len(rows)), 30))
    parts = [rows[a:b] for a, b in zip([0, *cuts], [*cuts, len(rows)], strict=True)]
    tally = run_gate_on_parts({"statements": lambda: parts}, known, END, sink)
    assert got["good"] == expected and 0 < len(expected) < len(kept)
    assert len(got["good"]) + len(got["refused"]) == len(kept) < len(rows)
    assert tally.counts["statements"]["good"] == len(expected)
