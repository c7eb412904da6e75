"""The retention purge: only rows older than their table's rule go, never an aircraft's latest,
latest successful or latest real record, nor the validation results they point at, nor the
staging of a run still running; each table's purge is audited. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from aerosync.config.retention import Retention
from aerosync.models import Outcome
from aerosync.stores.audit import read_entries
from aerosync.stores.database import iso, sqlite_engine
from aerosync.stores.migrate import migrate
from aerosync.stores.retention import PURGES, old_staged_runs, purge
from aerosync.stores.staging import StagingStore
from aerosync.stores.status import StatusStore
from aerosync.stores.status_records import StatusRecord
from tests.conftest import require_service
from tests.e2e.support import fresh_postgres_database, postgres_available

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
RULES = Retention(status_history_days=30, validation_results_days=10, staging_days=2)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def fill(engine: sa.Engine) -> None:
    status = StatusStore(engine)
    attempt = StatusRecord
    status.record(
        [
            # N1: an old success, older failures, a recent skip: the success and the latest
            # failure (its last real attempt) stay, the skip is its latest.
            attempt("co", "N1", "r1", days_ago(100), Outcome.FAILED, validation_id="v-old"),
            attempt("co", "N1", "r2", days_ago(90), Outcome.UPLOADED, validation_id="v-ok"),
            attempt("co", "N1", "r3", days_ago(80), Outcome.FAILED),
            attempt("co", "N1", "r4", days_ago(70), Outcome.HELD, validation_id="v-held"),
            attempt("co", "N1", "r5", days_ago(1), Outcome.SKIPPED),
            # N2: nothing for 200 days; its one record is its latest and stays.
            attempt("co", "N2", "r0", days_ago(200), Outcome.UPLOADED),
            # N3: recent history stays whole.
            attempt("co", "N3", "r6", days_ago(5), Outcome.FAILED),
            attempt("co", "N3", "r7", days_ago(4), Outcome.UPLOADED),
        ]
    )
    with engine.begin() as conn:
        for vid, days in (("v-old", 100), ("v-ok", 90), ("v-held", 70), ("v-new", 1)):
            conn.execute(
                sa.text(
                    "INSERT INTO validation_results (validation_id, company, run_id, "
                    "validated_at, suite, expectation, severity, success, element_count, "
                    "unexpected_count) VALUES (:v, 'co', 'r', :at, 's', 'e', 'blocking', "
                    ":ok, 1, 0)"
                ),
                {"v": vid, "at": iso(days_ago(days)), "ok": True},
            )
    staging = StagingStore(engine)
    for run in ("old-done", "old-running", "new"):
        staging.put("co", run, "decisions", {"N1": {}})
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE staged_data SET staged_at = :at WHERE run_id LIKE 'old-%'"),
            {"at": iso(days_ago(3))},
        )


def status_rows(engine: sa.Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT tail, run_id FROM upload_status")).all()
    return {(r.tail, r.run_id) for r in rows}


def check_purge(engine: sa.Engine) -> None:
    migrate(engine)
    fill(engine)
    assert old_staged_runs(engine, RULES, NOW) == [("co", "old-done"), ("co", "old-running")]
    latest_before = {r.tail: r.attempt_id for r in StatusStore(engine).latest("co")}
    purged = purge(engine, RULES, NOW, "maint-1", running=[("co", "old-running")])
    rows = {p.table: p.rows for p in purged}
    assert rows["upload_status"] == 2  # N1's r1 and r3
    assert status_rows(engine) == {
        ("N1", "r2"), ("N1", "r4"), ("N1", "r5"), ("N2", "r0"), ("N3", "r6"), ("N3", "r7"),
    }  # fmt: skip
    assert {r.tail: r.attempt_id for r in StatusStore(engine).latest("co")} == latest_before
    assert StatusStore(engine).last_successes("co")["N1"] == days_ago(90)
    with engine.connect() as conn:
        kept = {r[0] for r in conn.execute(sa.text("SELECT validation_id FROM validation_results"))}
        staged = {r[0] for r in conn.execute(sa.text("SELECT run_id FROM staged_data"))}
    assert rows["validation_results"] == 1 and kept == {"v-ok", "v-held", "v-new"}
    assert rows["staged_data"] == 1 and staged == {"old-running", "new"}
    entries = read_entries(engine, "maint-1")
    assert {e.table_name for e in entries} == {*PURGES, "staged_data"}
    by_table = {e.table_name: e for e in entries}
    assert by_table["upload_status"].rows_affected == 2
    assert by_table["upload_status"].cutoff == iso(days_ago(30))
    assert all(e.action == "purge" and e.actor == "aerosync_maintenance" for e in entries)
    again = {p.table: p.rows for p in purge(engine, RULES, NOW, "maint-2")}
    assert again["upload_status"] == 0 and again["staged_data"] == 1  # no longer running


@pytest.mark.unit
def test_the_purge_keeps_what_is_still_read_on_sqlite(tmp_path: Path) -> None:
    check_purge(sqlite_engine(tmp_path / "aerosync.db"))


@pytest.mark.unit
def test_the_companies_file_sets_the_rules_and_refuses_unknown_keys(tmp_path: Path) -> None:
    from aerosync.config.companies_file import load_config

    path = tmp_path / "companies.yaml"
    path.write_text("retention:\n  status_history_days: 45\ncompanies: []\n", encoding="utf-8")
    loaded = load_config(path)
    assert loaded.retention.status_history_days == 45
    assert loaded.retention.staging_days == Retention().staging_days
    path.write_text("retention:\n  status_days: 45\ncompanies: []\n", encoding="utf-8")
    problem = load_config(path).problems[0].message
    assert "retention.status_days: unknown key" in problem


@pytest.mark.integration
def test_the_purge_keeps_what_is_still_read_on_postgresql() -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_retention") as url:
        engine = sa.create_engine(url)
        check_purge(engine)
        engine.dispose()
