"""The FMS honours `fms.timeout_seconds` for connecting and for the query, through the engine
Airflow's common-sql hook builds from the connection (`engine_for_connection`)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from aerosync.airflow.connections import engine_for_connection
from aerosync.schedule.sources.fms import SourceTimeout, extract, fms_connect_args
from tests.conftest import require_service
from tests.e2e.support import postgres_available
from tests.schedule.fms_builder import FmsBuilder
from tests.silent_tcp import SilentServer

pytestmark = pytest.mark.airflow


def _postgres(monkeypatch: pytest.MonkeyPatch, conn_id: str, port: int) -> None:
    conn = {"conn_type": "postgres", "host": "127.0.0.1", "port": port, "login": "postgres",
            "schema": "test"}  # fmt: skip
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


def test_the_driver_limits_follow_the_fms_timeout() -> None:
    assert fms_connect_args("postgresql", 5) == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=5000",
    }
    assert fms_connect_args("postgresql", 0.5)["connect_timeout"] == 2  # libpq's least
    assert fms_connect_args("sqlite", 5) == {"timeout": 5.0}
    assert fms_connect_args("mssql", 5) == {} and fms_connect_args("postgresql", None) == {}


def test_a_postgres_fms_that_accepts_and_never_answers_times_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with SilentServer() as silent:
        _postgres(monkeypatch, "fms_silent", silent.port)
        engine = engine_for_connection("fms_silent", 3)
        started = time.monotonic()
        with pytest.raises(SourceTimeout, match=r"no answer within 3 s \(fms.timeout_seconds\)"):
            extract(engine, "reference", datetime.now(UTC), 3)
        elapsed = time.monotonic() - started
        assert silent.accepted >= 1  # the TCP connection was made: only the answer never came
    assert 3 <= elapsed < 15, elapsed


def test_a_postgres_fms_query_is_cancelled_by_the_server_at_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    _postgres(monkeypatch, "fms_slow", 5432)
    engine = engine_for_connection("fms_slow", 2)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SHOW statement_timeout")).scalar() == "2s"
        started = time.monotonic()
        with pytest.raises(sa.exc.OperationalError, match="statement timeout"):
            conn.execute(sa.text("SELECT pg_sleep(30)"))
    assert time.monotonic() - started < 6
    engine.dispose()


def test_without_a_timeout_the_engine_is_the_hooks_own(monkeypatch: pytest.MonkeyPatch) -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    _postgres(monkeypatch, "fms_plain", 5432)
    engine = engine_for_connection("fms_plain")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SHOW statement_timeout")).scalar() == "0"
    engine.dispose()


def test_a_sqlite_fms_keeps_its_busy_timeout_and_reads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fms = FmsBuilder(tmp_path / "fms.sqlite").aircraft("N1BS")
    fms.engine.dispose()
    monkeypatch.setenv(
        "AIRFLOW_CONN_FMS_FILE", json.dumps({"conn_type": "sqlite", "host": str(fms.path)})
    )
    engine = engine_for_connection("fms_file", 7)
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 7000
    assert [r["tail"] for r in extract(engine, "reference", datetime.now(UTC), 7).aircraft] == [
        "N1BS"
    ]
    engine.dispose()
