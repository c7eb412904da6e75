"""The LMS's course catalog and enrolments through the training-sync steps on SQLite
(tests/crew/test_lms_sync_postgres.py runs the same on PostgreSQL): the catalog loads once, an
enrolment's statements give one enrolment in any arrival order, completions take their expiry
from the catalog, and each suite rule quarantines its row."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import permutations
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from aerosync.crew.enrolments import enrolment_id_of
from aerosync.crew.quarantine import QuarantineStore
from aerosync.crew.sources import map_statements
from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import COURSES, ENROLMENTS, RECORDS
from aerosync.demo.crew import build_training_data, write_drops
from aerosync.stores.database import sqlite_engine
from tests.crew.lms_support import (
    COMPANY,
    FIRST,
    at,
    catalog,
    csv_file,
    employees,
    read_csv,
    run_rows,
    statement,
    window_of,
)
from tests.crew.support import audit_count, run_window, snapshot

pytestmark = pytest.mark.integration
REGISTRATION = "3f2b8c1e-6d4a-4b7e-9f10-2a5c8d7e6b43"
PROVENANCE = ("source", "last_run_id", "last_changed_at")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    yield engine
    engine.dispose()


def _table(engine: Engine, table: str, company: str = COMPANY) -> list[dict[str, object]]:
    spec = {s.table: s for s in (COURSES, ENROLMENTS, RECORDS)}[table]
    return [
        {k: v for k, v in row.items() if k not in (*PROVENANCE, "company")}
        for row in TrainingStore(engine).rows(company, spec)
    ]


def _audits(engine: Engine, table: str, company: str = COMPANY) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT COUNT(*) FROM training_audit WHERE company = :c AND table_name = :t"),
                {"c": company, "t": table},
            ).scalar_one()
        )


def test_the_catalog_loads_once_and_loading_it_again_changes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    write_drops(drop, build_training_data(FIRST, 3))
    for day in range(3):
        window = window_of(FIRST + timedelta(days=day))
        run_window(engine, drop, window, f"w{day}", sources=("hris", "courses"))
    courses = {c["course_id"]: c for c in _table(engine, "training_courses")}
    assert sorted(courses) == ["CRM", "DG", "EBT", "LPC", "SEP"]
    assert courses["EBT"] == {"course_id": "EBT", "title": "EBT module", "category": "ebt",
                              "validity_days": 365, "ebt_module": 1, "active": 1}  # fmt: skip
    assert {c["ebt_module"] for k, c in courses.items() if k != "EBT"} == {0}
    # Every window read the whole catalog; only the first inserted it.
    assert _audits(engine, "training_courses") == 5
    run_window(engine, drop, window_of(FIRST), "again", sources=("hris", "courses"))
    assert _audits(engine, "training_courses") == 5
    assert {r["last_run_id"] for r in TrainingStore(engine).rows(COMPANY, COURSES)} == {"w0"}


def _lifecycle() -> list[dict[str, object]]:
    """Registered, progressed (cmi5 40 %), completed on the first day, one enrolment."""
    stored = at(FIRST, 12)
    return [
        statement("reg", "registered", at(FIRST, 8), stored, registration=REGISTRATION),
        statement("prog", "progressed", at(FIRST, 9), stored, registration=REGISTRATION,
                  percent=40),
        statement("done", "completed", at(FIRST, 10), stored, registration=REGISTRATION),
    ]  # fmt: skip


EXPECTED = {
    "enrolment_id": REGISTRATION,
    "employee_id": "E001",
    "course_id": "EBT",
    "status": "completed",
    "progress": 1.0,
    "registered_at": "2026-03-01T08:00:00.000000Z",
    "updated_at": "2026-03-01T10:00:00.000000Z",
    "completed_at": "2026-03-01T10:00:00.000000Z",
}


def test_registered_progressed_completed_is_one_enrolment_in_any_arrival_order(
    engine: Engine,
) -> None:
    """Each order of arrival: statement n of the order stored in window n (so the LRS hands
    them over in that order), loaded window by window; and all three in one window, reversed."""
    orders = list(permutations(range(3)))
    changes = []
    for number, order in enumerate(orders):
        company = f"order{number}"
        for day, index in enumerate(order):
            when = FIRST + timedelta(days=day)
            raw = {**_lifecycle()[index], "stored": f"{when}T12:00:00Z"}
            rows = {"hris": employees("E001"), "statements": map_statements([raw], {})}
            run_rows(engine, window_of(when), f"{company}_{day}", rows, company)
        changes.append(_audits(engine, "training_enrolments", company))
        for day, index in enumerate(order):  # the same windows again: nothing changes
            when = FIRST + timedelta(days=day)
            raw = {**_lifecycle()[index], "stored": f"{when}T12:00:00Z"}
            rows = {"hris": employees("E001"), "statements": map_statements([raw], {})}
            run_rows(engine, window_of(when), f"{company}_again_{day}", rows, company)
        assert _audits(engine, "training_enrolments", company) == changes[-1]
    # One audit entry per real change: the first arrival inserts; a later one changes the row
    # only by what it adds (a progressed older than the completion adds nothing; a registered
    # adds its time), and nothing undoes the completion.
    assert changes == [3, 2, 3, 3, 2, 2]
    one_batch = {
        "hris": employees("E001"),
        "statements": map_statements(list(reversed(_lifecycle())), {}),
    }
    run_rows(engine, window_of(FIRST), "one", one_batch, "together")
    for company in [f"order{n}" for n in range(len(orders))] + ["together"]:
        assert _table(engine, "training_enrolments", company) == [EXPECTED], company
        # The completion stays a training record too; the others are no record.
        assert [r["verb"] for r in _table(engine, "training_records", company)] == ["completed"]
    assert _audits(engine, "training_enrolments", "together") == 1


def test_a_progressed_after_completed_does_not_reopen_the_enrolment(engine: Engine) -> None:
    stored = at(FIRST, 12)
    later = [
        statement("done", "passed", at(FIRST, 10), stored, course="CRM"),
        statement("review", "progressed", at(FIRST, 11), stored, course="CRM", percent=30),
        statement("reg", "registered", at(FIRST, 7), stored, course="CRM"),
    ]
    for n, raw in enumerate(later):
        run_rows(engine, window_of(FIRST), f"r{n}",
                 {"hris": employees("E001"), "statements": map_statements([raw], {})})  # fmt: skip
    (enrolment,) = _table(engine, "training_enrolments")
    assert enrolment["enrolment_id"] == enrolment_id_of("E001", "CRM")  # no registration
    assert (enrolment["status"], enrolment["progress"]) == ("passed", 1.0)
    assert enrolment["completed_at"] == "2026-03-01T10:00:00.000000Z"
    assert enrolment["updated_at"] == "2026-03-01T11:00:00.000000Z"
    assert enrolment["registered_at"] == "2026-03-01T07:00:00.000000Z"


def _completions() -> list[dict[str, object]]:
    stored = at(FIRST, 12)
    return [
        statement(f"c-{course}-{verb}", verb, at(FIRST, 9), stored, course=course)
        for course, verb in (("CRM", "passed"), ("SEP", "passed"), ("XYZ", "passed"),
                             ("EBT", "failed"), ("EBT", "completed"))
    ]  # fmt: skip


def _expiries(engine: Engine) -> dict[tuple[object, object], object]:
    return {
        (r["course_id"], r["verb"]): r["expires_at"] for r in _table(engine, "training_records")
    }


def test_a_completion_takes_its_expiry_from_the_catalog_of_its_run(
    engine: Engine, tmp_path: Path
) -> None:
    rows = {
        "hris": employees("E001"),
        "courses": catalog(tmp_path),
        "statements": map_statements(_completions(), {}),
    }
    validated, _ = run_rows(engine, window_of(FIRST), "run", rows)
    assert _expiries(engine) == {
        ("CRM", "passed"): "2027-03-01",  # 365 days
        ("SEP", "passed"): None,  # the catalog gives it no validity
        ("XYZ", "passed"): None,  # unknown to the catalog: loaded, warned about
        ("EBT", "failed"): None,  # a failed result never expires
        ("EBT", "completed"): "2027-03-01",
    }
    assert validated.quarantined == 0
    assert validated.sources["statements"] == {"good": 5, "quarantined": 0, "warnings": 1}
    assert validated.sources["enrolments"] == {"good": 5, "quarantined": 0, "warnings": 1}
    # One enrolment per course (EBT's failure and completion at the same instant: completed).
    enrolments = {e["course_id"]: e["status"] for e in _table(engine, "training_enrolments")}
    assert enrolments == {"CRM": "passed", "SEP": "passed", "XYZ": "passed", "EBT": "completed"}


def test_the_companies_file_overrides_the_catalog_and_the_lms_expiry_both(
    engine: Engine, tmp_path: Path
) -> None:
    override = {"CRM": 30}
    lms = csv_file(
        tmp_path / "lms" / "completions.csv",
        "statement_id,employee_id,course_id,verb,completed_at,stored_at,expires_at",
        "s1,E001,CRM,passed,2026-03-01T09:00:00Z,2026-03-01T12:00:00Z,",
        "s2,E001,EBT,passed,2026-03-01T09:00:00Z,2026-03-01T12:00:00Z,2026-06-30",
        "s3,E001,EBT,completed,2026-03-01T09:30:00Z,2026-03-01T12:00:00Z,",
    )
    rows = {
        "hris": employees("E001"),
        "courses": catalog(tmp_path),
        "statements": read_csv("statements", lms, override),
    }
    run_rows(engine, window_of(FIRST), "run", rows)
    assert _expiries(engine) == {
        ("CRM", "passed"): "2026-03-31",  # the override's 30 days, not the catalog's 365
        ("EBT", "passed"): "2026-06-30",  # as the LMS gave it
        ("EBT", "completed"): "2027-03-01",  # the catalog's
    }


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    write_drops(folder, build_training_data(FIRST, 8, broken=True))
    return folder


def _backfill(engine: Engine, drop: Path, days: list[int], tag: str) -> None:
    for day in days:
        run_window(engine, drop, window_of(FIRST + timedelta(days=day)), f"{tag}_{day}")


TABLES = ("training_courses", "training_enrolments", "training_records")


def test_a_backfill_twice_changes_nothing_and_audits_each_row_once(
    engine: Engine, drop: Path
) -> None:
    _backfill(engine, drop, list(range(8)), "first")
    ebt = [r for r in _table(engine, "training_records") if r["course_id"] == "EBT"]
    # The catalog's 365 days (the companies file's override names no EBT).
    assert ebt and all(
        r["expires_at"] == str(date.fromisoformat(str(r["completed_at"])[:10]) + timedelta(365))
        for r in ebt
    )
    statuses = {e["status"] for e in _table(engine, "training_enrolments")}
    assert {"passed", "in_progress", "failed"} <= statuses
    # The demo's enrolments each live in one window: every row was inserted once, never changed.
    for table in TABLES:
        assert _audits(engine, table) == len(_table(engine, table)) > 0, table
    first, audits = snapshot(engine), audit_count(engine)
    _backfill(engine, drop, list(range(8)), "again")
    assert snapshot(engine) == first and audit_count(engine) == audits


def test_a_backfill_in_any_order_gives_the_same_catalog_expiries_and_enrolments(
    engine: Engine, drop: Path, tmp_path: Path
) -> None:
    shuffled = list(range(8))
    random.Random(18).shuffle(shuffled)
    other = sqlite_engine(tmp_path / "other.db")
    _backfill(engine, drop, list(range(8)), "in_order")
    _backfill(other, drop, shuffled, "shuffled")
    assert all(_table(other, t) == _table(engine, t) for t in TABLES)
    assert all(_audits(other, t) == _audits(engine, t) for t in TABLES)
    other.dispose()


def test_each_rule_quarantines_its_row_naming_employee_course_and_field(
    engine: Engine, tmp_path: Path
) -> None:
    courses = csv_file(
        tmp_path / "courses" / "catalog.csv",
        "course_id,title,category,validity_days,ebt_module,active",
        "CRM,Crew resource management,recurrent,365,false,true",
        ",Nameless,recurrent,365,false,true",
        "DG,Dangerous goods,recurrent,-730,false,true",
        "SEP,Safety,recurrent,365,false,true",
        "SEP,Safety and emergency procedures,recurrent,365,false,true",
    )
    enrolments = csv_file(
        tmp_path / "enrolments" / "enrolments.csv",
        "enrolment_id,employee_id,course_id,status,progress,registered_at,updated_at,completed_at",
        "EN1,E001,CRM,in_progress,0.5,2026-02-01T08:00:00Z,2026-03-01T08:00:00Z,",
        "EN2,E999,CRM,registered,,2026-02-01T08:00:00Z,2026-03-01T08:00:00Z,",
        "EN3,E001,DG,in_progress,1.5,2026-02-01T08:00:00Z,2026-03-01T08:00:00Z,",
        "EN4,E001,SEP,dropped,,2026-02-01T08:00:00Z,2026-03-01T08:00:00Z,",
        "EN5,E001,LPC,passed,1,2026-02-01T08:00:00Z,2026-03-01T08:00:00Z,2026-01-20T08:00:00Z",
    )
    rows = {
        "hris": employees("E001"),
        "courses": read_csv("courses", courses),
        "enrolments": read_csv("enrolments", enrolments),
    }
    validated, loaded = run_rows(engine, window_of(FIRST), "run", rows)
    entries = {(e["source"], e["row_ref"]): e for e in QuarantineStore(engine).entries(COMPANY)}
    expected = {
        ("courses", "catalog.csv line 3"): ("course_id_present", "course_id", "missing"),
        ("courses", "catalog.csv line 4"): ("validity_not_negative", "validity_days", "'DG'"),
        ("courses", "catalog.csv line 5"): ("key_unique", None, "course_id=SEP"),
        ("courses", "catalog.csv line 6"): ("key_unique", None, "course_id=SEP"),
        ("enrolments", "enrolments.csv line 3"): ("employee_known", "employee_id", "E999"),
        ("enrolments", "enrolments.csv line 4"): ("progress_in_range", "progress", "1.5"),
        ("enrolments", "enrolments.csv line 5"): ("enrolment_status_known", "status", "dropped"),
        ("enrolments", "enrolments.csv line 6"): (
            "completed_after_registered",
            "completed_at",
            "before registered_at",
        ),
    }
    assert set(entries) == set(expected)
    for key, (code, field, words) in expected.items():
        (reason,) = entries[key]["reasons"]
        assert (reason["code"], reason["field"]) == (code, field), key
        assert words in reason["message"], (key, reason)
    assert entries[("enrolments", "enrolments.csv line 3")]["employee_id"] == "E999"
    assert entries[("enrolments", "enrolments.csv line 4")]["employee_id"] == "E001"
    assert validated.quarantined == len(expected)
    # The good rows of the same files loaded.
    assert [c["course_id"] for c in _table(engine, "training_courses")] == ["CRM"]
    assert [e["enrolment_id"] for e in _table(engine, "training_enrolments")] == ["EN1"]
    assert loaded.sources["enrolments"].counts.inserted == 1
    # An LRS statement that breaks a rule is named by its statement id under enrolments.
    bad = statement("over", "progressed", at(FIRST, 9), at(FIRST, 12), course="CRM", percent=150)
    lrs = {"hris": employees("E001"), "statements": map_statements([bad], {})}
    again, _ = run_rows(engine, window_of(FIRST), "lrs", lrs)
    store = QuarantineStore(engine)
    (refused,) = [e for e in store.entries(COMPANY) if e["row_ref"].startswith("statement ")]
    assert refused["source"] == "enrolments" and refused["reason_codes"] == ["progress_in_range"]
    assert again.newly_quarantined == 1
