"""The suites in expectations/ through real Great Expectations, on quality_frames' frames."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from benchmarks.activity_records import Activity, check_columns

from aerosync.models import Severity
from aerosync.quality.suites import load_suite_definition, validate_frames
from aerosync.schedule.checks import activity_checks, activity_frame, aircraft_checks
from tests.conftest import NOW

pytestmark = pytest.mark.unit


def act(activity_id: str, start_h: float, hours: float = 2, **kw: object) -> Activity:
    start = NOW + timedelta(hours=start_h)
    base = Activity(
        activity_id=activity_id,
        tail="N1",
        kind="PAX",
        activity_type="PassengerFlight",
        start_airport="KTEB",
        end_airport="KTEB",
        start=start,
        end=start + timedelta(hours=hours),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def findings_for(activities: list[Activity], **aircraft_kw: object):  # type: ignore[no-untyped-def]
    by_tail: dict[str, list[Activity]] = {}
    for activity in activities:
        by_tail.setdefault(activity.tail, []).append(activity)
    frame = activity_frame(check_columns(by_tail))
    tails = sorted({a.tail for a in activities} | set(aircraft_kw.pop("extra_tails", [])))  # type: ignore[call-overload]
    fleet, ids = aircraft_checks(
        frame,
        tails,
        NOW,
        aircraft_kw.get("previous", {}),
        aircraft_kw.get("failed", {}),
        0.5,
        4,  # type: ignore[arg-type]
    )
    report = validate_frames(
        [
            ("activities", activity_checks(frame, NOW), frame[["tail", "activity_id"]]),
            ("aircraft", fleet, ids),
        ]
    )
    return report


def codes(report, severity: Severity) -> set[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return {(f.code, f.activity_id) for f in report.findings() if f.severity is severity}


def test_every_expectation_declares_a_severity() -> None:
    for name in ("activities", "aircraft"):
        assert load_suite_definition(name)["expectations"]


def test_a_clean_schedule_passes() -> None:
    report = findings_for([act("P", -5), act("A", 1), act("B", 4)])
    assert report.findings() == []
    assert report.held_tails() == set()
    assert all(o.success for o in report.outcomes)


def test_end_before_start_blocks_naming_the_activity() -> None:
    bad = act("BAD", 1)
    bad.end = bad.start - timedelta(minutes=5)
    report = findings_for([act("P", -5), bad])
    assert ("activities.end_after_start", "BAD") in codes(report, Severity.BLOCKING)
    assert report.held_tails() == {"N1"}


def test_implausible_duration_and_long_type_block() -> None:
    report = findings_for(
        [act("P", -5), act("LONG", 1, hours=30), act("T", 40, activity_type="X" * 21)]
    )
    blocking = codes(report, Severity.BLOCKING)
    assert ("activities.duration_plausible", "LONG") in blocking
    assert ("activities.activity_type_length", "T") in blocking


def test_unknown_airport_overlap_and_gap_are_warnings() -> None:
    report = findings_for([act("P", -5), act("Z", 1, start_airport="ZZZZ"), act("O", 2)])
    warnings = codes(report, Severity.WARNING)
    assert ("activities.start_airport_known", "Z") in warnings
    assert ("activities.overlaps_previous", "O") in warnings
    assert ("activities.continuous_with_previous", "Z") in warnings
    assert report.held_tails() == set()


def test_marketing_on_a_flight_and_a_long_window_block() -> None:
    window = {"marketing_start": NOW, "marketing_end": NOW + timedelta(days=6)}
    report = findings_for(
        [act("P", -5), act("M", 1, **window), act("E", 5, kind="EMPTY_LEG", **window)]
    )
    blocking = codes(report, Severity.BLOCKING)
    assert ("activities.marketing_on_empty_leg", "M") in blocking
    assert ("activities.marketing_window_hours", "E") in blocking


def test_duplicate_ids_and_unknown_regulation_block() -> None:
    report = findings_for([act("P", -5), act("D", 1), act("D", 5, flight_regulations="PART_7")])
    blocking = codes(report, Severity.BLOCKING)
    assert ("activities.activity_id_unique", "D") in blocking
    assert ("activities.regulation_valid", "D") in blocking


def test_no_past_activity_is_a_warning_for_the_aircraft() -> None:
    report = findings_for([act("A", 1)])
    assert ("aircraft.has_past_activity", None) in codes(report, Severity.WARNING)


def test_emptied_shrunk_and_failed_source_aircraft_are_held() -> None:
    report = findings_for(
        [act("P", -5), act("A", 1)],
        extra_tails=["N2", "N3"],
        previous={"N1": 10, "N2": 5, "N3": 0},
        failed={"N3": "FMS down"},
    )
    by_code = {(f.code, f.tail) for f in report.findings() if f.severity is Severity.BLOCKING}
    assert ("aircraft.not_shrunk", "N1") in by_code
    assert ("aircraft.not_emptied", "N2") in by_code
    assert ("aircraft.source_ok", "N3") in by_code
    assert report.held_tails() == {"N1", "N2", "N3"}
