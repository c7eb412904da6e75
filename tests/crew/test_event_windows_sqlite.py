"""Event-started (incremental) runs and the scheduled run of the same window write every change
out ONCE: two event runs during the day, then the day's scheduled run, export and post what one
scheduled run alone would have, no row or statement twice; a completion that lands after an
earlier piece went out still goes out; running a run again writes the same piece.
(SQLite store, the steps and export functions the crew DAG's tasks call.)"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from aerosync.crew.export import ebt_statements, export_piece, status_rows
from aerosync.crew.run_log import EBT_STATEMENTS, TRAINING_STATUS
from aerosync.crew.sources import Window, current_window
from aerosync.crew.steps import TrainingStores
from aerosync.demo.crew import STATEMENT_COLUMNS, build_training_data, write_csv, write_drops
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
from tests.crew.support import run_window, window_of

pytestmark = pytest.mark.integration
DAY = date(2026, 3, 1)
SOURCES = ("hris", "statements", "qualifications", "ebt_gradings")
HOME = "https://hris.example.com"


def _at(hour: int) -> datetime:
    return datetime.combine(DAY, time(hour, 0), tzinfo=UTC)


def _completion(number: int, stored_hour: int) -> dict[str, Any]:
    return {
        "statement_id": f"00000000-0000-4000-8000-{number:012d}",
        "employee_id": "E001",
        "course_id": "CRM",
        "module_id": None,
        "verb": "passed",
        "success": True,
        "score": round(0.5 + number / 100, 2),  # tells the rows apart in the export
        "completed_at": f"{DAY}T{stored_hour - 1:02d}:00:00Z",
        "stored_at": f"{DAY}T{stored_hour:02d}:00:00Z",
        "registration": None,
        "progress": None,
    }


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    ensure_migrated(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    write_drops(folder, build_training_data(DAY - timedelta(days=1), 2))
    (folder / "statements" / "completions.csv").unlink()
    write_csv(
        folder / "statements" / "a.csv",
        STATEMENT_COLUMNS,
        [_completion(1, 5), _completion(2, 11), _completion(3, 20)],
    )
    return folder


def _run(engine: Engine, drop: Path, window: Window, run_id: str) -> dict[str, list[Any]]:
    """One run of the crew DAG: load the window, then its two exports as the tasks do them."""
    run_window(engine, drop, window, run_id, sources=SOURCES)
    stores = TrainingStores.on(engine)
    out: dict[str, list[Any]] = {}
    for export in (TRAINING_STATUS, EBT_STATEMENTS):
        until = stores.run_log.exported_until("acme", export, window, run_id)
        piece = export_piece(window, until)
        if piece is None:
            out[export] = []
            continue
        if export == TRAINING_STATUS:
            written = status_rows(stores.records, "acme", piece, run_id)
        else:
            written = ebt_statements(stores.records, "acme", piece, HOME, run_id)
        stores.run_log.exported("acme", run_id, export, piece, "x", len(written), _at(23))
        out[export] = written
    return out


def _key(row: dict[str, Any]) -> str:
    return str(row["id"]) if "id" in row else repr(sorted(row.items()))


def test_event_runs_then_the_scheduled_run_write_each_change_once(
    engine: Engine, drop: Path, tmp_path: Path
) -> None:
    day = window_of(DAY)
    first = _run(engine, drop, current_window("0 3 * * *", _at(12)), "asset_triggered__1")
    # A completion stored at 09:00 reaches the drop only after the 12:00 run wrote out.
    write_csv(drop / "statements" / "b.csv", STATEMENT_COLUMNS, [_completion(4, 9)])
    second = _run(engine, drop, current_window("0 3 * * *", _at(18)), "asset_triggered__2")
    daily = _run(engine, drop, day, "scheduled__1")

    # What the scheduled run alone writes out over a fresh store: the reference.
    alone = sqlite_engine(tmp_path / "alone.db")
    ensure_migrated(alone)
    reference = _run(alone, drop, day, "scheduled__only")
    alone.dispose()

    for export in (TRAINING_STATUS, EBT_STATEMENTS):
        pieces = [first[export], second[export], daily[export]]
        written = Counter(_key(row) for piece in pieces for row in piece)
        assert max(written.values(), default=0) == 1, f"{export} written twice: {written}"
        assert set(written) == {_key(row) for row in reference[export]}, export
    completions = [
        sorted(r["score"] for r in p[TRAINING_STATUS] if r["change"] == "completion")
        for p in (first, second, daily)
    ]
    # Stored at 05:00 and 11:00; at 09:00 but landed late; at 20:00.
    assert completions == [[0.51, 0.52], [0.54], [0.53]]
    assert reference[EBT_STATEMENTS], "the demo's gradings give statements to post"


def test_running_a_run_again_writes_the_same_piece(engine: Engine, drop: Path) -> None:
    """Cleared and run again, a run writes out its own piece again (the same file, the same
    statement ids), never a piece another run wrote."""
    day = window_of(DAY)
    event_window = current_window("0 3 * * *", _at(12))
    first = _run(engine, drop, event_window, "asset_triggered__1")
    daily = _run(engine, drop, day, "scheduled__1")
    assert _run(engine, drop, day, "scheduled__1") == daily
    assert _run(engine, drop, event_window, "asset_triggered__1") == first
    assert _run(engine, drop, day, "scheduled__1") == daily
    assert first[TRAINING_STATUS] and daily[TRAINING_STATUS]


def test_the_export_piece_starts_where_other_runs_ended() -> None:
    day = window_of(DAY)
    assert export_piece(day, None) == day
    assert export_piece(day, day.start - timedelta(hours=1)) == day
    assert export_piece(day, _at(12)) == Window(_at(12), day.end)
    assert export_piece(day, day.end) is None
    assert current_window("0 3 * * *", _at(12)) == Window(_at(3), _at(12))
    assert current_window("0 3 * * *", _at(2)) == Window(_at(3) - timedelta(days=1), _at(2))
