"""The AMS transports as a task builds them: an Airflow SQL connection's engine, Airflow's
ObjectStoragePath for the CSV drop, the HTTP provider's hook for the REST API (connections from
the environment), against a real SQLite file and the sandbox; and the AMS's connections are
among the company's, whose secrets are masked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from aerosync.airflow.ams_transport import ams_reader
from aerosync.airflow.masking import company_connection_ids
from aerosync.config.dialects import read_sql, split_statements
from aerosync.sandbox.server import SandboxServer
from aerosync.schedule.sources.ams_events import AmsUnavailable
from tests.conftest import make_company

pytestmark = pytest.mark.airflow
NOW = datetime.now(UTC)
EVENT = {
    "event_id": "77",
    "tail_number": "N1",
    "kind": "MAINTENANCE",
    "airport": "KTEB",
    "starts_at": "2030-12-01T09:00:00+01:00",
    "ends_at": "2030-12-02T09:00:00+01:00",
    "status": "PLANNED",
    "note": "Phase 3",
}


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as server:
        yield server


def test_csv_through_object_storage_path(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text(
        ",".join(EVENT) + "\n" + ",".join(EVENT.values()) + "\n", encoding="utf-8"
    )
    for location in (f"file://{tmp_path}", str(tmp_path), f"file://{tmp_path}/e.csv"):
        reader = ams_reader(make_company(ams={"csv": location}))
        assert reader is not None
        (row,) = reader(NOW).rows
        assert row["activity_id"] == "AMS-77" and row["activity_kind"] == "MAINTENANCE"


def test_no_ams_no_reader() -> None:
    assert ams_reader(make_company()) is None


def test_sql_through_an_airflow_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ams.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        for statement in split_statements(read_sql("ams_reference", "schema.sql")):
            conn.execute(sa.text(statement))
        conn.execute(
            sa.text(
                "INSERT INTO maintenance_events VALUES (:event_id, :tail_number, :kind, :airport, "
                ":starts_at, :ends_at, :status, :note)"
            ),
            EVENT,
        )
    engine.dispose()
    monkeypatch.setenv(
        "AIRFLOW_CONN_AMS_SQL", json.dumps({"conn_type": "sqlite", "host": str(path)})
    )
    company = make_company(ams={"sql": {"conn_id": "ams_sql", "timeout_seconds": 5}})
    reader = ams_reader(company)
    assert reader is not None
    (row,) = reader(NOW).rows
    assert row["activity_id"] == "AMS-77" and row["note"] == "Phase 3"
    assert company_connection_ids(company).count("ams_sql") == 1


def connect(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer) -> None:
    conn = {"conn_type": "http", "host": f"http://127.0.0.1:{sandbox.port}"}
    monkeypatch.setenv("AIRFLOW_CONN_AMS_TEST", json.dumps(conn))


def test_rest_through_the_http_hook_reads_every_page(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(monkeypatch, sandbox)
    sandbox.lms.load("hook", [EVENT, {**EVENT, "event_id": "78", "kind": "AOG"}])
    company = make_company(
        ams={"rest": {"conn_id": "ams_test", "endpoint": "lms/hook/bookings", "page_size": 1}}
    )
    reader = ams_reader(company)
    assert reader is not None
    assert [r["activity_kind"] for r in reader(NOW).rows] == ["MAINTENANCE", "AOG"]
    asked = requests.get(f"http://127.0.0.1:{sandbox.port}/_sandbox/lms/hook/requests", timeout=5)
    assert len(asked.json()) == 2
    assert "ams_test" in company_connection_ids(company)


def test_rest_server_error_through_the_hook_is_one_request_and_unavailable(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(monkeypatch, sandbox)
    sandbox.lms.load("down", [EVENT])
    sandbox.lms.set_fault("down", "500")
    company = make_company(
        ams={"rest": {"conn_id": "ams_test", "endpoint": "lms/down/bookings"}, "tails": ["N1"]}
    )
    reader = ams_reader(company)
    assert reader is not None
    with pytest.raises(AmsUnavailable, match="AMS page 1: HTTP 500"):
        reader(NOW)
    asked = requests.get(f"http://127.0.0.1:{sandbox.port}/_sandbox/lms/down/requests", timeout=5)
    assert len(asked.json()) == 1
