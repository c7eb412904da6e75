"""Roster duties mapped (duty types, whole days, UTC) and through the quality gate with real Great
Expectations: each rule of `expectations/training_roster.json` refuses its row, naming the field
and, for an overlap, the other duty; the good duties pass."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aerosync.crew.checks import check_rows, deduplicate
from aerosync.crew.gate import run_gate
from aerosync.crew.roster import DUTY_TYPES, duty_type_of, map_duty

pytestmark = pytest.mark.unit
END = datetime(2026, 3, 3, 3, tzinfo=UTC)
CREW = {"E001", "E002", "E003"}


def duty(ref: str, **fields: Any) -> Any:
    row = {
        "employee_id": "E001",
        "starts_at": "2026-03-02T06:00:00Z",
        "ends_at": "2026-03-02T14:00:00Z",
        "duty_type": "FLIGHT_DUTY",
        "duty_code": "AJ100",
        "base": "LSGG",
    }
    return map_duty({**row, **fields}, f"roster.xml line {ref}")


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("FLIGHT_DUTY", "FLIGHT_DUTY"),
        ("flight duty", "FLIGHT_DUTY"),
        ("Flight-Duty", "FLIGHT_DUTY"),
        ("  fdp ", "FLIGHT_DUTY"),
        ("sby", "STANDBY"),
        ("Home Standby", "STANDBY"),
        ("rsv", "RESERVE"),
        ("SIM", "TRAINING"),
        ("day off", "OFF"),
        ("Annual-Leave", "LEAVE"),
        ("sick", "LEAVE"),
        ("deadhead", "OTHER"),
        ("other", "OTHER"),
        ("Lunch", "LUNCH"),
        ("", None),
        (None, None),
    ],
)
def test_duty_types_are_read_case_insensitively_with_their_synonyms(
    written: str | None, read: str | None
) -> None:
    assert duty_type_of(written) == read
    assert (read in DUTY_TYPES) == (read is not None and read != "LUNCH")


def test_times_are_stored_in_utc_and_a_date_is_a_whole_day() -> None:
    timed = duty("2", starts_at="2026-03-02T23:30:00-02:00", ends_at="2026-03-03T09:00:00+01:00")
    assert timed.record["starts_at"] == "2026-03-03T01:30:00.000000Z"
    assert timed.record["ends_at"] == "2026-03-03T08:00:00.000000Z"
    assert timed.record["duty_date"] == "2026-03-03"  # the UTC date of its start
    days = duty("3", starts_at="2026-03-02", ends_at="2026-03-04", duty_type="LEAVE")
    assert (days.record["starts_at"], days.record["ends_at"], days.record["duty_date"]) == (
        "2026-03-02T00:00:00.000000Z",
        "2026-03-05T00:00:00.000000Z",
        "2026-03-02",
    )
    bare = duty("4", starts_at="2026-03-02T06:00:00", ends_at="02/03/2026")
    assert bare.record["starts_at"] is None and bare.record["duty_date"] is None
    assert bare.unreadable == {
        "starts_at": "'2026-03-02T06:00:00' has no UTC offset",
        "ends_at": "'02/03/2026' is neither a date (YYYY-MM-DD) nor an ISO 8601 time",
    }


def _refused(rows: list[Any]) -> dict[str, list[dict[str, Any]]]:
    result = run_gate({"roster": rows}, CREW, END)
    return {q.row_ref: q.reasons for q in result.quarantined}


def test_each_broken_duty_is_refused_for_its_reason_and_the_good_ones_pass() -> None:
    rows = [
        duty("2"),  # good
        duty("3", employee_id="E404"),
        duty("4", employee_id="E002", duty_type="Lunch"),
        duty("5", employee_id="E002", starts_at="2026-03-02T18:00:00Z"),  # ends before it starts
        duty("6", employee_id="E003", ends_at="2026-03-04T14:00:00Z"),  # a 56-hour flight duty
        duty("7", employee_id="E003", starts_at="2026-03-02T06:00:00"),  # no UTC offset
        duty("8", employee_id="E003", starts_at="2026-03-06T06:00:00Z", ends_at=""),
        # a date as its end is the end of that day: here before the start
        duty("9", starts_at="2026-03-02T20:00:00Z", ends_at="2026-03-01", duty_type="off"),
        duty(
            "10",
            employee_id="E003",
            starts_at="2026-03-05",
            ends_at="2026-03-30",
            duty_type="LEAVE",
            base="",
        ),
    ]
    refused = _refused(rows)
    codes = {ref: sorted(r["code"] for r in reasons) for ref, reasons in refused.items()}
    assert codes == {
        "roster.xml line 3": ["employee_known"],
        "roster.xml line 4": ["duty_type_known"],
        "roster.xml line 5": ["ends_after_start"],
        "roster.xml line 6": ["duration_plausible"],
        "roster.xml line 7": ["fields_readable"],
        "roster.xml line 8": ["ends_at_present"],
        "roster.xml line 9": ["ends_after_start"],
        # a leave of 26 days (line 10) is no absurd duty
    }
    (lunch,) = refused["roster.xml line 4"]
    assert lunch["field"] == "duty_type" and "'Lunch' is not a duty type" in lunch["message"]
    (long,) = refused["roster.xml line 6"]
    assert long["field"] == "ends_at"
    assert "a FLIGHT_DUTY duty of 56.0 h is longer than 24 h" in long["message"]
    (late,) = refused["roster.xml line 5"]
    assert "is not after starts_at 2026-03-02T18:00:00.000000Z" in late["message"]


def test_overlapping_duties_of_one_person_are_both_refused_each_naming_the_other() -> None:
    rows = [
        duty("2"),  # E001 06:00-14:00
        duty(
            "3",
            starts_at="2026-03-02T13:00:00Z",
            ends_at="2026-03-02T20:00:00Z",
            duty_type="STANDBY",
            duty_code="",
        ),
        duty("4", starts_at="2026-03-02T20:00:00Z", ends_at="2026-03-02T23:00:00Z"),  # touches
        duty("5", employee_id="E002"),  # the same time, another person
        duty(
            "6", employee_id="E003", starts_at="2026-03-02", ends_at="2026-03-02", duty_type="OFF"
        ),
        duty("7", employee_id="E003"),  # inside E003's day off
        # absurd on its own: refused for that only, and not dragging others in
        duty(
            "8",
            employee_id="E002",
            starts_at="2026-03-02T10:00:00Z",
            ends_at="2026-03-05T10:00:00Z",
        ),
    ]
    refused = _refused(rows)
    assert {ref: [r["code"] for r in reasons] for ref, reasons in refused.items()} == {
        "roster.xml line 2": ["no_overlap"],
        "roster.xml line 3": ["no_overlap"],
        "roster.xml line 6": ["no_overlap"],
        "roster.xml line 7": ["no_overlap"],
        "roster.xml line 8": ["duration_plausible"],
    }
    first, second = refused["roster.xml line 2"][0], refused["roster.xml line 3"][0]
    assert first["field"] == "starts_at"
    assert first["message"].endswith(
        "overlaps the person's duty STANDBY 2026-03-02T13:00:00.000000Z to "
        "2026-03-02T20:00:00.000000Z (roster.xml line 3)"
    )
    assert second["message"].endswith(
        "overlaps the person's duty FLIGHT_DUTY 2026-03-02T06:00:00.000000Z to "
        "2026-03-02T14:00:00.000000Z (roster.xml line 2)"
    )
    assert "OFF 2026-03-02T00:00:00.000000Z" in refused["roster.xml line 7"][0]["message"]


def test_one_duty_twice_counts_once_and_two_versions_of_it_are_both_refused() -> None:
    rows = [
        duty("2"),
        duty("3"),  # the same duty again: counted once, loaded
        duty("4", employee_id="E002"),
        duty("5", employee_id="E002", ends_at="2026-03-02T15:00:00Z"),  # same key, other end
    ]
    result = run_gate({"roster": rows}, CREW, END)
    assert [m.row_ref for m in result.good["roster"]] == ["roster.xml line 2"]
    refused = {q.row_ref: q.codes for q in result.quarantined}
    assert refused == {"roster.xml line 4": ["key_unique"], "roster.xml line 5": ["key_unique"]}
    (reason,) = result.quarantined[0].reasons
    assert "starts_at=2026-03-02T06:00:00.000000Z, employee_id=E002" in reason["message"]


def test_the_streaming_gate_and_the_whole_batch_checks_agree() -> None:
    rows = [
        duty("2"),
        duty("3", starts_at="2026-03-02T13:00:00Z", ends_at="2026-03-02T20:00:00Z"),
        duty("4", employee_id="E404"),
        duty("5", duty_type="nap"),
        duty("6", employee_id="E002", ends_at="2026-03-02T15:00:00Z"),
        duty("7", employee_id="E002", ends_at="2026-03-02T16:00:00Z"),
    ]
    kept = deduplicate(rows)
    expected = {
        m.row_ref
        for m, checks in zip(kept, check_rows("roster", kept, CREW, END), strict=True)
        if not all(checks.values())
    }
    result = run_gate({"roster": rows}, CREW, END)
    assert {q.row_ref for q in result.quarantined} == expected
    assert len(expected) == 6  # every row: overlaps, an unknown person and type, a key twice
