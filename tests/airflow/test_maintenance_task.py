"""The `aerosync_maintenance` task's callable in a task context, on a fresh SQLite aerosync
database: it migrates it, asks Airflow (here a stand-in for the Task SDK's `get_dr_count`, which
needs a supervisor) which runs with old staging still run, keeps their staging, audits every
table."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from airflow.sdk.execution_time.context import set_current_context

from aerosync.airflow.maintenance import purge_old_rows
from aerosync.config.retention import Retention
from aerosync.stores.audit import read_entries
from aerosync.stores.database import iso, sqlite_engine
from aerosync.stores.schema_version import read_state
from aerosync.stores.staging import StagingStore

pytestmark = pytest.mark.airflow


class RunsInAirflow:
    """`ti.get_dr_count` over a fixed set of (dag id, run id) that are running."""

    def __init__(self, running: set[tuple[str, str]]) -> None:
        self.running = running
        self.asked: list[tuple[str, str]] = []

    def get_dr_count(self, dag_id: str, run_ids: list[str], states: list[str]) -> int:
        assert states == ["queued", "running"]
        self.asked += [(dag_id, run_id) for run_id in run_ids]
        return sum((dag_id, run_id) in self.running for run_id in run_ids)


def test_the_task_migrates_keeps_running_staging_and_audits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "aerosync.db"
    monkeypatch.setenv(
        "AIRFLOW_CONN_AEROSYNC_DB", json.dumps({"conn_type": "sqlite", "host": str(store)})
    )
    with set_current_context({"run_id": "warmup", "ti": RunsInAirflow(set())}):  # type: ignore[arg-type]
        assert purge_old_rows(Retention().model_dump())["staged_data"] == 0  # fresh: migrated
    engine = sqlite_engine(store)
    assert read_state(engine).at_head
    staging = StagingStore(engine)
    for run in ("done", "crew-running"):
        staging.put("acme", run, "decisions", {"N1": {}})
    with engine.begin() as conn:
        old = iso(datetime.now(UTC) - timedelta(days=5))
        conn.execute(sa.text("UPDATE staged_data SET staged_at = :at"), {"at": old})
    airflow = RunsInAirflow({("training_sync__acme", "crew-running")})
    with set_current_context({"run_id": "maint-1", "ti": airflow}):  # type: ignore[arg-type]
        purged = purge_old_rows(Retention(staging_days=2).model_dump())
    assert purged["staged_data"] == 1
    assert ("schedule_upload__acme", "done") in airflow.asked
    with engine.connect() as conn:
        left = [r[0] for r in conn.execute(sa.text("SELECT run_id FROM staged_data"))]
    assert left == ["crew-running"]
    entries = {e.table_name: e for e in read_entries(engine, "maint-1")}
    assert entries["staged_data"].rows_affected == 1 and len(entries) == 6
