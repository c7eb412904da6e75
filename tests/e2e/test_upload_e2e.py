"""Whole DAG runs through a real scheduler (LocalExecutor, PostgreSQL metadata) against the
sandbox over HTTP, with the FMS in SQLite and in PostgreSQL."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.conftest import require_service
from tests.e2e.support import E2E, all_tokens, e2e_environment, postgres_available

pytestmark = pytest.mark.integration

DOCUMENTED_KEYS = {
    "activityId",
    "externalTripId",
    "tripId",
    "flightNumber",
    "activityType",
    "startAirport",
    "endAirport",
    "startDateTime",
    "endDateTime",
    "paxCount",
    "note",
    "flightRegulations",
    "flightRegulationsDescription",
    "price",
    "currency",
    "marketingStartDateTime",
    "marketingEndDateTime",
    "marketingVerified",
    "marketingMessage",
    "services",
}
SERVICE_KEYS = {
    "serviceProviderId",
    "serviceProviderName",
    "airport",
    "serviceType",
    "serviceFor",
    "note",
    "dataSource",
}
REGULATIONS = {
    "PART_135",
    "PART_125",
    "PART_121",
    "PART_91",
    "PART_91K",
    "PART_CAT",
    "PART_NCO",
    "PART_NCC",
    "SUBPART_604",
    "SUBPART_704",
}
AVINODE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$")
ICAO = re.compile(r"^[A-Z0-9]{4}$")


@pytest.fixture(scope="module")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2E]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with e2e_environment(tmp_path_factory.mktemp("e2e")) as env:
        yield env


def run(e2e: E2E, company: str) -> str:
    e2e.reset()
    result = e2e.runtime.run_dag(f"schedule_upload__{company}", timeout=300)
    return result.state


def test_sqlite_fms_company_uploads_every_marketed_aircraft(e2e: E2E) -> None:
    state = run(e2e, "sqlite_co")
    status = {r["tail"]: r for r in e2e.status("sqlite_co")}
    assert state == "success", status
    assert sorted(status) == e2e.tails["sqlite_co"]
    held = e2e.sandbox_get("/_sandbox/schedules")
    for tail, record in status.items():
        assert record["outcome"] in ("uploaded", "uploaded_with_errors"), record
        assert record["last_success_at"] == record["attempted_at"]
        assert len(held[tail]["activities"]) == record["activities_sent"] > 0
    # The partner aircraft went through its own account.
    assert held["N650SW"]["account"] == "partner"
    assert {held[t]["account"] for t in held if t != "N650SW"} == {"sqlite_co"}
    # The unknown airport comes back as 200 + error tied to its activity.
    errors = [m for r in status.values() for m in r["messages"] if m.get("level") == "error"]
    assert any(
        m["code"] == "START_AIRPORT_INVALID" or m["code"] == "END_AIRPORT_INVALID" for m in errors
    )
    assert all(m["activity_id"] for m in errors if m["code"].endswith("AIRPORT_INVALID"))


def test_the_build_task_inherits_great_expectations_from_the_scheduler(e2e: E2E) -> None:
    """The runtime's `airflow_local_settings.py` preloads the validation stack in the scheduler
    (`aerosync.quality.preload`); LocalExecutor task processes, forked from it, do not import it
    again."""
    e2e.reset()
    result = e2e.runtime.run_dag("schedule_upload__sqlite_co", timeout=300)
    assert result.state == "success"
    log = e2e.runtime.task_log("schedule_upload__sqlite_co", result.run_id, "build_schedules")
    assert "Great Expectations inherited from the scheduler" in log, log[-2000:]


def test_a_runs_validation_leaves_its_data_docs_in_the_companys_site(e2e: E2E) -> None:
    """`build_schedules` keeps its validation's GX Data Docs under the companies file's
    `data_docs:` location (tests/e2e/support.py): the index links this run's pages."""
    from aerosync.config.data_docs import run_label

    e2e.reset()
    result = e2e.runtime.run_dag("schedule_upload__sqlite_co", timeout=300)
    assert result.state == "success"
    site = e2e.home.parent / "data_docs" / "sqlite_co"
    index = (site / "index.html").read_text()
    label = run_label("schedule_upload__sqlite_co", result.run_id)
    pages = sorted(p.relative_to(site).as_posix() for p in site.glob(f"validations/*/{label}/*/*"))
    assert [p.split("/")[1] for p in pages] == ["activities", "aircraft"], pages
    for page in pages:
        assert f"'_table_row_link_path': '{page}'" in index
    # Served by the plugin in this Airflow, behind its login; linked from the status page.
    base, token = e2e.runtime.base_url, {"_token": e2e.runtime.token()}
    served = f"{base}/aerosync/data-docs/sqlite_co/{pages[0]}"
    assert requests.get(served, timeout=30).status_code == 401
    answer = requests.get(served, cookies=token, timeout=30)
    assert answer.status_code == 200 and answer.text == (site / pages[0]).read_text()
    status = requests.get(f"{base}/aerosync/status", cookies=token, timeout=30).text
    assert "href='data-docs/sqlite_co/index.html'" in status


def test_captured_requests_match_the_documented_api_field_for_field(e2e: E2E) -> None:
    assert run(e2e, "sqlite_co") == "success"
    kinds_seen: set[str] = set()
    for tail in e2e.tails["sqlite_co"]:
        (request,) = e2e.requests_for(tail)
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert request["method"] == "PUT" and request["path"].endswith("/schedules")
        assert headers["authorization"] == "***" and headers["x-avinode-apitoken"] == "***"
        assert headers["x-avinode-apiversion"] == "v1.0"
        assert headers["x-avinode-product"] == "AeroSync/e2e"
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", headers["x-avinode-senttimestamp"]
        )
        assert headers["content-type"] == "application/json"
        body = request["body"]
        assert body["lift"] == {"aircraftTail": tail}
        for activity in body["activities"]:
            kinds_seen.add(activity["activityType"])
            assert set(activity) <= DOCUMENTED_KEYS, set(activity) - DOCUMENTED_KEYS
            assert {
                "activityId",
                "activityType",
                "startAirport",
                "endAirport",
                "startDateTime",
                "endDateTime",
            } <= set(activity)
            assert len(activity["activityType"]) <= 20
            for key in (
                "startDateTime",
                "endDateTime",
                "marketingStartDateTime",
                "marketingEndDateTime",
            ):
                if key in activity:
                    assert AVINODE_TIME.match(activity[key]), activity[key]
            for key in ("startAirport", "endAirport"):
                assert set(activity[key]) == {"icao"} and ICAO.match(activity[key]["icao"])
            if "flightRegulations" in activity:
                assert activity["flightRegulations"] in REGULATIONS
            if "marketingStartDateTime" in activity:
                assert activity["activityType"] == "EmptyLeg"
                assert isinstance(activity["marketingVerified"], bool)
            for service in activity.get("services", []):
                assert set(service) <= SERVICE_KEYS and set(service["airport"]) == {"icao"}
    # Every default kind the demo fleet holds, with the company's rename of PAX.
    assert {"CharterFlight", "Positioning", "EmptyLeg", "Option", "Maintenance"} <= kinds_seen


def test_postgres_fms_company_uploads(e2e: E2E) -> None:
    state = run(e2e, "pg_co")
    status = e2e.status("pg_co")
    assert state == "success", status
    assert sorted(r["tail"] for r in status) == e2e.tails["pg_co"]
    assert all(r["outcome"].startswith("uploaded") for r in status)


def test_a_fault_on_one_aircraft_fails_only_that_one_with_one_request(e2e: E2E) -> None:
    e2e.reset()
    victim = e2e.tails["sqlite_co"][1]
    e2e.sandbox_post("/_sandbox/faults", {"tail": victim, "fault": "500"})
    try:
        result = e2e.runtime.run_dag("schedule_upload__sqlite_co", timeout=300)
    finally:
        e2e.sandbox_post("/_sandbox/faults", {"tail": victim, "fault": None})
    assert result.state == "failed"
    status = {r["tail"]: r for r in e2e.status("sqlite_co")}
    assert status[victim]["outcome"] == "failed" and status[victim]["http_status"] == 500
    assert "500" in json.dumps(status[victim]["messages"])
    assert len(e2e.requests_for(victim)) == 1
    others = [t for t in e2e.tails["sqlite_co"] if t != victim]
    assert all(status[t]["outcome"].startswith("uploaded") for t in others)
    assert all(len(e2e.requests_for(t)) == 1 for t in others)


def test_slow_and_refused_answers_are_recorded_failures(e2e: E2E) -> None:
    e2e.reset()
    slow, refused = e2e.tails["sqlite_co"][2], e2e.tails["sqlite_co"][3]
    e2e.sandbox_post("/_sandbox/faults", {"tail": slow, "fault": "slow:8"})
    e2e.sandbox_post("/_sandbox/faults", {"tail": refused, "fault": "refuse"})
    try:
        result = e2e.runtime.run_dag("schedule_upload__sqlite_co", timeout=300)
    finally:
        for tail in (slow, refused):
            e2e.sandbox_post("/_sandbox/faults", {"tail": tail, "fault": None})
    assert result.state == "failed"
    status = {r["tail"]: r for r in e2e.status("sqlite_co")}
    assert status[slow]["messages"][0]["code"] == "TIMEOUT"
    assert status[refused]["messages"][0]["code"] == "CONNECTION_FAILED"
    assert status[slow]["last_success_at"] is None


def test_tokens_never_appear_in_logs_xcom_or_status(e2e: E2E) -> None:
    assert run(e2e, "sqlite_co") == "success"
    tokens = all_tokens()
    logs = "".join(
        p.read_text(errors="replace") for p in Path(e2e.home, "logs").rglob("*") if p.is_file()
    )
    assert "schedules" in logs or "upload" in logs  # the logs were really read
    xcom_values = e2e.xcom_values("schedule_upload__sqlite_co")
    assert xcom_values, "XCom was really read"
    xcoms = json.dumps(xcom_values)
    status = json.dumps(e2e.status(None))  # type: ignore[arg-type]
    for token in tokens:
        assert token not in logs, "a token is in a task log"
        assert token not in xcoms, "a token is in XCom"
        assert token not in status, "a token is in the status records"


def test_a_second_trigger_a_minute_later_sends_nothing_and_says_why(e2e: E2E) -> None:
    e2e.reset()
    began = time.monotonic()
    first = e2e.runtime.run_dag("schedule_upload__pg_co", timeout=300)
    assert first.state == "success"
    sent = {t: len(e2e.requests_for(t)) for t in e2e.tails["pg_co"]}
    assert set(sent.values()) == {1}
    time.sleep(max(0.0, 60 - (time.monotonic() - began)))  # "Upload now" pressed again
    second = e2e.runtime.run_dag("schedule_upload__pg_co", timeout=300)
    assert second.state == "success"
    assert {t: len(e2e.requests_for(t)) for t in e2e.tails["pg_co"]} == sent
    status = {r["tail"]: r for r in e2e.status("pg_co")}
    assert sorted(status) == e2e.tails["pg_co"]
    for record in status.values():
        assert record["outcome"] == "skipped", record
        assert record["run_id"] == second.run_id
        reason = json.dumps(record["messages"]) + json.dumps(record.get("reasons", []))
        assert "5 minutes" in reason, record
        assert record["next_allowed_at"] > record["attempted_at"]
        # The skip does not pretend to be an upload: the last success is the first run's.
        assert record["last_success_at"] < record["attempted_at"]


def test_a_backfill_sends_nothing_and_says_so(e2e: E2E) -> None:
    e2e.reset()
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
    runs = e2e.runtime.backfill(
        "schedule_upload__pg_co", end - timedelta(minutes=30), end, timeout=300
    )
    assert len(runs) >= 3 and all(r["state"] == "success" for r in runs), runs
    assert all(e2e.requests_for(t) == [] for t in e2e.tails["pg_co"])
    assert e2e.status("pg_co") == []
    log = e2e.runtime.task_log("schedule_upload__pg_co", runs[0]["dag_run_id"], "build_schedules")
    assert "nothing uploaded" in log and "backfill" in log, log[-2000:]


def test_every_run_emits_one_schedules_asset_event_saying_what_was_sent(e2e: E2E) -> None:
    """`record_status`'s outlet: one event per successful run, counts only; a backfill's says
    nothing was sent (the event of a successful task cannot be withheld)."""
    dag_id = "schedule_upload__pg_co"
    e2e.reset()
    manual = e2e.runtime.run_dag(dag_id, timeout=300)
    assert manual.state == "success"
    events = e2e.runtime._paged("/assets/events", "asset_events", source_dag_id=dag_id)
    assert {(e["uri"], e["source_task_id"]) for e in events} == {
        ("aerosync://pg_co/marketplace/schedules", "record_status")
    }
    runs = {r["dag_run_id"]: r for r in e2e.runtime.dag_runs(dag_id)}
    succeeded = {run_id for run_id, r in runs.items() if r["state"] == "success"}
    assert sorted(e["source_run_id"] for e in events) == sorted(succeeded)
    (latest,) = [e for e in events if e["source_run_id"] == manual.run_id]
    tails = len(e2e.tails["pg_co"])
    assert latest["extra"]["current"] is True and latest["extra"]["sent"] == tails
    assert latest["extra"]["uploaded"] + latest["extra"]["uploaded_with_errors"] == tails
    for event in events:
        if runs[event["source_run_id"]]["run_type"] == "backfill":
            assert event["extra"] == {"current": False, "sent": 0}
        assert all(isinstance(v, (bool, int)) for v in event["extra"].values()), event
