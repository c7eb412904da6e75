"""The training sync's Airflow tasks write the Crew sync page's run log: a source that cannot be
read leaves its reason (the task's own message), and the training-status export its file and rows.
Real task callables in a task context, a real companies file and a SQLite aerosync database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException
from airflow.sdk.execution_time.context import OutletEventAccessors, set_current_context

from aerosync.airflow import crew_exports, crew_tasks
from aerosync.airflow.assets import training_status_asset
from aerosync.crew.sync_status import crew_sync_status
from aerosync.stores.database import sqlite_engine

pytestmark = pytest.mark.airflow
START = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
END = START + timedelta(days=1)
RUN_ID = "scheduled__2026-03-01T03:00:00+00:00"


@pytest.fixture
def company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    store = tmp_path / "aerosync.db"
    config = tmp_path / "companies.yaml"
    config.write_text(
        f"""
companies:
  - id: acme
    name: Acme
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_acme
    fms: {{conn_id: fms_acme, dialect: reference}}
    training:
      records:
        qualifications: {{csv: "{tmp_path / "missing"}"}}
        export_to: "{tmp_path / "exports"}"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("AEROSYNC_CONFIG", str(config))
    monkeypatch.setenv(
        "AIRFLOW_CONN_AEROSYNC_DB", json.dumps({"conn_type": "sqlite", "host": str(store)})
    )
    yield store


def _context() -> Any:
    return {
        "run_id": RUN_ID,
        "data_interval_start": START,
        "data_interval_end": END,
        "outlet_events": OutletEventAccessors(),
    }


def test_a_source_that_cannot_be_read_leaves_its_reason_for_the_page(company: Path) -> None:
    with set_current_context(_context()), pytest.raises(AirflowFailException) as failed:  # type: ignore[arg-type]
        crew_tasks.extract("acme", "qualifications")
    (acme,) = crew_sync_status(sqlite_engine(company))
    (run,) = acme.sources
    assert (run.source, run.run_id, run.window_start, run.window_end) == (
        "qualifications",
        RUN_ID,
        START,
        END,
    )
    assert run.failure == str(failed.value) and "does not exist" in run.failure
    assert run.read is None and run.loaded is None


def test_the_training_status_export_is_logged_with_its_file_and_rows(company: Path) -> None:
    context = _context()
    with set_current_context(context):  # type: ignore[arg-type]
        written = crew_exports.export_status("acme")
    # Its asset event: the window and counts, nothing else.
    extra = context["outlet_events"][training_status_asset("acme")].extra
    assert extra == {
        "window_start": START.isoformat(),
        "window_end": END.isoformat(),
        "rows": written["rows"],
        **written["changes"],
    }
    (acme,) = crew_sync_status(sqlite_engine(company))
    (export,) = acme.exports
    assert (export.export, export.location, export.rows) == (
        "training_status",
        written["path"],
        written["rows"],
    )
    assert export.failure is None and Path(export.location).is_file()
