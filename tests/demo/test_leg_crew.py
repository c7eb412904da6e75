"""The demo FMS's crew on legs: two pilots on every leg flown (a PIC, a SIC, one pilot flying),
counts by day or night, every pilot employed on the day by the demo HRIS, and recency on the
demo's last window day computed plainly from the FMS's rows: exactly one pilot lapses in one type
(E002 in the CL60), everyone else is current in every type they fly."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aerosync.demo.crew import build_training_data
from aerosync.demo.crew_setup import DEMO_DAYS, demo_run_day
from aerosync.demo.fleet import build_demo_fms, demo_rows
from aerosync.demo.leg_crew import crew_for
from aerosync.demo.night import is_night
from tests.conftest import NOW

pytestmark = pytest.mark.unit
# Demo runs at any hour of the year: the plans move with the date, the crew with them.
NOWS = [NOW + timedelta(days=d, hours=h) for d in (0, 41, 130, 222, 300) for h in (1, 14)]


@pytest.fixture(scope="module")
def fms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path = tmp_path_factory.mktemp("demo_crew") / "alpine.sqlite"
    build_demo_fms(path, NOW, company="alpine_jets")
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


def flown(fms: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every leg-crew row with its leg, aircraft type and trip status."""
    rows = fms.execute(
        "SELECT c.*, l.off_block, l.on_block, l.departure_airport, l.arrival_airport, "
        "l.cancelled, t.status, a.type_code FROM leg_crew c JOIN legs l USING (leg_id) "
        "JOIN aircraft a USING (aircraft_id) LEFT JOIN trips t USING (trip_id)"
    )
    return [dict(r) for r in rows]


def test_every_leg_flown_by_now_has_two_pilots_and_one_pilot_flying(
    fms: sqlite3.Connection,
) -> None:
    rows = flown(fms)
    legs = fms.execute(
        "SELECT l.leg_id FROM legs l LEFT JOIN trips t USING (trip_id) "
        "WHERE l.on_block <= ? AND NOT l.cancelled AND (t.status IS NULL OR t.status = 'BOOKED')",
        (NOW.isoformat(),),
    ).fetchall()
    by_leg: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_leg.setdefault(row["leg_id"], []).append(row)
    assert set(by_leg) == {leg[0] for leg in legs} and len(by_leg) > 50
    for leg_id, crew in by_leg.items():
        assert sorted(c["role"] for c in crew) == ["PIC", "SIC"], leg_id
        assert sum(c["pilot_flying"] for c in crew) == 1, leg_id
        for c in crew:
            moves = (
                c["takeoffs_day"] + c["takeoffs_night"],
                c["landings_day"] + c["landings_night"],
            )
            assert moves == ((1, 1) if c["pilot_flying"] else (0, 0)), (leg_id, c)
    assert all(datetime.fromisoformat(r["on_block"]) <= NOW for r in rows)
    assert all(r["type_code"] for r in rows)


def test_night_counts_follow_the_sun(fms: sqlite3.Connection) -> None:
    night = 0
    for row in flown(fms):
        if row["pilot_flying"]:
            off = datetime.fromisoformat(row["off_block"])
            assert row["takeoffs_night"] == is_night(off, row["departure_airport"])
            on = datetime.fromisoformat(row["on_block"])
            assert row["landings_night"] == is_night(on, row["arrival_airport"])
            night += row["landings_night"] + row["takeoffs_night"]
    assert night > 0  # some legs land after dark


def employed_on(versions: list[dict[str, Any]], day: str) -> bool:
    """Plainly, by the HRIS's effective-dated record: the version in effect on `day` says
    active, and no leaving date is before it."""
    effective = [v for v in versions if v["effective_from"] <= day]
    if not effective:
        return False
    current = max(effective, key=lambda v: v["effective_from"])
    return current["employment_status"] == "active" and not (
        current["left_on"] and current["left_on"] < day
    )


def test_every_pilot_is_employed_by_the_demo_hris_on_the_day_flown(
    fms: sqlite3.Connection,
) -> None:
    first = NOW.date() - timedelta(days=DEMO_DAYS)
    data = build_training_data(first, DEMO_DAYS)
    versions: dict[str, list[dict[str, Any]]] = {}
    for version in data.employees:
        versions.setdefault(version["employee_id"], []).append(version)
    rows = flown(fms)
    for row in rows:
        day = datetime.fromisoformat(row["on_block"]).astimezone(UTC).date().isoformat()
        assert employed_on(versions[row["employee_id"]], day), row
    assert {r["employee_id"] for r in rows} == set(versions)
    # Three months of line flying before the demo's days: hired long before it, except E005
    # (hired during the demo's days) and E006 (who leaves during them).
    earliest = min(datetime.fromisoformat(r["on_block"]).date() for r in rows)
    assert earliest < first - timedelta(days=80)
    assert not employed_on(versions["E005"], (first + timedelta(days=5)).isoformat())
    assert not employed_on(versions["E006"], (first + timedelta(days=7)).isoformat())


def recency(rows: list[dict[str, Any]], day: date) -> dict[tuple[str, str], tuple[int, int]]:
    """Plainly, per pilot and type they flew in the 90 days to `day`: (take-offs, landings) as
    pilot flying on legs that count, dated by the UTC day of on-block."""
    counted: dict[tuple[str, str], tuple[int, int]] = {}
    for r in rows:
        flown_on = datetime.fromisoformat(r["on_block"]).astimezone(UTC).date()
        counts = not r["cancelled"] and r["status"] in (None, "BOOKED")
        if not day - timedelta(days=89) <= flown_on <= day or not counts:
            continue
        key = (r["employee_id"], r["type_code"])
        takeoffs, landings = counted.get(key, (0, 0))
        counted[key] = (
            takeoffs + r["takeoffs_day"] + r["takeoffs_night"],
            landings + r["landings_day"] + r["landings_night"],
        )
    return counted


@pytest.mark.parametrize("now", NOWS)
def test_on_the_last_window_day_only_e002_lapses_in_the_cl60(now: datetime, tmp_path: Path) -> None:
    summary = build_demo_fms(tmp_path / "fms.sqlite", now, company="alpine_jets")
    connection = sqlite3.connect(summary.path)
    connection.row_factory = sqlite3.Row
    rows = flown(connection)
    connection.close()
    window_end = now.date() - timedelta(days=DEMO_DAYS - 1 - demo_run_day(now))
    for day in (window_end - timedelta(days=1), window_end):  # the window's two dates
        counted = recency(rows, day)
        lapsed = sorted(k for k, (t, landings) in counted.items() if min(t, landings) < 3)
        assert lapsed == [("E002", "CL60")], (now, day, counted)
    types: dict[str, set[str]] = {}
    for row in rows:
        types.setdefault(row["employee_id"], set()).add(row["type_code"])
    assert types == {
        "E001": {"GL7T", "CL60"},
        "E002": {"GL7T", "CL60"},
        "E003": {"FA7X", "F2TH"},
        "E004": {"FA7X", "F2TH", "C56X"},
        "E005": {"C56X"},
        "E006": {"C56X"},
    }


def test_e002_lapsed_three_days_before_the_demo(fms: sqlite3.Connection) -> None:
    """The lapse date: the day after the third-latest qualifying date plus 89 days."""
    dates = sorted(
        (
            datetime.fromisoformat(r["on_block"]).astimezone(UTC).date()
            for r in flown(fms)
            if (r["employee_id"], r["type_code"], r["pilot_flying"]) == ("E002", "CL60", 1)
        ),
        reverse=True,
    )
    assert dates[2] + timedelta(days=90) == NOW.date() - timedelta(days=3)


def test_the_crew_of_a_type_and_the_skyway_fleet() -> None:
    assert crew_for("CL60", -50) == ("E001", "E002")
    assert crew_for("C56X", -8) == ("E006", "E004") and crew_for("C56X", -7) == ("E004", "E005")
    rows, *_ = demo_rows(NOW, "skyway_charter")
    assert not rows.leg_crew  # the demo HRIS holds Alpine Jets' crew only
    types = {tail: code for _, tail, _, _, code in rows.aircraft}
    assert types["N650SW"] == "GLF6" and types["N77SW"] is None
