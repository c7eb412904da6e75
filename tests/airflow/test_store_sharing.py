"""A SQLite aerosync database under any executor but the LocalExecutor: refused at parse time
(no company DAG; `aerosync_config_problems` says why) and when a task opens it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aerosync.airflow.connections import StoreNotShared, aerosync_engine
from aerosync.airflow.store_sharing import parse_time_refusal

pytestmark = pytest.mark.airflow
REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / "include" / "config" / "companies.yaml"
STORE_ENV = "AIRFLOW_CONN_AEROSYNC_DB"


@pytest.fixture
def celery(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.delenv(STORE_ENV, raising=False)
    monkeypatch.delenv("AEROSYNC_DB_CONN_ID", raising=False)
    return tmp_path


def test_the_local_executor_is_never_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")
    monkeypatch.delenv(STORE_ENV, raising=False)
    assert parse_time_refusal(whole_folder=True) is None


def test_no_connection_is_the_default_file_in_each_home(celery: Path) -> None:
    refusal = parse_time_refusal(whole_folder=True)
    assert refusal is not None
    assert "a SQLite file in each AIRFLOW_HOME (no connection aerosync_db" in refusal
    assert str(celery / "aerosync.db") in refusal and "CeleryExecutor" in refusal
    assert "PostgreSQL that every worker" in refusal
    # A task's parse of its own DAG asks nothing; the task refuses the store when it opens it.
    assert parse_time_refusal(whole_folder=False) is None


@pytest.mark.parametrize(
    "value",
    [
        json.dumps({"conn_type": "sqlite", "host": "/srv/aerosync.db"}),
        "sqlite://%2Fsrv%2Faerosync.db",
    ],
)
def test_a_sqlite_connection_in_the_environment_is_refused_without_a_lookup(
    celery: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(STORE_ENV, value)
    refusal = parse_time_refusal(whole_folder=False)
    assert refusal is not None and "connection aerosync_db" in refusal


def test_a_postgres_connection_is_shared(celery: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STORE_ENV, "postgresql://aerosync:pw-4411@db.example.com:5432/aerosync")
    assert parse_time_refusal(whole_folder=True) is None


def test_a_task_refuses_to_open_a_sqlite_store(celery: Path) -> None:
    with pytest.raises(StoreNotShared) as caught:
        aerosync_engine()
    message = str(caught.value)
    assert message.startswith("nothing was read, sent or recorded")
    assert str(celery / "aerosync.db") in message
    assert not (celery / "aerosync.db").exists()


@pytest.mark.dags
def test_the_dag_folder_builds_only_the_problems_dag(celery: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("AEROSYNC_CONFIG", str(DEMO_CONFIG))
    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    assert sorted(bag.dag_ids) == ["aerosync_config_problems"]
    problems = bag.dags["aerosync_config_problems"]
    assert "Refused: no company has a DAG" in problems.doc_md
    assert "CeleryExecutor" in problems.doc_md and "config-problem" in problems.tags
