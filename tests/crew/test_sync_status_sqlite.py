"""The Crew sync page's query over real training-sync runs (SQLite here; the same tests run on
PostgreSQL in test_sync_status_postgres.py): the run log each step writes, the last window per
source, a failed source, the open quarantine with its reasons and no personal value on the page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from aerosync.crew.export import export_name, status_rows
from aerosync.crew.mapping import Mapped
from aerosync.crew.quarantine import QuarantineStore
from aerosync.crew.run_log import EBT_STATEMENTS, TRAINING_STATUS
from aerosync.crew.steps import TrainingStores, stage_source
from aerosync.crew.sync_status import crew_sync_companies, crew_sync_status
from aerosync.demo.crew import build_training_data, write_csv, write_drops
from aerosync.status.crew_page import render
from aerosync.stores.database import sqlite_engine
from tests.crew.support import read_drop, run_window, window_of

pytestmark = pytest.mark.integration
FIRST = date(2026, 3, 1)
# A refused HRIS row whose source carries personal data the page must never show.
PERSONAL = {
    "employee_id": "E077",
    "name": "Zoe Quarantaine",
    "email": "zoe.quarantaine@example.com",
    "birth_date": "1979-12-31",
    "role": "FO",
    "base": "LSGG",
    "employment_status": "retired",
    "hired_on": "12/31/2019",
    "left_on": "",
    "effective_from": "2026-03-02",
}
FAILURE = (
    "company acme, source qualifications (/drops/qualifications): cannot be read: "
    "OSError: <script>alert(1)</script> disk gone"
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    yield engine
    engine.dispose()


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    write_drops(folder, build_training_data(FIRST, 4, broken=True))
    write_csv(folder / "hris" / "zz_new_hires.csv", tuple(PERSONAL), [PERSONAL])
    return folder


def _broken(rows: list[Mapped]) -> Iterator[Mapped]:
    yield from rows[:1]
    raise OSError("disk gone")


def _fail_qualifications(engine: Engine, drop: Path, day: date, run_id: str) -> None:
    """A run whose qualifications cannot be read, as the Airflow task records it: the other
    extracts stage their rows, and validate and load never run."""
    stores = TrainingStores.on(engine)
    window = window_of(day)
    for source in ("hris", "courses", "statements", "ebt_gradings", "roster"):
        stage_source("acme", source, read_drop(drop, source), window, stores, run_id)
    with pytest.raises(OSError):
        rows = read_drop(drop, "qualifications")
        stage_source("acme", "qualifications", _broken(rows), window, stores, run_id)
    now = datetime.now(UTC)
    stores.run_log.source_failed("acme", run_id, "qualifications", window, FAILURE, now)


def _write_exports(engine: Engine, day: date, run_id: str) -> None:
    """What the export tasks record: the CSV's path and rows, and a post to the LRS that failed."""
    stores = TrainingStores.on(engine)
    window, now = window_of(day), datetime.now(UTC)
    rows = status_rows(stores.records, "acme", window)
    path = f"/exports/{export_name('acme', window)}"
    stores.run_log.exported("acme", run_id, TRAINING_STATUS, window, path, len(rows), now)
    stores.run_log.exported(
        "acme",
        run_id,
        EBT_STATEMENTS,
        window,
        "connection lrs_acme, endpoint statements",
        None,
        now,
        failure="posting 1 EBT statement(s) to connection lrs_acme failed: HTTP 503",
    )


def test_a_run_leaves_its_window_counts_quarantine_and_exports(engine: Engine, drop: Path) -> None:
    run_window(engine, drop, window_of(FIRST), "day_1")
    _write_exports(engine, FIRST, "day_1")
    (acme,) = crew_sync_status(engine)
    assert acme.company == "acme"
    assert [r.source for r in acme.sources] == [
        "hris",
        "courses",
        "statements",
        "enrolments",  # fed by the statements: what it read is their observations
        "qualifications",
        "ebt_gradings",
        "roster",
    ]
    by_source = {r.source: r for r in acme.sources}
    for run in acme.sources:
        assert run.run_id == "day_1" and run.failure is None
        assert (run.window_start, run.window_end) == (window_of(FIRST).start, window_of(FIRST).end)
        assert run.in_window is not None and run.in_window == (run.good or 0) + (
            run.quarantined or 0
        )
        assert run.loaded == run.good
    assert by_source["hris"].quarantined == 1 and by_source["ebt_gradings"].quarantined == 1
    assert by_source["hris"].inserted == 5  # the demo's crew hired by then, each once
    assert acme.still_quarantined == {
        "ebt_gradings": 1,
        "enrolments": 1,
        "hris": 1,
        "qualifications": 1,
        "statements": 1,
    }
    refused = {q.source: q for q in acme.quarantined}
    hris = refused["hris"]
    assert hris.employee_id == "E077" and hris.row_ref == "zz_new_hires.csv line 2"
    assert {(r.code, r.field) for r in hris.reasons} == {
        ("fields_readable", "hired_on"),
        ("status_known", "employment_status"),
    }
    assert "Grade out of range (1 to 5)" in [r.text for r in refused["ebt_gradings"].reasons]
    exports = {e.export: e for e in acme.exports}
    assert exports[TRAINING_STATUS].rows and exports[TRAINING_STATUS].location.endswith(".csv")
    assert exports[EBT_STATEMENTS].failure and exports[EBT_STATEMENTS].rows is None


def test_the_page_shows_a_failed_source_and_the_quarantine_without_personal_data(
    engine: Engine, drop: Path
) -> None:
    run_window(engine, drop, window_of(FIRST), "day_1")
    _write_exports(engine, FIRST, "day_1")
    _fail_qualifications(engine, drop, FIRST + timedelta(days=1), "day_2")
    (acme,) = crew_sync_status(engine)
    by_source = {r.source: r for r in acme.sources}
    # The last run is day 2 for every source: the failed one, and those it stopped before load
    # (enrolments fed by the statements are logged when the gate reads them: day 1's stands).
    assert {r.run_id for r in acme.sources if r.source != "enrolments"} == {"day_2"}
    assert by_source["qualifications"].failure == FAILURE
    assert by_source["qualifications"].read is None
    assert by_source["hris"].read and by_source["hris"].loaded is None
    # The gate's own messages and the row as read hold personal values; the page must not.
    stored = str(QuarantineStore(engine).entries("acme"))
    assert "'12/31/2019' is not a date" in stored and "zoe.quarantaine@example.com" in stored
    html = render(crew_sync_status(engine))
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; disk gone" in html
    assert "data-source='qualifications' data-state='failed'" in html
    assert "Source failed:" in html
    assert "zz_new_hires.csv line 2" in html and "E077" in html
    assert "Employment status is not one of active, leave, inactive, terminated" in html
    assert "title='check status_known'" in html
    assert "5 row(s) still in quarantine" in html
    assert "failed: posting 1 EBT statement(s)" in html and "Training status CSV" in html
    for value in (*PERSONAL.values(), "Ana Lima", "Ben Okafor", "retired"):
        if value and value not in ("E077", "FO", "LSGG", "2026-03-02"):
            assert value not in html, value


def test_the_page_shows_only_the_companies_asked_for(engine: Engine, drop: Path) -> None:
    run_window(engine, drop, window_of(FIRST), "acme_1")
    run_window(engine, drop, window_of(FIRST), "other_1", company="other", sources=("hris",))
    assert [s.company for s in crew_sync_status(engine)] == ["acme", "other"]
    assert crew_sync_companies(engine) == ["acme", "other"]  # what the page asks the auth manager
    (other,) = crew_sync_status(engine, companies={"other"})
    assert [r.source for r in other.sources] == ["hris"]
    assert set(other.still_quarantined) == {"hris"}
    assert crew_sync_status(engine, companies=[]) == []
    html = render(crew_sync_status(engine, companies=["other"]))
    assert 'data-company="other"' in html and 'data-company="acme"' not in html


def test_a_database_without_the_training_tables_shows_no_run_and_stays_as_it_was(
    engine: Engine,
) -> None:
    from sqlalchemy import inspect

    assert crew_sync_status(engine) == [] and crew_sync_companies(engine) == []
    assert not inspect(engine).get_table_names()


def test_retention_forgets_runs_older_than_the_period(engine: Engine, drop: Path) -> None:
    """By when a run ran, not by its window: a backfill of an old window today stays."""
    now = datetime.now(UTC)
    stores = TrainingStores.on(engine)
    long_ago = now - timedelta(days=40)
    stores.run_log.staged("acme", "long_ago", "statements", window_of(FIRST), 3, 3, long_ago)
    stores.run_log.staged("acme", "long_ago", "hris", window_of(FIRST), 3, 3, long_ago)
    assert _runs(engine) == {"long_ago"}
    run_window(engine, drop, window_of(FIRST), "backfill", today=now.date(), retention_days=30)
    (acme,) = crew_sync_status(engine)
    assert {r.run_id for r in acme.sources} == {"backfill"}
    assert _runs(engine) == {"backfill"}


def _runs(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT run_id FROM training_sync_runs")).scalars())
