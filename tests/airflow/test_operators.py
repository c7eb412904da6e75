"""The custom operators, executed as Airflow would call them, against the sandbox over HTTP.

The build operator reads a real FMS (SQLite) through its Airflow connection and stages what the
upload needs in a real aerosync SQLite store; the upload finds it there by run id, as in a DAG
run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from aerosync.airflow.operators import BuildSchedulesOperator, UploadSchedulesOperator
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.schedule.stages import ACTIVITIES, DECISIONS, Stores
from aerosync.stores.database import sqlite_engine
from tests.schedule.fms_builder import FmsBuilder

pytestmark = pytest.mark.airflow
AUTH, API = "operator-auth-2291", "operator-api-7730"
RUN_ID = "manual__operator_test"
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


@dataclass
class DagRun:
    run_type: str = "manual"
    logical_date: datetime | None = None


@dataclass
class TaskInstance:
    xcom: dict[str, Any] = field(default_factory=dict)
    map_index: int = -1

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcom[key] = json.loads(json.dumps(value))  # what XCom would store


def context(dag_run: DagRun | None = None) -> dict[str, Any]:
    return {"run_id": RUN_ID, "dag_run": dag_run or DagRun(), "ti": TaskInstance()}


@pytest.fixture
def staged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Config, connections, FMS and store for one company with three aircraft; yields the
    sandbox."""
    fms = FmsBuilder(tmp_path / "fms.sqlite")
    for tail in ("N1OP", "N2OP", "N3OP"):
        fms.aircraft(tail)
        for leg in range(3):
            fms.leg(f"{tail}-L{leg}", tail, NOW + timedelta(hours=6 * leg - 12))
    config = tmp_path / "companies.yaml"
    config.write_text(
        "product: AeroSync/operator-test\n"
        "companies:\n"
        "  - id: op_co\n"
        "    name: Operator Test\n"
        "    schedule: 15m\n"
        "    marketplace_conn_id: avinode_op\n"
        "    fms: {conn_id: fms_op}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AEROSYNC_CONFIG", str(config))
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))  # the aerosync store: SQLite in here
    monkeypatch.setenv(
        "AIRFLOW_CONN_FMS_OP", json.dumps({"conn_type": "sqlite", "host": str(fms.path)})
    )
    with SandboxServer(port=0, state=SandboxState(accounts=[("op", AUTH, API)])) as sandbox:
        monkeypatch.setenv(
            "AIRFLOW_CONN_AVINODE_OP",
            json.dumps(
                {
                    "conn_type": "http",
                    "host": sandbox.url,
                    "password": AUTH,
                    "extra": {"api_token": API},
                }
            ),
        )
        yield sandbox


def sandbox_requests(sandbox: SandboxServer) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = requests.get(
        f"http://127.0.0.1:{sandbox.port}/_sandbox/requests", timeout=5
    ).json()
    return log


def build(batch_size: int = 5) -> list[dict[str, Any]]:
    operator = BuildSchedulesOperator(
        task_id="build_schedules", company_id="op_co", batch_size=batch_size
    )
    batches: list[dict[str, Any]] = operator.execute(context())
    return batches


def test_build_then_upload_puts_each_aircraft_once(staged: SandboxServer, tmp_path: Path) -> None:
    run = context()
    batches = BuildSchedulesOperator(
        task_id="build_schedules", company_id="op_co", batch_size=2
    ).execute(run)
    assert [b["tails"] for b in batches] == [["N1OP", "N2OP"], ["N3OP"]]
    assert all(b["label"] for b in batches)
    assert "activities" not in json.dumps(batches)  # XCom carries references, not bodies
    summary = run["ti"].xcom["summary"]
    assert summary["extracted"]["activities"] == 9 and summary["normalised"]["activities"] == 9
    assert summary["validated"]["held"] == [] and summary["aircraft_to_upload"] == 3
    assert len(json.dumps(summary)) < 2000  # counts and tails, never the schedules
    counts = [
        UploadSchedulesOperator(task_id="upload", company_id="op_co", batch=batch).execute(
            {"run_id": RUN_ID, "ti": TaskInstance(map_index=index)}
        )
        for index, batch in enumerate(batches)
    ]
    assert sum(c["uploaded"] for c in counts) == 3
    # each record names the mapped instance that sent it: the page links to that log
    recorded = Stores.on(sqlite_engine(tmp_path / "aerosync.db")).status.latest("op_co")
    assert {r.tail: r.upload_map_index for r in recorded} == {"N1OP": 0, "N2OP": 0, "N3OP": 1}
    log = sandbox_requests(staged)
    assert sorted(entry["tail"] for entry in log) == ["N1OP", "N2OP", "N3OP"]
    assert all(len(entry["body"]["activities"]) == 3 for entry in log)


def test_a_failed_aircraft_fails_the_task_after_the_others_are_sent(
    staged: SandboxServer,
) -> None:
    requests.post(
        f"http://127.0.0.1:{staged.port}/_sandbox/faults",
        json={"tail": "N1OP", "fault": "500"},
        timeout=5,
    )
    (batch,) = build()
    upload = UploadSchedulesOperator(task_id="upload", company_id="op_co", batch=batch)
    with pytest.raises(AirflowFailException, match="1 of 3 aircraft"):
        upload.execute({"run_id": RUN_ID})
    assert sorted(entry["tail"] for entry in sandbox_requests(staged)) == ["N1OP", "N2OP", "N3OP"]


def test_upload_sends_only_what_validation_cleared_and_the_build_step_staged(
    staged: SandboxServer, tmp_path: Path
) -> None:
    """A batch naming a held aircraft, an unknown one and one whose staged schedule is not
    readable sends only the cleared, readable one; the others are recorded as not sent."""
    build()
    stores = Stores.on(sqlite_engine(tmp_path / "aerosync.db"))
    decisions = stores.staging.get("op_co", RUN_ID, DECISIONS)
    decisions["N2OP"]["held"] = True
    stores.staging.put("op_co", RUN_ID, DECISIONS, decisions)
    staged_bodies = stores.staging.get_text("op_co", RUN_ID, ACTIVITIES)
    staged_bodies["N3OP"] = staged_bodies["N3OP"][:-20]  # cut short
    stores.staging.put_text("op_co", RUN_ID, ACTIVITIES, staged_bodies)
    batch = {"batch": 0, "tails": ["N1OP", "N2OP", "N3OP", "N9XX"], "label": "mixed"}
    upload = UploadSchedulesOperator(task_id="upload", company_id="op_co", batch=batch)
    with pytest.raises(AirflowFailException, match="3 of 4 aircraft"):
        upload.execute({"run_id": RUN_ID})
    (sent,) = sandbox_requests(staged)
    assert sent["tail"] == "N1OP"
    assert len(sent["body"]["activities"]) == 3
    records = {r.tail: r for r in stores.status.attempts("op_co", RUN_ID)}
    assert records["N1OP"].activities_sent == 3
    reasons = {tail: [r["code"] for r in records[tail].reasons] for tail in records}
    assert reasons == {
        "N1OP": [],
        "N2OP": ["PAYLOAD_MISSING"],
        "N3OP": ["PAYLOAD_INVALID"],
        "N9XX": ["PAYLOAD_MISSING"],
    }
    assert all(records[t].http_status is None for t in ("N2OP", "N3OP", "N9XX"))


def test_a_backfilled_or_late_run_builds_nothing_and_says_why(
    staged: SandboxServer, tmp_path: Path
) -> None:
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    for dag_run, why in (
        (DagRun("backfill", two_hours_ago), "backfill"),
        (DagRun("scheduled", two_hours_ago), "late"),
    ):
        operator = BuildSchedulesOperator(task_id="build_schedules", company_id="op_co")
        with pytest.raises(AirflowSkipException, match=f"op_co: nothing uploaded: .*{why}"):
            operator.execute(context(dag_run))
    assert (
        Stores.on(sqlite_engine(tmp_path / "aerosync.db")).staging.get_text(
            "op_co", RUN_ID, ACTIVITIES
        )
        == {}
    )
    assert sandbox_requests(staged) == []
