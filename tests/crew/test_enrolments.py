"""Enrolment observations from xAPI statements and the LMS's export, and their join: the same
enrolment whatever order the observations come in."""

from __future__ import annotations

from functools import reduce
from itertools import permutations
from typing import Any

import pytest

from aerosync.crew.enrolments import (
    enrolment_id_of,
    fold,
    join,
    map_enrolment,
    statement_event,
)
from aerosync.crew.lms_flow import gate_parts, gated_sources
from aerosync.crew.mapping import Mapped, map_completion_csv
from aerosync.crew.sources import map_statements
from aerosync.crew.xapi import statement_row
from tests.crew.lms_support import FIRST, at, statement

pytestmark = pytest.mark.unit
REGISTRATION = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def _event(raw: dict[str, Any]) -> Mapped:
    (mapped,) = map_statements([raw], {})
    event = statement_event(mapped)
    assert event is not None
    return event


def _lifecycle() -> list[dict[str, Any]]:
    stored = at(FIRST, 12)
    return [
        _event(statement(k, v, at(FIRST, h), stored, registration=REGISTRATION, percent=p)).record
        for k, v, h, p in (
            ("r", "registered", 8, None),
            ("p", "progressed", 9, 40),
            ("p2", "progressed", 10, 70),
            ("c", "completed", 11, None),
            ("late", "progressed", 12, 20),  # reviewed after completing: no undoing it
        )
    ]


def test_a_lifecycle_joins_to_one_completed_enrolment_in_every_order() -> None:
    observations = _lifecycle()
    expected = {
        "enrolment_id": REGISTRATION,
        "employee_id": "E001",
        "course_id": "EBT",
        "status": "completed",
        "progress": 1.0,
        "registered_at": "2026-03-01T08:00:00.000000Z",
        "updated_at": "2026-03-01T12:00:00.000000Z",
        "completed_at": "2026-03-01T11:00:00.000000Z",
    }
    for order in permutations(observations):
        assert reduce(join, order) == expected
    # Joining what is already joined changes nothing (a window read again).
    assert join(expected, observations[1]) == expected == join(expected, expected)


def test_the_latest_ending_wins_and_passed_beats_completed_at_the_same_instant() -> None:
    stored = at(FIRST, 12)
    failed, passed, completed = (
        _event(statement(k, v, at(FIRST, h), stored, registration=REGISTRATION)).record
        for k, v, h in (("f", "failed", 9), ("ps", "passed", 10), ("c", "completed", 10))
    )
    for order in permutations((failed, passed, completed)):
        joined = reduce(join, order)
        assert (joined["status"], joined["completed_at"][:16]) == ("passed", "2026-03-01T10:00")
    assert join(failed, {**failed, "status": "registered", "completed_at": None})["status"] == (
        "failed"
    )


def test_progress_comes_from_cmi5_else_the_scaled_score() -> None:
    stored = at(FIRST, 12)
    cmi5 = _event(statement("a", "progressed", at(FIRST, 9), stored, percent=35, scaled=0.9))
    scaled = _event(statement("b", "progressed", at(FIRST, 9), stored, scaled=0.25))
    neither = _event(statement("c", "progressed", at(FIRST, 9), stored))
    text = _event(statement("d", "progressed", at(FIRST, 9), stored, percent="half"))
    assert [e.record["progress"] for e in (cmi5, scaled, neither)] == [0.35, 0.25, None]
    assert cmi5.record["status"] == "in_progress" and cmi5.record["registered_at"] is None
    assert text.record["progress"] is None and "progress" in text.unreadable
    # Without a registration: the employee's enrolment in the course, the same id every time.
    assert (
        cmi5.record["enrolment_id"]
        == enrolment_id_of("E001", "EBT")
        != enrolment_id_of("E002", "EBT")
    )


def test_module_statements_and_launches_are_no_enrolment() -> None:
    stored = at(FIRST, 12)
    module = map_statements([statement("m", "completed", at(FIRST, 9), stored, module="M1")], {})
    assert module and statement_event(module[0]) is None
    assert map_statements([statement("l", "launched", at(FIRST, 9), stored)], {}) == []


def test_both_transports_give_the_same_observation() -> None:
    raw = statement("t", "progressed", at(FIRST, 9), at(FIRST, 12), percent=50,
                    registration=REGISTRATION)  # fmt: skip
    over_lrs = _event(raw)
    flat = {k: "" if v is None else str(v) for k, v in statement_row(raw).items()}
    from_csv = statement_event(map_completion_csv(flat, "completions.csv line 2", {}))
    assert from_csv is not None and from_csv.record == over_lrs.record


def test_the_statements_batch_keeps_results_and_enrolments_get_every_course_verb() -> None:
    stored = at(FIRST, 12)
    staged = map_statements(
        [
            statement("r", "registered", at(FIRST, 8), stored),
            statement("c", "passed", at(FIRST, 9), stored),
            statement("m", "passed", at(FIRST, 9), stored, module="M2"),
        ],
        {},
    )
    csv_row = map_enrolment(
        {"employee_id": "E002", "course_id": "DG", "status": "In Progress",
         "progress": "0.5", "updated_at": "2026-03-01T09:00:00Z"},
        "enrolments.csv line 2",
    )  # fmt: skip
    by_stage = {"statements": [staged], "enrolments": [[csv_row]]}

    def read(stage: str) -> list[list[Mapped]]:
        return by_stage[stage]

    results = [m.record["verb"] for part in gate_parts("statements", read) for m in part]
    enrolments = [m.record["status"] for part in gate_parts("enrolments", read) for m in part]
    assert results == ["passed", "passed"]
    assert enrolments == ["in_progress", "registered", "passed"]
    assert csv_row.record["enrolment_id"] == enrolment_id_of("E002", "DG")
    assert gated_sources(["hris", "statements"]) == ["hris", "statements", "enrolments"]
    assert gated_sources(["courses", "hris"]) == ["hris", "courses"]


def test_fold_gives_one_row_per_enrolment() -> None:
    observations = _lifecycle()
    other = {**observations[0], "enrolment_id": "other"}
    folded = fold([observations[:2], observations[2:], [other]])
    assert sorted(folded) == sorted([REGISTRATION, "other"])
    assert folded[REGISTRATION]["status"] == "completed"
    assert folded["other"] == other
