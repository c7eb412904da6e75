"""Isolation inside a company, through the build_schedules work: one undecodable byte holds only
its aircraft; an endless LMS holds only the aircraft it covers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aerosync.schedule.build import build_schedules
from aerosync.schedule.stages import DECISIONS, Stores
from aerosync.stores.database import sqlite_engine
from tests.conftest import make_company
from tests.schedule.fms_builder import FmsBuilder

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def _fleet(tmp_path: Path) -> FmsBuilder:
    fms = FmsBuilder(tmp_path / "fms.sqlite")
    fms.aircraft("N1BS").aircraft("N2BS").aircraft("N3BS")
    for tail in ("N1BS", "N2BS", "N3BS"):
        for i in range(3):
            fms.leg(f"{tail}-L{i}", tail, NOW + timedelta(hours=6 * i - 12), note="ok")
    return fms


def test_an_undecodable_note_holds_only_its_aircraft(tmp_path: Path) -> None:
    stores = Stores.on(sqlite_engine(tmp_path / "aerosync.db"))
    fms = _fleet(tmp_path)
    fms.execute("UPDATE legs SET note = CAST(X'4142FF43' AS TEXT) WHERE leg_id = 'N2BS-L1'")
    built = build_schedules(make_company(), lambda: fms.engine, stores, "r", NOW, 10)
    assert [list(b.tails) for b in built.batches] == [["N1BS", "N3BS"]]
    assert built.summary["validated"]["held"] == ["N2BS"]
    assert built.summary["extracted"]["failed_sources"] == []
    decision = stores.staging.get("skyway_charter", "r", DECISIONS)["N2BS"]
    [reason] = [r for r in decision["reasons"] if r["code"] == "TEXT_NOT_UTF8"]
    assert (reason["activity_id"], reason["field"]) == ("N2BS-L1", "note")
    assert "the note of activity N2BS-L1 of N2BS is not valid UTF-8 text" in reason["message"]


def test_an_undecodable_service_note_holds_only_the_aircraft_of_its_leg(tmp_path: Path) -> None:
    stores = Stores.on(sqlite_engine(tmp_path / "aerosync.db"))
    fms = _fleet(tmp_path)
    fms.execute(
        "INSERT INTO leg_services VALUES ('S1', 'N3BS-L2', 'P1', 'Signature', 'KTEB', 'FBO', "
        "'PAX', 'PROPRIETARY', CAST(X'C328' AS TEXT))"
    )
    company = make_company(share_services=True)
    built = build_schedules(company, lambda: fms.engine, stores, "r", NOW, 10)
    assert built.summary["validated"]["held"] == ["N3BS"]
    decision = stores.staging.get("skyway_charter", "r", DECISIONS)["N3BS"]
    [reason] = [r for r in decision["reasons"] if r["code"] == "TEXT_NOT_UTF8"]
    assert "the note of a service of activity N3BS-L2 of N3BS" in reason["message"]
    # A company that does not share services sends none: the same byte holds nothing.
    stores_without = Stores.on(sqlite_engine(tmp_path / "aerosync2.db"))
    built = build_schedules(make_company(), lambda: fms.engine, stores_without, "r", NOW, 10)
    assert built.summary["validated"]["held"] == []
