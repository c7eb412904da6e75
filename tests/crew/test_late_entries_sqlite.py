"""Qualifications and EBT gradings entered late (test_late_entries_postgres.py runs the same on
PostgreSQL): a row dated in a window that has already run, present only in a later run's export,
is loaded by that later run, because every row dated before a window's end belongs to it; each
run re-reads the whole export, and what it read before changes and audits nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from aerosync.crew.export import ebt_statements, status_rows
from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import GRADINGS, QUALIFICATIONS
from aerosync.demo.crew import (
    GRADING_COLUMNS,
    QUALIFICATION_COLUMNS,
    build_training_data,
    write_csv,
    write_drops,
)
from aerosync.stores.database import sqlite_engine
from tests.crew.support import audit_count, run_window, snapshot, window_of

pytestmark = pytest.mark.integration
FIRST = date(2026, 3, 1)
DAYS = 3
TODAY = FIRST + timedelta(days=DAYS + 1)
SOURCES = ("hris", "qualifications", "ebt_gradings")
HOME = "https://hris.example.com"
# Dated 2 March: inside the first window (1 March 03:00Z to 2 March 03:00Z).
LATE_QUALIFICATION = {
    "employee_id": "E001",
    "qualification": "LINE_CHECK",
    "issued_on": "2026-03-02",
    "expires_on": "2027-03-02",
}
LATE_GRADING = {
    "session_id": "EBT-LATE",
    "pilot_id": "E002",
    "session_date": "2026-03-02",
    "instructor_id": "E003",
    **{c: "4" for c in ("APK", "COM", "FPA", "FPM", "LTW", "PSD", "SAW", "WLM", "KNO")},
}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    yield engine
    engine.dispose()


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    write_drops(folder, build_training_data(FIRST, DAYS))
    return folder


def _run(engine: Engine, drop: Path, k: int, run_id: str) -> dict[str, Any]:
    window = window_of(FIRST + timedelta(days=k))
    return run_window(engine, drop, window, run_id, today=TODAY, sources=SOURCES)


def _inserted(engine: Engine, run_id: str, table: str) -> list[dict[str, Any]]:
    return [
        json.loads(a["record_key"])
        for a in TrainingStore(engine).audit("acme", run_id)
        if a["action"] == "insert" and a["table_name"] == table
    ]


def test_a_qualification_and_a_grading_entered_late_load_on_the_next_run(
    engine: Engine, drop: Path
) -> None:
    _run(engine, drop, 0, "day_0")
    second = _run(engine, drop, 1, "day_1")
    # The second run read the first window's rows again: unchanged, not audited.
    assert second["loaded"]["qualifications"]["inserted"] == 1
    assert second["loaded"]["qualifications"]["unchanged"] > 0
    assert second["loaded"]["ebt_gradings"]["inserted"] == 1
    assert second["loaded"]["ebt_gradings"]["unchanged"] > 0
    # Entered after both windows ran, dated in the first: in the exports from now on.
    write_csv(drop / "qualifications" / "late.csv", QUALIFICATION_COLUMNS, [LATE_QUALIFICATION])
    write_csv(drop / "ebt" / "late.csv", GRADING_COLUMNS, [LATE_GRADING])
    _run(engine, drop, 2, "day_2")
    store = TrainingStore(engine)
    stored = {(q["employee_id"], q["qualification"], q["issued_on"]): q["expires_on"]
              for q in store.rows("acme", QUALIFICATIONS)}  # fmt: skip
    assert stored[("E001", "LINE_CHECK", "2026-03-02")] == "2027-03-02"
    sessions = {(g["session_id"], g["employee_id"]): g for g in store.rows("acme", GRADINGS)}
    assert sessions[("EBT-LATE", "E002")]["session_date"] == "2026-03-02"
    # Loaded by the later run, beside that window's own rows (day 2's LPC and EBT session).
    late_key = {"employee_id": "E001", "qualification": "LINE_CHECK", "issued_on": "2026-03-02"}
    assert late_key in _inserted(engine, "day_2", "training_qualifications")
    assert len(_inserted(engine, "day_2", "training_qualifications")) == 2
    gradings = _inserted(engine, "day_2", "training_ebt_gradings")
    assert {"session_id": "EBT-LATE", "employee_id": "E002"} in gradings and len(gradings) == 2
    # The run that loaded them tells crew management and the LMS; a later run does not again.
    day_2 = window_of(FIRST + timedelta(days=2))
    certified = [r["item"] for r in status_rows(store, "acme", day_2, "day_2")
                 if r["change"] == "certification" and r["employee_id"] == "E001"]  # fmt: skip
    assert "LINE_CHECK" in certified
    late_sessions = [
        st["object"]["id"] for st in ebt_statements(store, "acme", day_2, HOME, "day_2")
    ]
    assert any(a.endswith("/ebt/sessions/EBT-LATE") for a in late_sessions)
    later = [st["object"]["id"] for st in ebt_statements(store, "acme", day_2, HOME, "other")]
    assert not any(a.endswith("/ebt/sessions/EBT-LATE") for a in later)
    # Running again, the late run or the first window: nothing changes, nothing is audited.
    tables, audits = snapshot(engine), audit_count(engine)
    again = _run(engine, drop, 2, "day_2_again")
    _run(engine, drop, 0, "day_0_again")
    assert snapshot(engine) == tables and audit_count(engine) == audits
    for source, spec in (("qualifications", QUALIFICATIONS), ("ebt_gradings", GRADINGS)):
        everything = len(store.rows("acme", spec))
        assert again["loaded"][source] == {
            "inserted": 0,
            "updated": 0,
            "unchanged": everything,
            "beyond_retention": 0,
        }


def test_rows_dated_after_the_window_wait_for_theirs(engine: Engine, drop: Path) -> None:
    """The first window loads nothing dated after its end: day 1's and day 2's rows wait."""
    _run(engine, drop, 0, "day_0")
    store = TrainingStore(engine)
    assert max(q["issued_on"] for q in store.rows("acme", QUALIFICATIONS)) == "2026-03-02"
    assert max(g["session_date"] for g in store.rows("acme", GRADINGS)) == "2026-03-02"
    _run(engine, drop, 2, "day_2")
    assert max(q["issued_on"] for q in store.rows("acme", QUALIFICATIONS)) == "2026-03-04"
