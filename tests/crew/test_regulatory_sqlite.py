"""The regulatory exports of the demo company, from the store the demo's crew-sync run leaves
(SQLite here; the same tests run on PostgreSQL in test_regulatory_postgres.py): the PRD export of
the demo's training events passes its suite; a pilot's EASA record lists every record of the
retention period (compared with the store, records at the boundary included); no file holds a
medical date or a name; the same store writes the same bytes; a failing suite writes nothing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from aerosync.config.training import RegulatoryExport
from aerosync.crew.readiness.days import AsOf
from aerosync.crew.regulatory.checks import ExportRefused, problems
from aerosync.crew.regulatory.easa import easa_records, first_kept
from aerosync.crew.regulatory.prd import prd_events
from aerosync.crew.regulatory.run import Writer, build, export_window
from aerosync.crew.sources import Window
from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import GRADINGS, LEG_CREW, QUALIFICATIONS, RECORDS, ROSTER
from aerosync.demo.crew import CREW, build_training_data, write_drops
from aerosync.demo.crew_setup import DEMO_DAYS, demo_run_day
from aerosync.demo.pilot_records import UNSAT_SESSION, unsat_days
from aerosync.stores.database import sqlite_engine
from tests.conftest import NOW
from tests.crew.support import run_window, window_of

pytestmark = pytest.mark.integration
COMPANY = "alpine_jets"
RETENTION = 3 * 365
FIRST = NOW.date() - timedelta(days=DEMO_DAYS)
RUN_WINDOW = window_of(FIRST + timedelta(days=demo_run_day(NOW)))
DAY = AsOf.window_end(RUN_WINDOW.end).day
# Every EBT session of the demo (the recurrent ones months before it, and its own).
ALL_SESSIONS = Window(RUN_WINDOW.end - timedelta(days=400), RUN_WINDOW.end)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    yield engine
    engine.dispose()


def _load_demo(engine: Engine, folder: Path) -> None:
    data = build_training_data(FIRST, DEMO_DAYS, broken=True, broken_on=demo_run_day(NOW))
    write_drops(folder / "drop", data)
    run_window(engine, folder / "drop", RUN_WINDOW, "demo", company=COMPANY, today=NOW.date())


def _config(folder: Path, within: int = 30) -> RegulatoryExport:
    return RegulatoryExport(export_to=str(folder), expiring_within_days=within)


def _writer() -> Writer:
    def write(location: str, name: str, content: str) -> str:
        path = Path(location) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        return str(path)

    return write


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*")) if p.is_file()}


def test_the_prd_export_of_the_demo_training_events_passes_its_suite(
    engine: Engine, tmp_path: Path
) -> None:
    _load_demo(engine, tmp_path)
    table = prd_events(engine, COMPANY, ALL_SESSIONS, _config(tmp_path / "out"))
    assert problems([table]) == []
    stored = TrainingStore(engine).rows(COMPANY, GRADINGS)
    assert len(table.rows) == len(stored) > DEMO_DAYS  # every session, none twice
    unsat = [r for r in table.rows if r["result"] == "UNSAT"]
    unsat_sessions = [f"EBT-{k:03d}" for k in unsat_days(DEMO_DAYS)]
    assert [r["event_id"] for r in unsat] == unsat_sessions
    assert all(r["failed_tasks"] == "Go-around with engine failure; Stabilised approach criteria"
               for r in unsat)  # fmt: skip
    assert unsat_sessions[0] == UNSAT_SESSION
    assert {r["result"] for r in table.rows} == {"SAT", "UNSAT"}
    for row in table.rows:
        assert row["source_row"] == f"training_ebt_gradings:{row['event_id']}/{row['employee_id']}"
        assert row["run_id"] == "demo" and row["audit_id"]
    # The audit id is the entry that loaded the row.
    with engine.connect() as conn:
        entry = conn.execute(
            text("SELECT table_name, record_key, run_id FROM training_audit WHERE audit_id = :a"),
            {"a": unsat[0]["audit_id"]},
        ).one()
    assert entry.table_name == "training_ebt_gradings" and UNSAT_SESSION in entry.record_key
    # No flight, duty, rest, medical or recency column.
    flight_and_duty = set(LEG_CREW.values + ROSTER.values) - {"type_code"}
    assert not flight_and_duty & set(table.columns)
    assert not [c for c in table.columns if any(w in c for w in ("medical", "recency", "rest"))]


def _expected_in_period(engine: Engine, employee: str, day: date) -> set[str]:
    """The EASA record of `employee` as the store says it, by direct SQL: every training record,
    non-medical qualification and EBT session dated by `day` whose latest date is in the period."""
    kept = first_kept(day, RETENTION).isoformat()
    by = {"c": COMPANY, "e": employee, "d": day.isoformat(), "k": kept}
    with engine.connect() as conn:
        records = conn.execute(
            text(
                "SELECT record_id FROM training_records WHERE company = :c AND employee_id = :e "
                "AND SUBSTR(completed_at, 1, 10) <= :d AND (SUBSTR(completed_at, 1, 10) >= :k "
                "OR expires_at >= :k)"
            ),
            by,
        ).all()
        quals = conn.execute(
            text(
                "SELECT qualification, issued_on FROM training_qualifications WHERE company = :c "
                "AND employee_id = :e AND qualification <> 'MEDICAL' AND issued_on <= :d "
                "AND (issued_on >= :k OR expires_on >= :k)"
            ),
            by,
        ).all()
        sessions = conn.execute(
            text(
                "SELECT session_id FROM training_ebt_gradings WHERE company = :c "
                "AND employee_id = :e AND session_date <= :d AND session_date >= :k"
            ),
            by,
        ).all()
    return (
        {f"training_records:{r.record_id}" for r in records}
        | {f"training_qualifications:{employee}/{q.qualification}/{q.issued_on}" for q in quals}
        | {f"training_ebt_gradings:{s.session_id}/{employee}" for s in sessions}
    )


def _near_the_boundary(engine: Engine, employee: str, day: date) -> dict[str, bool]:
    """Records of `employee` one day either side of the first day kept: source row -> listed?"""
    kept = first_kept(day, RETENTION)
    now = datetime.now(UTC)
    store = TrainingStore(engine)

    def qual(code: str, issued: date, expires: date | None) -> dict[str, Any]:
        return {
            "employee_id": employee,
            "qualification": code,
            "issued_on": issued.isoformat(),
            "expires_on": None if expires is None else expires.isoformat(),
        }

    quals = [
        qual("OPC", kept - timedelta(days=400), kept),  # valid through the first day kept
        qual("LPC", kept - timedelta(days=400), kept - timedelta(days=1)),  # ended the day before
        qual("CRM_INSTRUCTOR", kept, None),  # issued on the first day kept
        qual("DG_AWARENESS", kept - timedelta(days=1), None),  # issued the day before
    ]
    store.upsert(COMPANY, QUALIFICATIONS, quals, "boundary", now)
    completed = (kept - timedelta(days=1)).isoformat()
    record = {
        "record_id": "boundary-crm",
        "employee_id": employee,
        "course_id": "CRM",
        "module_id": None,
        "verb": "passed",
        "success": "true",
        "score": 0.9,
        "completed_at": f"{completed}T10:00:00.000000Z",
        "expires_at": (kept + timedelta(days=10)).isoformat(),  # valid into the period
        "stored_at": f"{completed}T11:00:00.000000Z",
    }
    store.upsert(COMPANY, RECORDS, [record], "boundary", now)
    session = {c: None for c in GRADINGS.values} | {
        "session_id": "EBT-OLD",
        "employee_id": employee,
        "session_date": (kept - timedelta(days=1)).isoformat(),
        "apk": 4,
    }
    store.upsert(COMPANY, GRADINGS, [session], "boundary", now)
    return {
        f"training_qualifications:{employee}/OPC/{(kept - timedelta(days=400)).isoformat()}": True,
        f"training_qualifications:{employee}/LPC/{(kept - timedelta(days=400)).isoformat()}": False,
        f"training_qualifications:{employee}/CRM_INSTRUCTOR/{kept.isoformat()}": True,
        f"training_qualifications:{employee}/DG_AWARENESS/{completed}": False,
        "training_records:boundary-crm": True,
        f"training_ebt_gradings:EBT-OLD/{employee}": False,
    }


def test_a_pilots_easa_record_lists_every_record_of_the_retention_period(
    engine: Engine, tmp_path: Path
) -> None:
    _load_demo(engine, tmp_path)
    pilot = "E003"  # the UNSAT session, a lapsed line check, ratings, LPCs
    boundary = _near_the_boundary(engine, pilot, DAY)
    records = easa_records(engine, COMPANY, DAY, RETENTION)
    listed = [row["source_row"] for row in records[pilot].rows]
    assert len(listed) == len(set(listed))
    assert set(listed) == _expected_in_period(engine, pilot, DAY)
    assert {row: row in listed for row in boundary} == boundary
    assert f"training_ebt_gradings:{UNSAT_SESSION}/{pilot}" in listed
    assert problems(list(records.values())) == []
    # Everyone with a record has an extract, and no extract holds another person's rows.
    assert {e for e, t in records.items() if {r["employee_id"] for r in t.rows} == {e}} == set(
        records
    )


def _medical_dates(engine: Engine) -> dict[str, set[str]]:
    """Each person's medical dates that none of their other records share (a new hire's rating
    issued on the induction day shares its medical's date and says nothing about the medical)."""
    with engine.connect() as conn:
        quals = conn.execute(
            text(
                "SELECT employee_id, qualification, issued_on, expires_on "
                "FROM training_qualifications WHERE company = :c"
            ),
            {"c": COMPANY},
        ).all()
    medical: dict[str, set[str]] = {}
    other: dict[str, set[str]] = {}
    for q in quals:
        into = medical if q.qualification == "MEDICAL" else other
        into.setdefault(q.employee_id, set()).update(d for d in (q.issued_on, q.expires_on) if d)
    return {e: dates - other.get(e, set()) for e, dates in medical.items()}


def _rows_of(name: str, body: str) -> list[dict[str, Any]]:
    if name.endswith(".json"):
        return list(json.loads(body)["rows"])
    return list(csv.DictReader(io.StringIO(body)))


def test_neither_the_prd_nor_the_easa_files_hold_a_sensitive_value_or_a_name(
    engine: Engine, tmp_path: Path
) -> None:
    _load_demo(engine, tmp_path)
    out = tmp_path / "out"
    export_window(engine, COMPANY, ALL_SESSIONS, _config(out, 366), RETENTION, _writer())
    files = {name: body.decode() for name, body in _files(out).items()}
    assert sum(n.startswith("faa_prd_training_events__") for n in files) == 2
    assert sum(n.startswith("easa_training_record__") for n in files) == 2 * len(CREW)
    medical = _medical_dates(engine)
    assert sum(len(dates) for dates in medical.values()) >= 6  # the search has something to find
    names = [name for _, name, _, _ in CREW]
    searched = 0
    for name, body in files.items():
        assert "MEDICAL" not in body and not [n for n in names if n in body], name
        for row in _rows_of(name, body):
            values = {str(v) for v in row.values()}
            assert not values & medical.get(row["employee_id"], set()), (name, row["source_row"])
        if name.startswith("easa_training_record__"):  # one person's file, searched whole
            employee = name.split("__")[2]
            assert not [d for d in medical.get(employee, ()) if d in body], name
            searched += len(medical.get(employee, ()))
    assert searched >= 6
    # The same search finds them where they are: in the store.
    with engine.connect() as conn:
        stored = json.dumps([list(r) for r in conn.execute(text(
            "SELECT * FROM training_qualifications")).all()])  # fmt: skip
    assert all(d in stored for dates in medical.values() for d in dates)


def test_the_same_store_writes_the_same_bytes(engine: Engine, tmp_path: Path) -> None:
    _load_demo(engine, tmp_path)
    config = _config(tmp_path / "first", 366)
    export_window(engine, COMPANY, ALL_SESSIONS, config, RETENTION, _writer())
    # The window run again (a re-run loads nothing new), then exported again elsewhere.
    run_window(engine, tmp_path / "drop", RUN_WINDOW, "rerun", company=COMPANY, today=NOW.date())
    again = _config(tmp_path / "second", 366)
    export_window(engine, COMPANY, ALL_SESSIONS, again, RETENTION, _writer())
    first, second = _files(tmp_path / "first"), _files(tmp_path / "second")
    assert first == second and len(first) == 2 * (2 + len(CREW))
    document = json.loads(first[next(n for n in first if n.endswith(".json"))])
    assert document["rows"] and "written_at" not in json.dumps(document)


def test_a_failing_suite_writes_nothing_and_names_the_pilot_and_field(
    engine: Engine, tmp_path: Path
) -> None:
    _load_demo(engine, tmp_path)
    store = TrainingStore(engine)
    unsat = next(g for g in store.rows(COMPANY, GRADINGS) if g["session_id"] == UNSAT_SESSION)
    broken = {c: unsat[c] for c in GRADINGS.columns} | {"failed_tasks": None, "type_code": None}
    store.upsert(COMPANY, GRADINGS, [broken], "corrected", datetime.now(UTC))
    out = tmp_path / "out"
    with pytest.raises(ExportRefused) as refused:
        export_window(engine, COMPANY, ALL_SESSIONS, _config(out), RETENTION, _writer())
    message = str(refused.value)
    employee = unsat["employee_id"]
    assert f"company {COMPANY}" in message
    assert f"employee {employee}, field failed_tasks: An UNSAT event lists no failed" in message
    assert f"employee {employee}, field aircraft_type" in message
    assert f"training_ebt_gradings:{UNSAT_SESSION}/{employee}" in message
    name = next(n for e, n, _, _ in CREW if e == employee)
    assert name not in message and "Late go-around" not in message  # no name, no value
    assert not out.exists() or not list(out.iterdir())


def test_every_export_of_a_run_is_checked_before_any_is_written(
    engine: Engine, tmp_path: Path
) -> None:
    _load_demo(engine, tmp_path)
    tables = build(engine, COMPANY, RUN_WINDOW, _config(tmp_path), RETENTION)
    assert [t.name for t in tables[:2]] == ["faa_prd_training_events", "expiring"]
    assert {t.name for t in tables[2:]} == {"easa_training_record"}
    assert problems(tables) == []
    # The demo's one run exports its own window's session, and that one is UNSAT.
    assert [r["result"] for r in tables[0].rows] == ["UNSAT"]
