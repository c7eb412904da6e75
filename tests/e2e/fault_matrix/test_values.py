"""Fault-matrix rows for safety rule 2 (values that cannot be right are never sent), through real
Airflow runs against the sandbox.

One demo FMS (the Skyway fleet, tails renamed `…VL` so no other module's PUTs count here) with
one bad value per aircraft: a price of Infinity (SQLite keeps `9e999` as an infinite REAL), a
price of -100 USD, a passenger count of -5 and of 10^20, a 2 MB note. Each of those aircraft is
held, naming the activity and the field, and is never sent; the clean aircraft is sent once. A
held aircraft was never sent, so the 5-minute spacing does not apply to it: once its data is
mended, the very next trigger sends it.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.fault_matrix.support import FaultEnv, FaultSetup

pytestmark = pytest.mark.integration
COMPANY = "fm_values"
CONNECTION = "avinode_fm_values"
# aircraft id in the demo FMS -> (the field spoiled, the value written in SQL)
FAULTS: dict[str, tuple[str, str]] = {
    "SW-AC01": ("price", "9e999"),  # Infinity
    "SW-AC02": ("price", "-100"),
    "SW-AC03": ("pax_count", "-5"),
    "SW-AC04": ("pax_count", "100000000000000000000"),  # 10^20: SQLite keeps it as a REAL
    "SW-AC06": ("note", "substr(hex(zeroblob(1000000)), 1, 2000000)"),  # a 2 MB note
}
# Where each fault is written, filled in by fault_setup: tail -> (leg id, field).
SPOILED: dict[str, tuple[str, str]] = {}
CLEAN: list[str] = []
PRISTINE: dict[str, Path] = {}


def _rename_tails(connection: sqlite3.Connection) -> dict[str, str]:
    """Tails of this module's own (`N650SW` -> `N650VL`): the sandbox counts PUTs by tail."""
    connection.execute("UPDATE aircraft SET tail_number = replace(tail_number, 'SW', 'VL')")
    return dict(connection.execute("SELECT aircraft_id, tail_number FROM aircraft").fetchall())


def _leg_to_spoil(connection: sqlite3.Connection, aircraft_id: str, field: str) -> str:
    """A leg the marketplace would be sent: a booked passenger leg, or for a price an empty leg
    with a marketing offer; the latest one (in the future)."""
    if field == "price":
        query = (
            "SELECT l.leg_id FROM legs l JOIN empty_leg_offers o ON o.leg_id = l.leg_id "
            "WHERE l.aircraft_id = ? AND l.leg_kind = 'EMPTY_LEG' AND l.cancelled = 0 "
            "AND o.market_from IS NOT NULL AND o.market_to IS NOT NULL "
            "ORDER BY l.off_block DESC LIMIT 1"
        )
    else:
        query = (
            "SELECT l.leg_id FROM legs l JOIN trips t ON t.trip_id = l.trip_id "
            "WHERE l.aircraft_id = ? AND t.status = 'BOOKED' AND l.cancelled = 0 "
            "AND l.pax_count IS NOT NULL ORDER BY l.off_block DESC LIMIT 1"
        )
    (leg_id,) = connection.execute(query, (aircraft_id,)).fetchone()
    return str(leg_id)


def fault_setup(setup: FaultSetup) -> None:
    path, _demo_tails = setup.demo_fms("fm_values_fms")
    connection = sqlite3.connect(path)
    try:
        tails = _rename_tails(connection)
        connection.commit()
        pristine = path.with_name("fm_values_fms.pristine.sqlite")
        shutil.copyfile(path, pristine)
        PRISTINE["fms"], PRISTINE["live"] = pristine, path
        marketed = dict(
            connection.execute("SELECT aircraft_id, homebase FROM aircraft WHERE marketed")
        )
        for aircraft_id, (field, value) in FAULTS.items():
            leg_id = _leg_to_spoil(connection, aircraft_id, field)
            if field == "price":
                connection.execute(
                    f"UPDATE empty_leg_offers SET price = {value}, currency = 'USD' "
                    "WHERE leg_id = ?",
                    (leg_id,),
                )
            else:
                connection.execute(f"UPDATE legs SET {field} = {value} WHERE leg_id = ?", (leg_id,))
            SPOILED[tails[aircraft_id]] = (leg_id, field)
        connection.commit()
        (infinite,) = connection.execute(
            "SELECT price FROM empty_leg_offers WHERE leg_id = ?", (SPOILED["N650VL"][0],)
        ).fetchone()
        assert infinite == float("inf"), infinite  # the FMS really holds Infinity
    finally:
        connection.close()
    from aerosync.airports import to_icao

    for aircraft_id, homebase in marketed.items():
        setup.sandbox.state.set_homebase(tails[aircraft_id], to_icao(homebase)[0])
    CLEAN[:] = sorted(tails[a] for a in marketed if a not in FAULTS)
    setup.sqlite_fms("fm_values_fms", path)
    setup.marketplace(CONNECTION, COMPANY)
    setup.add_company(
        {"id": COMPANY, "name": "Values Charter", "schedule": "*/15 * * * *",
         "marketplace_conn_id": CONNECTION,
         "fms": {"conn_id": "fm_values_fms", "dialect": "reference"}},
        [tails[a] for a in marketed],
    )  # fmt: skip


def _puts(faults: FaultEnv) -> dict[str, int]:
    return {tail: len(faults.puts(tail)) for tail in faults.tails(COMPANY)}


def _assert_held_naming_activity_and_field(record: dict[str, Any], tail: str) -> None:
    leg_id, field = SPOILED[tail]
    assert record["outcome"] == "held", record
    assert record["http_status"] is None and not record["activities_sent"], record
    named = [r for r in record["reasons"] if r["activity_id"] == leg_id and r["field"] == field]
    assert named, (tail, leg_id, field, record["reasons"])
    assert all(r["severity"] == "blocking" for r in named)
    assert leg_id in named[0]["message"], named[0]
    codes = {r["code"] for r in record["reasons"]}
    assert "UPLOADED_RECENTLY" not in codes and "PAYLOAD_INVALID" not in codes, codes


def test_values_that_cannot_be_right_hold_their_aircraft_and_are_never_sent(
    faults: FaultEnv,
) -> None:
    faults.forget(COMPANY)
    before = _puts(faults)
    first = faults.upload(COMPANY)
    assert first.state == "success", first.states
    status = faults.status(COMPANY)
    assert sorted(status) == faults.tails(COMPANY)
    sent = {tail: count - before[tail] for tail, count in _puts(faults).items()}
    for tail in SPOILED:
        assert sent[tail] == 0, f"{tail} was sent"
        _assert_held_naming_activity_and_field(status[tail], tail)
    assert CLEAN, "the fleet keeps a clean aircraft as the control"
    for tail in CLEAN:
        assert sent[tail] == 1, tail
        assert status[tail]["outcome"] in ("uploaded", "uploaded_with_errors"), status[tail]
    # The reasons are plain about what and where: the 2 MB note is named, never copied.
    note_reason = status["N410VL"]["reasons"]
    assert sum(len(str(r["message"])) for r in note_reason) < 2000, note_reason

    # Triggered again at once: the clean aircraft waits out its 5 minutes; the held ones were
    # never sent, so nothing about them is "too soon": they are held again for their values.
    second = faults.upload(COMPANY)
    assert second.state == "success", second.states
    status = faults.status(COMPANY)
    after = {tail: count - before[tail] for tail, count in _puts(faults).items()}
    for tail in SPOILED:
        assert after[tail] == 0, f"{tail} was sent"
        assert status[tail]["run_id"] == second.run_id
        _assert_held_naming_activity_and_field(status[tail], tail)
    for tail in CLEAN:
        assert after[tail] == 1, tail
        assert status[tail]["outcome"] == "skipped", status[tail]
    faults.assert_no_secrets([first, second], COMPANY)


def test_a_held_aircraft_goes_at_the_next_trigger_once_its_data_is_mended(
    faults: FaultEnv,
) -> None:
    """Held attempts never count toward the 5-minute spacing: no call went out."""
    faults.forget(COMPANY)
    live, pristine = PRISTINE["live"], PRISTINE["fms"]
    spoiled = live.with_name("fm_values_fms.spoiled.sqlite")
    shutil.copyfile(live, spoiled)
    try:
        held = faults.upload(COMPANY)
        assert held.state == "success", held.states
        assert {t for t, r in faults.status(COMPANY).items() if r["outcome"] == "held"} == set(
            SPOILED
        )
        before = _puts(faults)
        shutil.copyfile(pristine, live)  # the dispatcher mends the values in the FMS
        mended = faults.upload(COMPANY)
        assert mended.state == "success", mended.states
        status = faults.status(COMPANY)
        sent = {tail: count - before[tail] for tail, count in _puts(faults).items()}
        for tail in SPOILED:
            assert sent[tail] == 1, tail
            assert status[tail]["outcome"] in ("uploaded", "uploaded_with_errors"), status[tail]
        for tail in CLEAN:
            assert sent[tail] == 0, tail
            assert status[tail]["outcome"] == "skipped", status[tail]
        leg_id, _ = SPOILED["N650VL"]
        body = faults.puts("N650VL")[-1]["body"]
        (offered,) = [a for a in body["activities"] if a["activityId"] == leg_id]
        assert offered["price"] > 0 and offered["currency"] == "USD"
    finally:
        shutil.copyfile(spoiled, live)
