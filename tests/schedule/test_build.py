"""The build_schedules task's work in one call: what it stages, plans and reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from aerosync.schedule.build import build_schedules
from aerosync.schedule.stages import ACTIVITIES, DECISIONS, SOURCES, Stores
from aerosync.stores.database import sqlite_engine
from tests.conftest import make_company
from tests.schedule.fms_builder import FmsBuilder

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def fleet(tmp_path: Path) -> FmsBuilder:
    fms = FmsBuilder(tmp_path / "fms.sqlite")
    fms.aircraft("N1BS").aircraft("N2BS").aircraft("N3BS")
    for tail in ("N1BS", "N2BS", "N3BS"):
        for i in range(3):
            fms.leg(f"{tail}-L{i}", tail, NOW + timedelta(hours=6 * i - 12))
    fms.leg("N2BS-BAD", "N2BS", "not a time")  # holds N2BS
    return fms


def test_builds_plans_and_reports_in_groups(tmp_path: Path) -> None:
    stores = Stores.on(sqlite_engine(tmp_path / "aerosync.db"))
    lines: list[str] = []
    fms = fleet(tmp_path)
    built = build_schedules(
        make_company(), lambda: fms.engine, stores, "r", NOW, 2, report=lines.append
    )
    assert [list(b.tails) for b in built.batches] == [["N1BS", "N3BS"]]  # N2BS held
    assert built.summary["validated"]["held"] == ["N2BS"]
    assert built.summary["normalised"]["blocking"] == 1
    # Only what later tasks read is staged: bodies, decisions, failed sources.
    with stores.staging.engine.connect() as conn:
        stages = set(conn.execute(sa.text("SELECT DISTINCT stage FROM staged_data")).scalars())
    assert stages == {ACTIVITIES, DECISIONS, SOURCES}
    assert set(stores.staging.get_text("skyway_charter", "r", ACTIVITIES)) == {
        "N1BS",
        "N2BS",
        "N3BS",
    }
    opened = [line for line in lines if line.startswith("::group::")]
    assert opened == ["::group::Extract and normalise", "::group::Validate (Great Expectations)"]
    assert lines.count("::endgroup::") == 2
    assert "skyway_charter: held: N2BS" in lines
    assert lines[-1] == "skyway_charter: 2 aircraft to upload in 1 batch(es)"
    assert all(line.startswith(("::", "skyway_charter:")) for line in lines)


def test_a_failed_fms_is_reported_and_holds_every_aircraft_it_feeds(tmp_path: Path) -> None:
    stores = Stores.on(sqlite_engine(tmp_path / "aerosync.db"))
    lines: list[str] = []

    def broken_fms() -> sa.Engine:
        raise RuntimeError("could not connect to postgresql://reader:s3cret@fms.example.com/fms")

    built = build_schedules(make_company(), broken_fms, stores, "r", NOW, 10, report=lines.append)
    assert built.batches == []
    text = "\n".join(lines)
    assert "skyway_charter: source failed (fms); the aircraft it feeds will be held" in text
    assert "FMS fms_skyway (reference): RuntimeError" in text
    assert "s3cret" not in text and "s3cret" not in str(built.summary)
