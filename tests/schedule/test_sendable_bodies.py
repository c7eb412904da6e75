"""A body the upload could not read is never staged: its activity is named and its aircraft held,
and the upload's own refusal (PAYLOAD_INVALID) stays unreachable from source data."""

from __future__ import annotations

from typing import Any

import pytest
from benchmarks.activity_records import normalise

from aerosync.models import Severity
from aerosync.schedule.normalise.activities import NormalisedFleet
from aerosync.schedule.payloads import activity_bodies_text, schedule_body_text
from aerosync.schedule.sendable import UNREADABLE, readable_schedules
from aerosync.schedule.upload import activity_ids
from tests.conftest import NOW, make_company

pytestmark = pytest.mark.unit
AIRCRAFT = [
    {"aircraft_id": "A1", "tail": "N1VL", "homebase": "KTEB"},
    {"aircraft_id": "A2", "tail": "N2VL", "homebase": "KTEB"},
]


def _row(activity_id: str, tail: str, hour: int, **overrides: Any) -> dict[str, Any]:
    row = {
        "activity_id": activity_id,
        "tail": tail,
        "activity_kind": "PAX",
        "start_airport": "KTEB",
        "end_airport": "KBOS",
        "start_time": f"2026-11-25T{hour:02d}:00:00Z",
        "end_time": f"2026-11-25T{hour + 1:02d}:00:00Z",
        "note": "fine",
        "pax_count": 3,
    }
    row.update(overrides)
    return row


def fleet() -> NormalisedFleet:
    rows = [
        _row("A-1", "N1VL", 8),
        _row("A-2", "N1VL", 10),
        _row("B-1", "N2VL", 8),
        _row("B-2", "N2VL", 10),
    ]
    built = normalise(make_company(), AIRCRAFT, rows, [], NOW)
    assert not built.findings
    return built


def test_readable_bodies_are_all_staged_and_nothing_is_found() -> None:
    built = fleet()
    bodies = activity_bodies_text(built.aircraft, built.columns)
    readable, findings = readable_schedules(bodies, built.columns)
    assert readable == bodies and findings == []
    for tail, text in readable.items():
        assert len(activity_ids(schedule_body_text(tail, text))) == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("note", "bad \ud800 text"), ("flight_number", "\udcff"), ("pax_count", float("nan"))],
)
def test_an_unreadable_value_holds_its_aircraft_naming_activity_and_field(
    field: str, value: Any
) -> None:
    built = fleet()
    row = built.columns["activity_id"].index("A-2")
    built.columns[field][row] = value
    bodies = activity_bodies_text(built.aircraft, built.columns)
    readable, findings = readable_schedules(bodies, built.columns)
    assert sorted(readable) == ["N2VL"]  # the other aircraft's body is staged as it was
    assert readable["N2VL"] == bodies["N2VL"]
    (finding,) = findings
    assert (finding.code, finding.severity) == (UNREADABLE, Severity.BLOCKING)
    assert (finding.tail, finding.activity_id, finding.field) == ("N1VL", "A-2", field)
    assert "A-2" in finding.message and "N1VL" in finding.message and field in finding.message


def test_an_infinite_price_that_reached_the_columns_is_caught_before_staging() -> None:
    rows = [
        _row("E-1", "N1VL", 8, activity_kind="EMPTY_LEG", market_from="2026-11-24T00:00:00Z",
             market_to="2026-11-25T08:00:00Z", price=100, currency="USD"),
        _row("B-1", "N2VL", 8),
    ]  # fmt: skip
    built = normalise(make_company(), AIRCRAFT, rows, [], NOW)
    built.columns["price"][built.columns["activity_id"].index("E-1")] = float("inf")
    bodies = activity_bodies_text(built.aircraft, built.columns)
    assert "Infinity" in bodies["N1VL"]  # what the upload would have refused as PAYLOAD_INVALID
    readable, findings = readable_schedules(bodies, built.columns)
    assert sorted(readable) == ["N2VL"]
    assert [(f.activity_id, f.field) for f in findings] == [("E-1", "price")]


def test_the_normaliser_refuses_an_infinite_price_and_a_fractional_passenger_count() -> None:
    offer = {"activity_kind": "EMPTY_LEG", "market_from": "2026-11-24T00:00:00Z",
             "market_to": "2026-11-25T08:00:00Z", "currency": "USD"}  # fmt: skip
    rows = [
        _row("E-1", "N1VL", 8, price=float("inf"), **offer),
        _row("E-2", "N1VL", 10, price=float("nan"), **offer),
        _row("P-1", "N2VL", 8, pax_count=2.5),
        _row("P-2", "N2VL", 10, pax_count=float("inf")),
    ]
    built = normalise(make_company(), AIRCRAFT, rows, [], NOW)
    assert [(f.activity_id, f.field, f.severity) for f in built.findings] == [
        ("E-1", "price", Severity.BLOCKING),
        ("E-2", "price", Severity.BLOCKING),
        ("P-1", "pax_count", Severity.BLOCKING),
        ("P-2", "pax_count", Severity.BLOCKING),
    ]
    assert "price inf is not a finite number" in built.findings[0].message
    assert built.blocking_tails() == {"N1VL", "N2VL"}
    assert built.count == 0  # none of them reaches a body
