"""The quality gate of flights flown through real Great Expectations (expectations/
training_flights.json): each rule refuses its row, naming the company, employee, leg and field;
two pilots flying on one leg refuse both rows; a missing type code warns and loads; the rest
loads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aerosync.crew.checks import check_rows
from aerosync.crew.gate import run_gate
from aerosync.crew.legs_flown import map_leg_crew
from aerosync.crew.mapping import Mapped

pytestmark = pytest.mark.unit
END = datetime(2026, 3, 3, 3, tzinfo=UTC)
KNOWN = {"E001", "E002", "E003", "E004", "C001"}


def crew(leg: str, employee: str, role: str, flying: bool, **changes: Any) -> Mapped:
    row = {
        "leg_id": leg, "employee_id": employee, "role": role, "pilot_flying": flying,
        "takeoffs_day": int(flying), "takeoffs_night": 0, "landings_day": int(flying),
        "landings_night": 0, "aircraft_id": "A1", "tail_number": "HB-AAA", "type_code": "CL60",
        "off_block": "2026-03-02T09:00:00+01:00", "on_block": "2026-03-02T10:15:00+01:00",
        "cancelled": False, "trip_status": "BOOKED",
    }  # fmt: skip
    return map_leg_crew(row | changes)


def leg(leg_id: str, **pic_changes: Any) -> list[Mapped]:
    return [crew(leg_id, "E001", "PIC", True, **pic_changes), crew(leg_id, "E002", "SIC", False)]


CASES: list[tuple[str, Mapped, str, str, str]] = [
    # (what, row, check, field, words)
    ("unknown employee", crew("L2", "E999", "SIC", False), "employee_known", "employee_id",
     "'E999' is not in the HRIS"),
    ("unknown role", crew("L3", "E002", "PILOT", False), "role_known", "role",
     "'PILOT' is not one of PIC, SIC, CABIN, OBSERVER"),
    ("negative count", leg("L4", takeoffs_day=-1)[0], "counts_in_range", "takeoffs_day",
     "takeoffs_day=-1 (0 to 10 on one leg)"),
    ("absurd count", leg("L5", landings_night=11)[0], "counts_in_range", "landings_night",
     "landings_night=11"),
    ("landing by a non-flying pilot", crew("L6", "E002", "SIC", False, landings_day=1),
     "counted_only_for_pilot_flying", "landings_day", "landings_day=1, but take-offs"),
    ("cabin crew flying", crew("L7", "C001", "CABIN", True), "pilot_flying_is_pilot",
     "pilot_flying", "a CABIN is never the pilot flying"),
    ("on-block before off-block", leg("L8", on_block="2026-03-02T08:59:00+01:00")[0],
     "block_time_plausible", "on_block", "is not after off_block 2026-03-02T08:00:00.000000Z"),
    ("block time over 24 h", leg("L9", off_block="2026-03-01T09:00:00+01:00")[0],
     "block_time_plausible", "on_block", "block time 1 day, 1:15:00"),
    ("a time without offset", leg("L10", off_block="2026-03-02T09:00:00")[0],
     "fields_readable", "off_block", "has no UTC offset"),
]  # fmt: skip


def test_each_rule_refuses_its_row_naming_employee_leg_and_field() -> None:
    good = [*leg("L1"), crew("L1", "C001", "CABIN", False)]
    rows = good + [case[1] for case in CASES]
    result = run_gate({"flights": rows}, KNOWN, END)
    refused = {q.row_ref: q for q in result.quarantined}
    assert len(refused) == len(CASES)
    for what, row, check, field, words in CASES:
        entry = refused[row.row_ref]
        assert entry.codes == [check], what
        (reason,) = entry.reasons
        assert reason["field"] == field and words in reason["message"], (what, reason)
        line = entry.describe("acme")
        assert line.startswith(f"company acme, source flights, {row.row_ref}, "), line
        assert f"employee {row.employee_id}" in line and field in line, line
    assert [m.row_ref for m in result.good["flights"]] == [m.row_ref for m in good]
    assert result.counts()["flights"] == {"good": 3, "quarantined": len(CASES), "warnings": 0}


def test_two_pilots_flying_refuses_both_rows_and_keeps_the_others_of_the_leg() -> None:
    both = [
        crew("L1", "E001", "PIC", True),
        crew("L1", "E002", "SIC", True),
        crew("L1", "C001", "CABIN", False),
    ]
    result = run_gate({"flights": [*both, *leg("L2")]}, KNOWN, END)
    refused = sorted((q.employee_id, q.codes) for q in result.quarantined)
    assert refused == [("E001", ["one_pilot_flying"]), ("E002", ["one_pilot_flying"])]
    assert (
        "another crew member of leg L1 is pilot flying too"
        in (result.quarantined[0].reasons[0]["message"])
    )
    assert [(m.record["leg_id"], m.employee_id) for m in result.good["flights"]] == [
        ("L1", "C001"),
        ("L2", "E001"),
        ("L2", "E002"),
    ]


def test_a_missing_type_code_is_a_warning_and_the_row_loads() -> None:
    rows = leg("L1", type_code=None)
    result = run_gate({"flights": rows}, KNOWN, END)
    assert not result.quarantined and len(result.good["flights"]) == 2
    (warning,) = result.warnings
    assert (warning["code"], warning["field"], warning["employee_id"]) == (
        "type_code_present",
        "type_code",
        "E001",
    )
    assert "aircraft HB-AAA has no type code" in warning["message"]


def test_the_same_crew_row_twice_with_other_values_refuses_both() -> None:
    first = crew("L1", "E001", "PIC", True)
    second = crew("L1", "E001", "PIC", True, landings_day=0, landings_night=1)
    result = run_gate({"flights": [first, second, crew("L1", "E001", "PIC", True)]}, KNOWN, END)
    assert [q.codes for q in result.quarantined] == [["key_unique"], ["key_unique"]]


def test_whole_batch_checks_agree_with_the_gate() -> None:
    rows = [*leg("L1"), crew("L2", "E001", "PIC", True), crew("L2", "E002", "SIC", True)]
    checks = check_rows("flights", rows, KNOWN, END)
    assert [c["one_pilot_flying"] for c in checks] == [True, True, False, False]
    assert all(c["employee_known"] and c["role_known"] for c in checks)
