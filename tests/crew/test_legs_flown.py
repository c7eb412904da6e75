"""Rows of crew_legs.sql as training_leg_crew rows: times to UTC, the day a leg counts on, block
time, the counts flag, values as SQLite and PostgreSQL drivers return them; the window read."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from aerosync.crew.legs_flown import legs_window, map_leg_crew, query_binds
from aerosync.crew.sources import Window, in_window

pytestmark = pytest.mark.unit


def fms_row(**changes: Any) -> dict[str, Any]:
    """A row as SQLite returns it: times as text with their offset, booleans as 0/1."""
    row = {
        "leg_id": "L1", "employee_id": "E001", "role": "PIC", "pilot_flying": 1,
        "takeoffs_day": 1, "takeoffs_night": 0, "landings_day": 0, "landings_night": 1,
        "aircraft_id": "A1", "tail_number": "HB-AAA", "type_code": "CL60",
        "off_block": "2026-03-01T23:10:00+01:00", "on_block": "2026-03-02T01:05:00+01:00",
        "cancelled": 0, "trip_status": "BOOKED",
    }  # fmt: skip
    return row | changes


def test_a_row_becomes_its_canonical_record_in_utc() -> None:
    mapped = map_leg_crew(fms_row())
    assert mapped.source == "flights" and mapped.row_ref == "leg L1" and not mapped.unreadable
    assert mapped.record == {
        "leg_id": "L1", "employee_id": "E001", "aircraft_id": "A1", "tail_number": "HB-AAA",
        "type_code": "CL60", "off_block": "2026-03-01T22:10:00.000000Z",
        "on_block": "2026-03-02T00:05:00.000000Z", "flown_on": "2026-03-02",
        "block_minutes": 115, "role": "PIC", "pilot_flying": 1, "takeoffs_day": 1,
        "takeoffs_night": 0, "landings_day": 0, "landings_night": 1, "counts": 1,
    }  # fmt: skip


def test_postgres_values_give_the_same_record() -> None:
    """psycopg2 gives aware datetimes, booleans and ints; the raw row stays JSON-safe."""
    zurich = timezone(timedelta(hours=1))
    pg = fms_row(
        off_block=datetime(2026, 3, 1, 22, 10, tzinfo=UTC),
        on_block=datetime(2026, 3, 2, 1, 5, tzinfo=zurich),
        pilot_flying=True,
        cancelled=False,
        takeoffs_day=Decimal(1),
    )
    mapped = map_leg_crew(pg)
    assert mapped.record == map_leg_crew(fms_row()).record
    json.dumps(mapped.raw)  # staged between tasks as JSON
    assert mapped.raw["on_block"] == "2026-03-02T01:05:00+01:00"


@pytest.mark.parametrize(
    ("changes", "counts"),
    [
        ({}, 1),
        ({"trip_status": None}, 1),  # a standalone leg
        ({"cancelled": 1}, 0),
        ({"cancelled": True}, 0),
        ({"trip_status": "QUOTED"}, 0),
        ({"trip_status": "OPTION"}, 0),
        ({"trip_status": "cancelled"}, 0),
    ],
)
def test_cancelled_legs_and_unflown_trips_count_for_nothing(
    changes: dict[str, Any], counts: int
) -> None:
    assert map_leg_crew(fms_row(**changes)).record["counts"] == counts


def test_unreadable_values_are_named_by_field() -> None:
    mapped = map_leg_crew(
        fms_row(on_block="2026-03-02T01:05:00", takeoffs_day="one", pilot_flying="maybe")
    )
    assert set(mapped.unreadable) == {"on_block", "takeoffs_day", "pilot_flying"}
    assert "no UTC offset" in mapped.unreadable["on_block"]
    assert mapped.record["on_block"] is None and mapped.record["block_minutes"] is None
    assert mapped.record["flown_on"] is None and mapped.record["pilot_flying"] is None


def test_role_is_read_in_capitals_and_pilot_flying_as_0_or_1() -> None:
    record = map_leg_crew(fms_row(role=" sic ", pilot_flying="false")).record
    assert (record["role"], record["pilot_flying"]) == ("SIC", 0)


def test_the_window_read_is_widened_by_the_lookback_and_selected_by_on_block() -> None:
    start = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    window = Window(start, start + timedelta(days=1))
    read = legs_window(window, 3)
    assert (read.start, read.end) == (start - timedelta(days=3), window.end)
    assert query_binds(read) == {
        "on_block_from": "2026-02-26T03:00:00+00:00",
        "on_block_until": "2026-03-04T03:00:00+00:00",
    }
    inside = map_leg_crew(fms_row(on_block="2026-03-03T03:59:00+01:00"))  # 02:59 UTC
    at_end = map_leg_crew(fms_row(on_block="2026-03-03T04:00:00+01:00"))  # 03:00 UTC
    unreadable = map_leg_crew(fms_row(on_block="not a time"))
    assert in_window(inside, window) and not in_window(at_end, window)
    assert in_window(unreadable, window)  # refused by the gate, never dropped quietly
    assert in_window(map_leg_crew(fms_row(on_block="2026-02-27T10:00:00Z")), read)
    assert not in_window(map_leg_crew(fms_row(on_block="2026-02-27T10:00:00Z")), window)
