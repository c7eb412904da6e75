"""The crew sync's `extract_flights` task in a task context: it reads the demo FMS through the
company's FMS connection (an Airflow sqlite connection, the common-sql hook) for its window and
lookback, stages the rows; an FMS it cannot read fails the task naming the connection and the
dialect's file, and leaves that reason for the Crew sync page. The DAG gets the task only with
`flights`, on the company's own queue when the sync's tasks go elsewhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from airflow.sdk.exceptions import AirflowFailException
from airflow.sdk.execution_time.context import set_current_context

from aerosync.airflow import crew_tasks
from aerosync.airflow.crew_dag import build_training_dag
from aerosync.config.companies_file import parse_config
from aerosync.crew.sync_status import crew_sync_status
from aerosync.demo.fleet import build_demo_fms
from aerosync.stores.database import sqlite_engine

pytestmark = pytest.mark.airflow
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
END = NOW.replace(hour=3) if NOW.hour >= 3 else NOW.replace(hour=3) - timedelta(days=1)
START = END - timedelta(days=1)
RUN_ID = "manual__flights"
COMPANY = """
companies:
  - id: acme
    name: Acme
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_acme
    fms: {conn_id: fms_acme, dialect: reference}
    queue: fms_workers
    training:
      records:
        flights: {lookback_days: LOOKBACK}
        queue: crew_workers
"""


def _setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fms: Path, lookback: int) -> Path:
    store = tmp_path / "aerosync.db"
    config = tmp_path / "companies.yaml"
    config.write_text(COMPANY.replace("LOOKBACK", str(lookback)), encoding="utf-8")
    monkeypatch.setenv("AEROSYNC_CONFIG", str(config))
    monkeypatch.setenv(
        "AIRFLOW_CONN_AEROSYNC_DB", json.dumps({"conn_type": "sqlite", "host": str(store)})
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_FMS_ACME", json.dumps({"conn_type": "sqlite", "host": str(fms)})
    )
    return store


@pytest.fixture
def demo_fms(tmp_path: Path) -> Iterator[Path]:
    yield build_demo_fms(tmp_path / "fms.sqlite", NOW, company="alpine_jets").path


def _context() -> Any:
    return {"run_id": RUN_ID, "data_interval_start": START, "data_interval_end": END}


def test_extract_flights_stages_the_legs_of_its_window_and_lookback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_fms: Path
) -> None:
    store = _setup(tmp_path, monkeypatch, demo_fms, lookback=120)
    with set_current_context(_context()):  # type: ignore[arg-type]
        staged = crew_tasks.extract("acme", "flights")
    # Alpine Jets' legs flown: the schedule plans' and three months of line flying, two pilots
    # each; the line flying of days -104 to -93 and the plans' legs since are in 120 days.
    assert staged["source"] == "flights" and staged["read"] == staged["in_window"] > 100
    (acme,) = crew_sync_status(sqlite_engine(store))
    (run,) = acme.sources
    assert run.source == "flights" and run.window_start == START - timedelta(days=120)
    assert run.window_end == END and run.failure is None


def test_an_fms_that_cannot_be_read_fails_the_task_naming_connection_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty.sqlite"  # an FMS without the reference tables
    store = _setup(tmp_path, monkeypatch, empty, lookback=3)
    with set_current_context(_context()), pytest.raises(AirflowFailException) as failed:  # type: ignore[arg-type]
        crew_tasks.extract("acme", "flights")
    message = str(failed.value)
    assert message.startswith("company acme, source flights (FMS connection fms_acme, ")
    assert "reference/crew_legs.sql): cannot be read: FmsReadError: OperationalError" in message
    assert "no such table" in message and "SELECT" not in message
    (acme,) = crew_sync_status(sqlite_engine(store))
    (run,) = acme.sources
    assert run.failure == message


def test_the_dag_reads_flights_on_the_companys_queue() -> None:
    loaded = parse_config(yaml.safe_load(COMPANY.replace("LOOKBACK", "3")), Path("c.yaml"))
    dag = build_training_dag(loaded.company("acme"))
    assert dag is not None
    assert dag.get_task("extract_flights").queue == "fms_workers"
    assert dag.get_task("validate").queue == "crew_workers"
    assert "connection `fms_acme`" in (dag.doc_md or "")
