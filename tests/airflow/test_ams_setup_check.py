"""`aerosync check` of an AMS: its database (a real SQLite file through an Airflow connection),
its REST API's first page (the sandbox), and an undefined connection, each one verdict."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from aerosync.airflow.setup_check.ams import ams_verdicts, subject
from aerosync.config.dialects import read_sql, split_statements
from aerosync.models import CheckStatus
from aerosync.sandbox.server import SandboxServer
from tests.conftest import make_company

pytestmark = pytest.mark.airflow
NOW = datetime.now(UTC)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as server:
        yield server


def test_the_database_is_read_with_its_dialect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ams.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        for statement in split_statements(read_sql("ams_reference", "schema.sql")):
            conn.execute(sa.text(statement))
    engine.dispose()
    monkeypatch.setenv(
        "AIRFLOW_CONN_AMS_CHECK", json.dumps({"conn_type": "sqlite", "host": str(path)})
    )
    company = make_company(ams={"sql": {"conn_id": "ams_check"}})
    assert company.ams is not None
    assert subject(company.ams) == "AMS connection ams_check (ams_reference)"
    (verdict,) = ams_verdicts(company, 5, NOW)
    assert verdict.status is CheckStatus.OK, verdict
    assert verdict.name == "ams_reference/maintenance_events.sql"
    assert verdict.detail == "read: 0 maintenance events to send, 0 cancelled"
    missing = tmp_path / "nothing.sqlite"
    monkeypatch.setenv(
        "AIRFLOW_CONN_AMS_CHECK", json.dumps({"conn_type": "sqlite", "host": str(missing)})
    )
    (verdict,) = ams_verdicts(company, 5, NOW)
    assert verdict.status is CheckStatus.FAILED and "does not exist" in verdict.detail
    assert not missing.exists()  # the check created no empty AMS


def test_the_rest_api_answers_its_first_page_or_is_named_failed(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = {"conn_type": "http", "host": f"http://127.0.0.1:{sandbox.port}"}
    monkeypatch.setenv("AIRFLOW_CONN_AMS_API", json.dumps(conn))
    sandbox.lms.load("check", [{"event_id": "1"}, {"event_id": "2"}])
    rest = {"conn_id": "ams_api", "endpoint": "lms/check/bookings", "page_size": 1}
    company = make_company(ams={"rest": rest})
    (verdict,) = ams_verdicts(company, 5, NOW)
    assert verdict.status is CheckStatus.OK and "more pages follow" in verdict.detail
    sandbox.lms.set_fault("check", "500")
    (verdict,) = ams_verdicts(company, 5, NOW)
    assert verdict.status is CheckStatus.FAILED and "AMS page 1: HTTP 500" in verdict.detail


def test_an_undefined_connection_is_one_failed_verdict() -> None:
    company = make_company(ams={"sql": {"conn_id": "ams_nowhere_4711"}})
    (verdict,) = ams_verdicts(company, 5, NOW)
    assert (
        verdict.status is CheckStatus.FAILED
        and "no connection 'ams_nowhere_4711'" in verdict.detail
    )
