"""Training bookings through a real Airflow scheduler: the company's DAG reads the sandbox's LMS
stub through the HTTP provider, and the marketplace sandbox ends up holding `Training`
activities; a failing LMS holds exactly the aircraft it books."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aerosync.demo.bookings import demo_bookings
from aerosync.schedule.payloads import avinode_time
from tests.conftest import require_service
from tests.e2e.support import (
    E2E,
    LMS_FEED,
    LMS_PASSWORD,
    LMS_TAILS,
    e2e_environment,
    postgres_available,
)

pytestmark = pytest.mark.integration
DAG_ID = "schedule_upload__lms_co"


@pytest.fixture(scope="module")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2E]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with e2e_environment(tmp_path_factory.mktemp("e2e_lms")) as env:
        yield env


def expected_training(booking: dict[str, str]) -> dict[str, object]:
    """What the marketplace must receive for one booking, field for field."""
    airport = {"APA": "KAPA", "HPN": "KHPN"}.get(booking["airport"], booking["airport"])
    return {
        "activityId": f"LMS-{booking['booking_id']}",
        "activityType": "Training",
        "startAirport": {"icao": airport},
        "endAirport": {"icao": airport},
        "startDateTime": avinode_time(datetime.fromisoformat(booking["start"])),
        "endDateTime": avinode_time(datetime.fromisoformat(booking["end"])),
        "note": booking["course"],
    }


def test_a_booking_is_in_the_uploaded_schedule_after_a_real_dag_run(e2e: E2E) -> None:
    e2e.reset()
    bookings = demo_bookings(datetime.now(UTC))
    e2e.sandbox.lms.set_fault(LMS_FEED, None)
    e2e.sandbox.lms.load(LMS_FEED, bookings)
    result = e2e.runtime.run_dag(DAG_ID, timeout=300)
    status = {r["tail"]: r for r in e2e.status("lms_co")}
    assert result.state == "success", status
    assert all(r["outcome"].startswith("uploaded") for r in status.values()), status
    for tail in e2e.tails["lms_co"]:
        (request,) = e2e.requests_for(tail)
        sent = [a for a in request["body"]["activities"] if a["activityType"] == "Training"]
        wanted = [
            expected_training(b)
            for b in bookings
            if b["tail"] == tail and b["status"] != "cancelled"
        ]
        assert sent == wanted, tail
        held = e2e.sandbox_get(f"/_sandbox/schedules/{tail}")["activities"]
        assert [a for a in held if a["activityType"] == "Training"] == wanted
    assert any(b["status"] == "cancelled" for b in bookings)
    # Two pages of two bookings each, read through the HTTP provider's hook.
    assert len(e2e.sandbox_get(f"/_sandbox/lms/{LMS_FEED}/requests")) >= 2


def test_a_failing_lms_holds_exactly_the_aircraft_it_books(e2e: E2E) -> None:
    e2e.reset()
    e2e.sandbox.lms.load(LMS_FEED, demo_bookings(datetime.now(UTC)))
    e2e.sandbox.lms.set_fault(LMS_FEED, "500")
    try:
        result = e2e.runtime.run_dag(DAG_ID, timeout=300)
    finally:
        e2e.sandbox.lms.set_fault(LMS_FEED, None)
    assert result.state == "failed"  # record_status fails the run: a source failed
    status = {r["tail"]: r for r in e2e.status("lms_co")}
    assert sorted(status) == e2e.tails["lms_co"]
    for tail, record in status.items():
        if tail in LMS_TAILS:
            assert record["outcome"] == "held", record
            reasons = json.dumps(record["reasons"])
            assert "lms_co" in reasons and "LMS bookings" in reasons and "HTTP 500" in reasons
            assert e2e.requests_for(tail) == []
        else:
            assert record["outcome"].startswith("uploaded"), record
            assert len(e2e.requests_for(tail)) == 1
    log = e2e.runtime.task_log(DAG_ID, result.run_id, "build_schedules")
    assert "source failed" in log and "lms" in log


def test_the_lms_password_never_reaches_logs_xcom_or_status(e2e: E2E) -> None:
    e2e.reset()
    e2e.sandbox.lms.load(LMS_FEED, demo_bookings(datetime.now(UTC)))
    assert e2e.runtime.run_dag(DAG_ID, timeout=300).state == "success"
    logs = "".join(
        p.read_text(errors="replace") for p in Path(e2e.home, "logs").rglob("*") if p.is_file()
    )
    assert "training bookings from the LMS" in logs  # the extract's log was really read
    xcoms = json.dumps(e2e.xcom_values(DAG_ID))
    assert '"training_bookings"' in xcoms
    assert LMS_PASSWORD not in logs and LMS_PASSWORD not in xcoms
    assert LMS_PASSWORD not in json.dumps(e2e.status("lms_co"))
