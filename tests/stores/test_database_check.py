"""The aerosync database's verdicts: migrated (its Alembic revision against head), writable (a
row written and rolled back: no schema change), and shared only where the executor allows it; on
SQLite files and on the local PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from aerosync.models import CheckStatus
from aerosync.stores.database import sqlite_engine
from aerosync.stores.database_check import (
    executor_names,
    migrated_verdict,
    reachable_verdict,
    shared_verdict,
    writable_verdict,
)
from aerosync.stores.migrate import migrate
from aerosync.stores.schema_version import HEAD, REVISIONS, VERSION_TABLE
from tests.conftest import require_service
from tests.e2e.support import fresh_postgres_database, postgres_available
from tests.stores.release_0_1_0 import make_release_database


@pytest.mark.unit
def test_an_empty_database_warns_a_behind_one_warns_a_migrated_one_passes(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "store.db")
    empty = migrated_verdict(engine)
    assert empty.status is CheckStatus.WARNING and "none of AeroSync's tables" in empty.detail
    make_release_database(engine, ("schema.sql",))
    unversioned = migrated_verdict(engine)
    assert unversioned.status is CheckStatus.WARNING and "AeroSync 0.1.0" in unversioned.detail
    migrate(engine)
    assert migrated_verdict(engine).status is CheckStatus.OK
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = :r"), {"r": REVISIONS[0]})
    behind = migrated_verdict(engine)
    assert behind.status is CheckStatus.WARNING
    assert f"head is {HEAD}" in behind.detail and "aerosync db migrate" in behind.detail


@pytest.mark.unit
def test_a_column_0_1_0_added_warns_another_fails(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "store.db")
    make_release_database(engine, ("schema.sql",))
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE upload_status DROP COLUMN last_real_attempt"))
    assert migrated_verdict(engine).status is CheckStatus.WARNING  # migrate adds it
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE upload_status DROP COLUMN outcome"))
    foreign = migrated_verdict(engine)
    assert foreign.status is CheckStatus.FAILED
    assert "upload_status.outcome" in foreign.detail and "another schema" in foreign.detail


@pytest.mark.unit
def test_a_read_only_database_is_not_writable_and_nothing_is_left(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    migrate(sqlite_engine(path))
    engine = sqlite_engine(path)
    assert writable_verdict(engine).status is CheckStatus.OK
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM staged_data")).scalar() == 0
    read_only = sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert reachable_verdict(read_only).status is CheckStatus.OK
    verdict = writable_verdict(read_only)
    assert verdict.status is CheckStatus.FAILED and "readonly" in verdict.detail


@pytest.mark.unit
def test_an_empty_database_is_probed_by_a_table_rolled_back(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "store.db")
    assert writable_verdict(engine).status is CheckStatus.OK
    assert sa.inspect(engine).get_table_names() == []


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
        assert writable_verdict(engine).status is CheckStatus.OK  # empty: a table rolled back
        assert sa.inspect(engine).get_table_names() == []
        migrate(engine)
        assert migrated_verdict(engine).status is CheckStatus.OK
        assert writable_verdict(engine).status is CheckStatus.OK
        engine.dispose()
    gone = sa.create_engine(url, connect_args={"connect_timeout": 3})
    verdict = reachable_verdict(gone)
    assert verdict.status is CheckStatus.FAILED and "cannot connect" in verdict.detail
