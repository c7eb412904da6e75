"""Flights flown from a real reference FMS into the aerosync store, on SQLite (the same tests run
on PostgreSQL in test_sync_flights_postgres.py): the dialect query, a window's rows, re-runs
that change nothing, backfills in any order, a leg cancelled later, crew entered late, quarantine,
retention."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, text

from aerosync.airflow.crew_fms import read_crew_legs
from aerosync.config.dialects import read_sql
from aerosync.crew.legs_flown import legs_window, query_binds
from aerosync.crew.quarantine import QuarantineStore
from aerosync.crew.sources import Window, in_window
from aerosync.stores.database import sqlite_engine
from tests.crew.flights_support import (
    COMPANY,
    crew_rows,
    days,
    fill_fms,
    flight_audit,
    insert,
    leg_crew,
    run_flights,
    scenario,
    seed_employees,
    window_of,
)

pytestmark = pytest.mark.integration
FIRST = date(2026, 3, 20)  # the backfill crosses a month's end
DAYS = 40
COLUMNS = [
    "leg_id", "employee_id", "role", "pilot_flying", "takeoffs_day", "takeoffs_night",
    "landings_day", "landings_night", "aircraft_id", "tail_number", "type_code", "off_block",
    "on_block", "cancelled", "trip_status",
]  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    seed_employees(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def other_store(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "other.db")
    seed_employees(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def fms(tmp_path: Path) -> Iterator[Engine]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'fms.sqlite'}")
    fill_fms(engine, scenario(FIRST, DAYS))
    yield engine
    engine.dispose()


def expected_keys(window: Window) -> set[tuple[str, str]]:
    """The contract in plain Python: crew rows of legs whose on-block instant is in the window."""
    data = scenario(FIRST, DAYS)
    on_block = {leg["leg_id"]: datetime.fromisoformat(leg["on_block"]) for leg in data["legs"]}
    return {
        (c["leg_id"], c["employee_id"])
        for c in data["leg_crew"]
        if window.start <= on_block[c["leg_id"]] < window.end
    }


def loaded_keys(store: Engine) -> set[tuple[str, str]]:
    return {(r["leg_id"], r["employee_id"]) for r in leg_crew(store)}


def test_the_dialect_query_gives_every_column_and_the_legs_around_the_window(fms: Engine) -> None:
    window = window_of(FIRST + timedelta(days=12))  # L012 and N012
    with fms.connect() as conn:
        result = conn.execute(text(read_sql("reference", "crew_legs.sql")), query_binds(window))
        assert list(result.keys()) == COLUMNS
        rows = [dict(r) for r in result.mappings()]
    # A day wider on each side, compared as text in SQLite: the window's rows and no far ones.
    wider = Window(window.start - timedelta(days=2), window.end + timedelta(days=2))
    read = {(r["leg_id"], r["employee_id"]) for r in rows}
    assert expected_keys(window) <= read <= expected_keys(wider)
    assert len(read) > len(expected_keys(window)) > 0
    mapped = list(read_crew_legs(fms, "reference", window))
    assert {(m.record["leg_id"], m.employee_id) for m in mapped if in_window(m, window)} == (
        expected_keys(window)
    )
    # Legs that count for nothing come too, flagged.
    earlier = {
        m.record["leg_id"]: m.raw for m in read_crew_legs(fms, "reference", legs_window(window, 9))
    }
    assert earlier["L005"]["trip_status"] == "OPTION" and not earlier["L005"]["cancelled"]
    assert earlier["L009"]["cancelled"] and earlier["L009"]["trip_status"] == "BOOKED"
    assert earlier["L003"]["trip_status"] is None  # a standalone ferry


def test_a_window_loads_its_crew_rows_as_flown(store: Engine, fms: Engine) -> None:
    window = window_of(FIRST + timedelta(days=10))
    done = run_flights(store, fms, window, "run_1", lookback_days=10)
    expected = expected_keys(Window(window.start - timedelta(days=10), window.end))
    assert loaded_keys(store) == expected and len(expected) > 20
    assert done["loaded"]["flights"]["inserted"] == len(expected)
    rows = {(r["leg_id"], r["employee_id"]): r for r in leg_crew(store)}
    # Day 1's leg: off 02:00 UTC written in Zurich's offset, lands 02:30 UTC.
    first = rows[("L001", "E001")]
    assert (first["off_block"], first["on_block"], first["flown_on"]) == (
        "2026-03-21T02:00:00.000000Z",
        "2026-03-21T02:30:00.000000Z",
        "2026-03-21",
    )
    assert (first["block_minutes"], first["role"], first["pilot_flying"]) == (30, "PIC", 1)
    assert (first["takeoffs_day"], first["landings_day"], first["type_code"]) == (1, 1, "CL60")
    assert rows[("L001", "E002")]["pilot_flying"] == 0
    assert rows[("L001", "E002")]["takeoffs_day"] == 0
    night = rows[("L007", "E001")]  # 23:00 UTC
    assert (night["takeoffs_night"], night["landings_night"], night["flown_on"]) == (
        1,
        1,
        "2026-03-28",
    )
    counts = {r["leg_id"]: r["counts"] for r in rows.values()}
    assert counts["L005"] == 0 and counts["L009"] == 0  # an OPTION trip, a cancelled leg
    assert counts["L003"] == 1 and counts["L004"] == 1  # a standalone ferry, a booked leg
    untyped = rows[("N003", "E003")]
    assert untyped["type_code"] is None and untyped["tail_number"] == "N100"
    assert done["validated"].warnings > 0 and done["validated"].quarantined == 0


def test_rerunning_a_window_changes_nothing_and_audits_nothing(store: Engine, fms: Engine) -> None:
    window = window_of(FIRST + timedelta(days=12))
    run_flights(store, fms, window, "run_1")
    before, audits = leg_crew(store), len(flight_audit(store))
    again = run_flights(store, fms, window, "run_2")
    assert leg_crew(store) == before and len(flight_audit(store)) == audits > 0
    assert again["loaded"]["flights"] == {
        "inserted": 0,
        "updated": 0,
        "unchanged": len(before),
        "beyond_retention": 0,
    }
    assert again["finished"]["changes"] == {}


def _backfill(store: Engine, fms: Engine, order: list[int], tag: str) -> None:
    for day in days(FIRST, order):
        run_flights(store, fms, window_of(day), f"backfill__{day}__{tag}")


def test_backfill_twice_in_any_order_gives_the_same_table_and_one_audit_entry_per_row(
    store: Engine, other_store: Engine, fms: Engine
) -> None:
    in_order = list(range(DAYS))
    _backfill(store, fms, in_order, "first")
    first = leg_crew(store)
    assert {r["flown_on"][:7] for r in first} == {"2026-03", "2026-04"}
    audits = flight_audit(store)
    assert len(audits) == len(first) and {a["action"] for a in audits} == {"insert"}
    other = other_store
    shuffled = in_order[:]
    random.Random(18).shuffle(shuffled)
    _backfill(other, fms, shuffled, "shuffled")
    assert leg_crew(other) == first
    assert len(flight_audit(other)) == len(first)
    _backfill(store, fms, shuffled, "second")
    assert leg_crew(store) == first and len(flight_audit(store)) == len(audits)


def test_a_leg_cancelled_later_stops_counting_with_one_audit_entry_per_crew_row(
    store: Engine, fms: Engine
) -> None:
    window = window_of(FIRST + timedelta(days=14))
    run_flights(store, fms, window, "run_1")
    assert {r["counts"] for r in leg_crew(store) if r["leg_id"] == "L014"} == {1}
    with fms.begin() as conn:
        conn.execute(text("UPDATE legs SET cancelled = :yes WHERE leg_id = 'L014'"), {"yes": True})
    before = len(flight_audit(store))
    run_flights(store, fms, window, "run_2")
    changed = flight_audit(store)[before:]
    assert sorted((a["action"], a["record_key"]) for a in changed) == [
        ("update", '{"employee_id":"E001","leg_id":"L014"}'),
        ("update", '{"employee_id":"E002","leg_id":"L014"}'),
    ]
    assert all('"counts":1' in a["old_values"] and '"counts":0' in a["new_values"] for a in changed)
    assert {r["counts"] for r in leg_crew(store) if r["leg_id"] == "L014"} == {0}


def test_crew_entered_late_arrive_through_the_lookback(store: Engine, fms: Engine) -> None:
    with fms.begin() as conn:
        conn.execute(text("DELETE FROM leg_crew WHERE leg_id = 'L020'"))
    run_flights(store, fms, window_of(FIRST + timedelta(days=20)), "day_20")
    assert not [r for r in leg_crew(store) if r["leg_id"] == "L020"]
    insert(fms, "leg_crew", crew_rows("L020", "E001", "E002", "PIC"))
    run_flights(store, fms, window_of(FIRST + timedelta(days=22)), "day_22", lookback_days=3)
    assert {r["employee_id"] for r in leg_crew(store) if r["leg_id"] == "L020"} == {"E001", "E002"}


def test_bad_rows_are_quarantined_naming_employee_leg_and_field_and_the_rest_loads(
    store: Engine, fms: Engine
) -> None:
    with fms.begin() as conn:
        conn.execute(text("UPDATE leg_crew SET employee_id = 'E999' WHERE leg_id = 'L016' "
                          "AND role = 'SIC'"))  # fmt: skip
        conn.execute(text("UPDATE leg_crew SET pilot_flying = :yes WHERE leg_id = 'L017'"),
                     {"yes": True})  # fmt: skip
        conn.execute(text("UPDATE leg_crew SET takeoffs_day = 12 WHERE leg_id = 'L018' "
                          "AND pilot_flying = :yes"), {"yes": True})  # fmt: skip
    window = window_of(FIRST + timedelta(days=18))
    done = run_flights(store, fms, window, "run_1", lookback_days=3)
    lines = sorted(q.describe(COMPANY) for q in _quarantined(store))
    assert len(lines) == 4, lines
    assert any("leg L016, employee E999: employee_id:" in line for line in lines)
    assert sum("leg L017, employee E00" in line and "pilot_flying:" in line for line in lines) == 2
    assert any("leg L018, employee E00" in line and "takeoffs_day:" in line for line in lines)
    loaded = loaded_keys(store)
    expected = expected_keys(Window(window.start - timedelta(days=3), window.end))
    # L016's SIC is now E999 (E002's row is gone), L017 has two pilots flying, L018's pilot
    # flying (E002: the first officer flies even days) has 12 take-offs.
    refused = {("L016", "E999"), ("L016", "E002"), ("L017", "E001"), ("L017", "E002"),
               ("L018", "E002")}  # fmt: skip
    assert loaded == (expected | {("L016", "E999")}) - refused and len(loaded) > 4
    assert done["validated"].quarantined == 4
    again = run_flights(store, fms, window, "run_2", lookback_days=3)
    assert again["validated"].newly_quarantined == 0  # the same bad rows, quarantined once


def _quarantined(store: Engine) -> list[Any]:
    from aerosync.crew.quarantine import QuarantineEntry

    return [
        QuarantineEntry(
            source=e["source"],
            fingerprint=e["fingerprint"],
            row_ref=e["row_ref"],
            employee_id=e["employee_id"],
            reasons=e["reasons"],
            row_data={},
            record={},
        )
        for e in QuarantineStore(store).entries(COMPANY)
    ]


def test_flight_records_are_kept_24_months_and_purged_with_an_audit_entry(
    store: Engine, fms: Engine
) -> None:
    window = window_of(FIRST + timedelta(days=5))
    later = FIRST + timedelta(days=5 + 2 * 366 + 5)
    too_late = run_flights(store, fms, window, "late_backfill", today=later)
    assert too_late["loaded"]["flights"]["beyond_retention"] > 0 and not leg_crew(store)
    run_flights(store, fms, window, "in_time", today=FIRST + timedelta(days=6))
    kept = leg_crew(store)
    assert kept
    run_flights(store, fms, window_of(FIRST + timedelta(days=30)), "later", today=later,
                lookback_days=0)  # fmt: skip
    purged = [a for a in flight_audit(store) if a["action"] == "purge"]
    assert {r["leg_id"] for r in leg_crew(store)} <= {f"L{k:03d}" for k in range(29, 31)} | {
        f"N{k:03d}" for k in range(29, 31)
    }
    assert len(purged) == len(kept)
    # Training records keep their own, longer period: the employees stay.
    with store.connect() as conn:
        employees = conn.execute(
            text("SELECT COUNT(*) FROM training_employee_versions WHERE company = :c"),
            {"c": COMPANY},
        ).scalar_one()
    assert employees == 4
