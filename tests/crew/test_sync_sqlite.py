"""The training sync's domain steps on SQLite (tests/integration runs the same on PostgreSQL):
idempotent loads, one audit entry per real change, order-independent history, quarantine,
retention."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aerosync.crew.quarantine import QuarantineStore
from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import EMPLOYEES, GRADINGS, RECORDS
from aerosync.demo.crew import build_training_data, write_drops
from aerosync.demo.pilot_records import hired_on
from aerosync.stores.database import sqlite_engine
from tests.crew.support import audit_count, run_window, snapshot, window_of

# The whole sync, window after window, through its store and its GX gate: not a fast unit.
pytestmark = pytest.mark.integration
FIRST = date(2026, 3, 1)
DAYS = 10


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    yield engine
    engine.dispose()


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    write_drops(folder, build_training_data(FIRST, DAYS, broken=True))
    return folder


def _days(order: list[int]) -> list[date]:
    return [FIRST + timedelta(days=k) for k in order]


def _backfill(engine: Engine, drop: Path, order: list[int], tag: str) -> None:
    for day in _days(order):
        run_window(engine, drop, window_of(day), f"backfill__{day}__{tag}")


def _data(engine: Engine) -> dict[str, list[dict[str, object]]]:
    """The data tables without the columns that say which run wrote a row."""
    snap = snapshot(engine)
    snap.pop("training_quarantine")
    return {
        t: [{k: v for k, v in r.items() if k not in ("last_run_id",)} for r in rows]
        for t, rows in snap.items()
    }


def test_rerunning_every_window_changes_nothing(engine: Engine, drop: Path) -> None:
    _backfill(engine, drop, list(range(DAYS)), "first")
    first, audits = snapshot(engine), audit_count(engine)
    assert first["training_employee_versions"] and first["training_records"]
    assert audits == sum(len(first[t]) for t in first if t != "training_quarantine")
    _backfill(engine, drop, list(range(DAYS)), "second")
    assert snapshot(engine) == first
    assert audit_count(engine) == audits


def test_parts_of_two_rows_give_the_same_tables_summaries_and_audit(
    engine: Engine, drop: Path, tmp_path: Path
) -> None:
    """Staged in parts of 2 rows (read, validated and loaded part by part) or in one part:
    the same rows loaded and quarantined, the same audit, the same summaries."""
    other = sqlite_engine(tmp_path / "parts.db")
    summaries = []
    for target, part_rows in ((engine, 10_000), (other, 2)):
        for day in _days(list(range(DAYS))):
            done = run_window(target, drop, window_of(day), f"w__{day}", part_rows=part_rows)
            done["validated"].pop("validation_id")
            summaries.append(done)
    assert summaries[:DAYS] == summaries[DAYS:]
    assert snapshot(engine) == snapshot(other) and snapshot(engine)["training_quarantine"]
    assert audit_count(engine) == audit_count(other) > 0
    other.dispose()


def test_any_order_gives_the_same_tables(engine: Engine, drop: Path, tmp_path: Path) -> None:
    _backfill(engine, drop, list(range(DAYS)), "in_order")
    shuffled = list(range(DAYS))
    random.Random(7).shuffle(shuffled)
    other = sqlite_engine(tmp_path / "other.db")
    _backfill(other, drop, shuffled, "shuffled")
    assert _data(other) == _data(engine)
    # One audit entry per row: whatever the order, each row arrived once and never changed.
    assert audit_count(other) == audit_count(engine)


def test_employee_history_is_effective_dated(engine: Engine, drop: Path) -> None:
    _backfill(engine, drop, [5, 3, 0, 9, 6], "mixed")
    store = TrainingStore(engine)
    history = store.employee_history("acme", "E004")
    hired = hired_on("E004", FIRST)  # long before the data's days
    assert [(v["role"], v["effective_from"], v["effective_to"]) for v in history] == [
        ("FO", hired.isoformat(), "2026-03-05"),
        ("CPT", "2026-03-05", None),
    ]
    assert store.employee_as_of("acme", "E004", "2026-03-04")["role"] == "FO"  # type: ignore[index]
    assert store.employee_as_of("acme", "E004", "2026-03-05")["role"] == "CPT"  # type: ignore[index]
    before = (hired - timedelta(days=1)).isoformat()
    assert store.employee_as_of("acme", "E004", before) is None
    left = store.employee_history("acme", "E006")[-1]
    assert left["employment_status"] == "terminated" and left["left_on"] == "2026-03-08"


def test_a_changed_source_row_is_one_audited_update(engine: Engine, drop: Path) -> None:
    run_window(engine, drop, window_of(FIRST), "run_1")
    csv = drop / "hris" / "employees.csv"
    csv.write_text(csv.read_text().replace("Ana Lima", "Ana Lima-Costa"))
    before = audit_count(engine)
    run_window(engine, drop, window_of(FIRST), "run_2")
    run_window(engine, drop, window_of(FIRST), "run_3")
    changes = TrainingStore(engine).audit("acme", "run_2")
    assert audit_count(engine) == before + 1
    (change,) = changes
    assert change["action"] == "update" and change["source"] == "hris"
    assert '"Ana Lima"' in change["old_values"] and '"Ana Lima-Costa"' in change["new_values"]
    assert '"employee_id":"E001"' in change["record_key"]


def test_broken_rows_are_quarantined_and_the_rest_of_the_file_loads(
    engine: Engine, drop: Path
) -> None:
    result = run_window(engine, drop, window_of(FIRST), "run_1")
    entries = {e["source"]: e for e in QuarantineStore(engine).entries("acme")}
    # The statement of an unknown employee is refused by both tables it feeds.
    assert set(entries) == {"ebt_gradings", "statements", "enrolments", "qualifications"}
    grade = entries["ebt_gradings"]
    assert grade["reason_codes"] == ["grades_in_range"] and grade["employee_id"] == "E004"
    assert "APK=7" in grade["reasons"][0]["message"] and grade["reasons"][0]["field"] == "grades"
    assert "line" in grade["row_ref"]
    assert entries["statements"]["reason_codes"] == ["employee_known"]
    assert "E999" in entries["statements"]["reasons"][0]["message"]
    assert entries["enrolments"]["reason_codes"] == ["employee_known"]
    assert entries["enrolments"]["row_ref"] == entries["statements"]["row_ref"]
    assert entries["qualifications"]["reason_codes"] == ["expiry_after_issue"]
    # The good rows of the same files loaded.
    store = TrainingStore(engine)
    # Gradings are master data: the window's session and every earlier one (the crew's last
    # recurrent sessions before the data's days).
    recurrent = [f"EBT-R-{e}" for e in ("E001", "E002", "E003", "E004", "E006")]
    assert [g["session_id"] for g in store.rows("acme", GRADINGS)] == ["EBT-000", *recurrent]
    assert store.rows("acme", RECORDS)
    assert result["validated"]["quarantined"] == 4
    example = result["validated"]["quarantine_examples"][0]
    assert "company acme" in example and "source" in example
    # Re-running the window quarantines nothing new.
    again = run_window(engine, drop, window_of(FIRST), "run_2")
    assert again["validated"]["newly_quarantined"] == 0
    assert len(QuarantineStore(engine).entries("acme")) == 4


def test_unknown_employee_rows_load_once_the_hris_knows_them(engine: Engine, drop: Path) -> None:
    window = window_of(FIRST + timedelta(days=5))  # E005 is hired in this window
    run_window(engine, drop, window, "lms_first", sources=("statements",))
    waiting = [e for e in QuarantineStore(engine).entries("acme") if e["employee_id"] == "E005"]
    assert waiting and all(e["resolved_at"] is None for e in waiting)
    run_window(engine, drop, window, "hris_later", sources=("hris",))
    resolved = [e for e in QuarantineStore(engine).entries("acme") if e["employee_id"] == "E005"]
    assert all(e["resolved_run_id"] == "hris_later" for e in resolved)
    employees = {r["employee_id"] for r in TrainingStore(engine).rows("acme", RECORDS)}
    assert "E005" in employees


def test_retention_purges_old_rows_and_audits_the_purge(engine: Engine, drop: Path) -> None:
    _backfill(engine, drop, list(range(DAYS)), "load")
    store = TrainingStore(engine)
    gradings_before = len(store.rows("acme", GRADINGS))
    # Ten days later with a 5-day retention: the first sessions are older than the period.
    today = FIRST + timedelta(days=DAYS + 5)
    run_window(
        engine,
        drop,
        window_of(FIRST + timedelta(days=DAYS - 1)),
        "purge",
        today=today,
        retention_days=10,
    )
    purges = [a for a in store.audit("acme", "purge") if a["action"] == "purge"]
    gradings_after = store.rows("acme", GRADINGS)
    assert len(gradings_after) < gradings_before
    assert all(g["session_date"] >= "2026-03-06" for g in gradings_after)
    assert {p["table_name"] for p in purges} >= {"training_ebt_gradings", "training_records"}
    assert all(p["old_values"] and p["new_values"] is None for p in purges)
    # E004's FO version ended on 2026-03-05, before the cutoff: purged; the current one stays.
    assert [v["role"] for v in store.employee_history("acme", "E004")] == ["CPT"]
    # Re-running an old window neither loads nor purges again.
    count = audit_count(engine)
    run_window(engine, drop, window_of(FIRST), "old_again", today=today, retention_days=10)
    assert audit_count(engine) == count


def test_both_statement_transports_give_the_same_records(drop: Path) -> None:
    from tests.crew.support import read_drop

    def key(rows: list) -> list:  # type: ignore[type-arg]
        return sorted(str(sorted(m.record.items())) for m in rows)

    assert key(read_drop(drop, "statements")) == key(read_drop(drop, "statements", lrs=True))
    assert EMPLOYEES.source == "hris"


def test_export_and_ebt_statements_of_a_window_are_the_same_on_a_rerun(
    engine: Engine, drop: Path
) -> None:
    from aerosync.crew.export import ebt_statements, status_csv, status_rows

    window = window_of(FIRST + timedelta(days=2))
    run_window(engine, drop, window, "run_1")
    store = TrainingStore(engine)
    rows = status_rows(store, "acme", window)
    assert {r["change"] for r in rows} == {"completion", "certification"}
    assert all(r["date"] for r in rows)
    statements = ebt_statements(store, "acme", window, "https://hris.example.com")
    (only,) = statements
    assert only["actor"]["account"]["name"] in {"E001", "E002", "E003", "E004", "E006"}
    grades = only["result"]["extensions"]["https://aerosync.dev/xapi/extensions/ebt-competencies"]
    assert set(grades) == {"APK", "COM", "FPA", "FPM", "LTW", "PSD", "SAW", "WLM", "KNO"}
    run_window(engine, drop, window, "run_2")
    assert status_csv(status_rows(store, "acme", window)) == status_csv(rows)
    assert ebt_statements(store, "acme", window, "https://hris.example.com") == statements
    # A qualification issued in a window shows as expiring in the window a year later.
    later = window_of(FIRST + timedelta(days=2 + 365))
    assert [r["change"] for r in status_rows(store, "acme", later)] == ["expiry"]


def test_a_source_failing_half_way_leaves_nothing_staged(engine: Engine) -> None:
    from aerosync.crew.mapping import map_employee
    from aerosync.crew.steps import MAPPED, TrainingStores, stage_source

    stores = TrainingStores.on(engine)
    row = {"employee_id": "E1", "name": "A", "employment_status": "active",
           "effective_from": "2026-01-01"}  # fmt: skip

    def rows() -> Iterator[object]:
        for n in range(5):
            yield map_employee(row, f"employees.csv line {n + 2}")
        raise ValueError("file 'employees.csv': the header names the column 'name' twice")

    window = window_of(FIRST)
    assert stage_source("acme", "hris", [], window, stores, "r1").parts == 0
    stage_source("acme", "hris", [map_employee(row, "x line 2")] * 3, window, stores, "r1", 2)
    assert [len(p) for p in stores.staging.parts("acme", "r1", MAPPED + "hris")] == [2, 1]
    with pytest.raises(ValueError, match="twice"):
        stage_source("acme", "hris", rows(), window, stores, "r1", part_rows=2)  # type: ignore[arg-type]
    assert list(stores.staging.parts("acme", "r1", MAPPED + "hris")) == []
