"""The demo AMS: one maintenance block on one Alpine Jets aircraft, in a gap of its demo schedule
whatever the day, read from the CSV drop `make demo` writes and staged as OE-GAJ's activity."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from aerosync.config.companies_file import load_config
from aerosync.config.resources import data_dir
from aerosync.demo.fleet import build_demo_fms
from aerosync.demo.maintenance import DROP_FILE, demo_events, prepare_ams
from aerosync.schedule.decisions import step_validate
from aerosync.schedule.extract import step_extract, step_normalise
from aerosync.schedule.sources.ams import local_ams_reader
from aerosync.schedule.stages import ACTIVITIES, Stores, staged_decisions
from aerosync.stores.database import sqlite_engine

pytestmark = pytest.mark.integration
AMS_ID = "AMS-WO-2026-1187"


def test_only_alpine_jets_has_demo_maintenance() -> None:
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    (event,) = demo_events(now, "alpine_jets")
    assert event["tail_number"] == "OE-GAJ" and event["kind"] == "MAINTENANCE"
    assert event["starts_at"] == "2026-12-16T07:00:00+01:00"  # Vienna local time, with offset
    assert demo_events(now, "skyway_charter") == []


@pytest.mark.parametrize(
    "now",
    [datetime(2026, 12, 7, 9, 0, tzinfo=UTC), datetime(2027, 3, 20, 23, 30, tzinfo=UTC)],
)
def test_the_demo_block_fits_oe_gaj_schedule_and_is_staged(tmp_path: Path, now: datetime) -> None:
    env = prepare_ams(tmp_path, data_dir("config") / "companies.yaml", now)
    config = Path(env["AEROSYNC_CONFIG"])
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    (alpine,) = [c for c in raw["companies"] if c["id"] == "alpine_jets"]
    assert alpine["ams"]["csv"] == str(tmp_path / "ams" / "alpine_jets")
    drop = tmp_path / "ams" / "alpine_jets" / DROP_FILE
    os.utime(drop, (now.timestamp(), now.timestamp()))  # written at the demo's `now`
    company = load_config(config).company("alpine_jets")
    assert company.ams is not None
    fms = build_demo_fms(tmp_path / "fms.sqlite", now, company="alpine_jets")
    stores = Stores.on(sqlite_engine(tmp_path / "aerosync.db"))
    extracted = step_extract(
        company,
        lambda: sa.create_engine(f"sqlite:///{fms.path}"),
        stores,
        "demo",
        now,
        read_ams=local_ams_reader(company.ams),
    )
    assert extracted.summary["ams"]["events"] == 1 and not extracted.failed_sources
    normalised = step_normalise(company, stores, "demo", now, extracted)
    step_validate(company, stores, "demo", now, normalised)
    decision = staged_decisions(stores, "alpine_jets", "demo", ["OE-GAJ"])["OE-GAJ"]
    assert not decision.held, decision.reasons
    assert all(w.activity_id != AMS_ID for w in decision.warnings), decision.warnings
    body = json.loads(stores.staging.get_text("alpine_jets", "demo", ACTIVITIES)["OE-GAJ"])
    (block,) = [a for a in body if a["activityId"] == AMS_ID]
    assert block["activityType"] == "Maintenance" and block["startAirport"] == {"icao": "LOWW"}
