"""The aerosync database's verdicts: migrated (from what ensure_tables creates), writable, and
shared only where the executor allows it; on SQLite files and on the local PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from aerosync.models import CheckStatus
from aerosync.stores.database import ensure_tables, sqlite_engine
from aerosync.stores.database_check import (
    TRAINING_DDL,
    executor_names,
    migrated_verdict,
    reachable_verdict,
    shared_verdict,
    writable_verdict,
)
from tests.conftest import require_service
from tests.e2e.support import fresh_postgres_database, postgres_available


@pytest.mark.unit
def test_an_empty_database_warns_and_a_created_one_is_up_to_date(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "store.db")
    empty = migrated_verdict(engine)
    assert empty.status is CheckStatus.WARNING and "none of AeroSync's tables" in empty.detail
    ensure_tables(engine, "schema.sql")
    assert migrated_verdict(engine).status is CheckStatus.OK
    behind = migrated_verdict(engine, TRAINING_DDL)  # the training tables come with their DAG
    assert behind.status is CheckStatus.WARNING and "training_records" in behind.detail


@pytest.mark.unit
def test_a_column_no_task_adds_fails_one_a_task_adds_warns(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "store.db")
    ensure_tables(engine, "schema.sql")
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE upload_status DROP COLUMN last_real_attempt"))
    later = migrated_verdict(engine)
    assert later.status is CheckStatus.WARNING
    assert "upload_status.last_real_attempt" in later.detail and "next task run" in later.detail
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE upload_status DROP COLUMN outcome"))
    foreign = migrated_verdict(engine)
    assert foreign.status is CheckStatus.FAILED
    assert (
        "upload_status.outcome" in foreign.detail and "another AeroSync release" in foreign.detail
    )


@pytest.mark.unit
def test_a_read_only_database_is_not_writable(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    ensure_tables(sqlite_engine(path), "schema.sql")
    assert writable_verdict(sqlite_engine(path)).status is CheckStatus.OK
    read_only = sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert reachable_verdict(read_only).status is CheckStatus.OK
    verdict = writable_verdict(read_only)
    assert verdict.status is CheckStatus.FAILED and "readonly" in verdict.detail
    assert {t for t in sa.inspect(read_only).get_table_names() if "write_check" in t} == set()


@pytest.mark.unit
def test_sqlite_is_shared_only_with_the_local_executor(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "store.db")
    assert shared_verdict(engine, ["LocalExecutor"]).status is CheckStatus.OK
    verdict = shared_verdict(engine, executor_names("LocalExecutor,CeleryExecutor"))
    assert verdict.status is CheckStatus.FAILED
    assert "CeleryExecutor" in verdict.detail and str(tmp_path / "store.db") in verdict.detail
    remote = sa.create_engine("postgresql+psycopg2://aerosync@db.example.com/aerosync")
    assert shared_verdict(remote, ["CeleryExecutor"]).status is CheckStatus.OK
    local = sa.create_engine("postgresql+psycopg2://aerosync@127.0.0.1/aerosync")
    assert shared_verdict(local, ["KubernetesExecutor"]).status is CheckStatus.WARNING


@pytest.mark.unit
def test_executor_names_of_every_spelling() -> None:
    setting = "LocalExecutor, airflow.providers.celery.executors.celery_executor.CeleryExecutor,"
    assert executor_names(setting + "k8s:my.module.KubernetesExecutor") == [
        "LocalExecutor",
        "CeleryExecutor",
        "KubernetesExecutor",
    ]


@pytest.mark.integration
def test_postgresql_migrated_writable_and_unreachable() -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_check") as url:
        engine = sa.create_engine(url)
        ensure_tables(engine, *TRAINING_DDL)
        assert migrated_verdict(engine, TRAINING_DDL).status is CheckStatus.OK
        assert writable_verdict(engine).status is CheckStatus.OK
        engine.dispose()
    gone = sa.create_engine(url, connect_args={"connect_timeout": 3})
    verdict = reachable_verdict(gone)
    assert verdict.status is CheckStatus.FAILED and "cannot connect" in verdict.detail
