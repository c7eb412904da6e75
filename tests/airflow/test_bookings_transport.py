"""The LMS transports as a task builds them: Airflow's ObjectStoragePath for the CSV drop, the
HTTP provider's hook (connection from the environment) for the REST API, against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from aerosync.airflow.bookings_transport import bookings_reader
from aerosync.config.companies import CompanyConfig
from aerosync.sandbox.server import SandboxServer
from aerosync.schedule.sources.bookings import BookingsUnavailable
from tests.conftest import make_company

pytestmark = pytest.mark.airflow
NOW = datetime.now(UTC)
BOOKING = {
    "booking_id": "77",
    "tail": "N1",
    "airport": "KTEB",
    "start": "2026-12-01T09:00:00+01:00",
    "end": "2026-12-01T12:00:00+01:00",
    "status": "booked",
    "course": "OPC",
}


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as server:
        yield server


def test_csv_through_object_storage_path(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_text(
        ",".join(BOOKING) + "\n" + ",".join(BOOKING.values()) + "\n", encoding="utf-8"
    )
    for location in (f"file://{tmp_path}", str(tmp_path), f"file://{tmp_path}/b.csv"):
        reader = bookings_reader(make_company(training={"bookings": {"csv": location}}))
        assert reader is not None
        (row,) = reader(NOW).rows
        assert row["activity_id"] == "LMS-77" and row["note"] == "OPC"


def test_no_training_section_no_reader() -> None:
    assert bookings_reader(make_company()) is None


def connect(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer) -> None:
    conn = {"conn_type": "http", "host": f"http://127.0.0.1:{sandbox.port}"}
    monkeypatch.setenv("AIRFLOW_CONN_LMS_TEST", json.dumps(conn))


def rest_company(feed: str) -> CompanyConfig:
    rest = {"conn_id": "lms_test", "endpoint": f"lms/{feed}/bookings", "page_size": 1}
    return make_company(training={"bookings": {"rest": rest, "tails": ["N1"]}})


def test_rest_through_the_http_hook_reads_every_page(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(monkeypatch, sandbox)
    second = {**BOOKING, "booking_id": "78"}
    sandbox.lms.load("hook", [BOOKING, second])
    reader = bookings_reader(rest_company("hook"))
    assert reader is not None
    assert [r["activity_id"] for r in reader(NOW).rows] == ["LMS-77", "LMS-78"]
    asked = requests.get(f"http://127.0.0.1:{sandbox.port}/_sandbox/lms/hook/requests", timeout=5)
    assert len(asked.json()) == 2


def test_rest_server_error_through_the_hook_is_one_request_and_unavailable(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(monkeypatch, sandbox)
    sandbox.lms.load("down", [BOOKING])
    sandbox.lms.set_fault("down", "500")
    reader = bookings_reader(rest_company("down"))
    assert reader is not None
    with pytest.raises(BookingsUnavailable, match="HTTP 500"):
        reader(NOW)
    asked = requests.get(f"http://127.0.0.1:{sandbox.port}/_sandbox/lms/down/requests", timeout=5)
    assert len(asked.json()) == 1
