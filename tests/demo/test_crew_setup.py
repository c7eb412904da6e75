"""The demo's one crew-sync run, through the sync's steps on SQLite over the drops `make demo`
writes: it loads every qualification and EBT grading of the drops dated by its window's end
(those readiness needs, from months before), quarantines the broken rows the demo shows, and
neither its summaries (the tasks' XCom and logs) nor the report the demo prints hold a medical
date."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import GRADINGS, QUALIFICATIONS
from aerosync.demo.crew import build_training_data, write_drops
from aerosync.demo.crew_setup import DEMO_DAYS, demo_run_day, training_report
from aerosync.stores.database import sqlite_engine
from tests.conftest import NOW
from tests.crew.support import run_window, window_of

pytestmark = pytest.mark.integration
COMPANY = "alpine_jets"


def test_the_demo_run_loads_every_record_readiness_needs_and_prints_no_medical_date(
    tmp_path: Path,
) -> None:
    first = NOW.date() - timedelta(days=DEMO_DAYS)
    run_day = demo_run_day(NOW)
    data = build_training_data(first, DEMO_DAYS, broken=True, broken_on=run_day)
    drop = tmp_path / "drop"
    write_drops(drop, data)
    engine = sqlite_engine(tmp_path / "aerosync.db")
    window = window_of(first + timedelta(days=run_day))
    summary = run_window(engine, drop, window, "demo", company=COMPANY, today=NOW.date())
    store = TrainingStore(engine)
    by_end = window.end.date().isoformat()
    quals = [
        q
        for q in data.qualifications
        if q["issued_on"] <= by_end and q["expires_on"] >= q["issued_on"]
    ]
    assert {(q["employee_id"], q["qualification"], q["issued_on"]) for q in quals} == {
        (q["employee_id"], q["qualification"], q["issued_on"])
        for q in store.rows(COMPANY, QUALIFICATIONS)
    }
    assert len(quals) > DEMO_DAYS  # the window's own and all those from before
    gradings = [g for g in data.gradings if g["session_date"] <= by_end and g["APK"] != "7"]
    assert {(g["session_id"], g["pilot_id"]) for g in gradings} == {
        (g["session_id"], g["employee_id"]) for g in store.rows(COMPANY, GRADINGS)
    }
    assert summary["validated"]["quarantined"] == 4  # grade 7, E999 twice, the OPC
    medical = {
        day
        for q in data.qualifications
        if q["qualification"] == "MEDICAL"
        for day in (q["issued_on"], q["expires_on"])
    }
    printed = training_report(engine, COMPANY) + json.dumps(summary, default=str)
    assert medical and not [day for day in medical if day in printed]
    engine.dispose()
