"""Event-driven crew sync through a real scheduler AND triggerer (LocalExecutor, PostgreSQL) and
a real Redis on 127.0.0.1:6379: an LMS completion published on the company's channel starts the
crew sync within 30 s; three events within a second start exactly one run; a `_READY` marker in a
CSV drop's folder starts a run and is deleted, the CSV beside it stays. The asset events Airflow
keeps hold the burst's summary, never a message's values."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from aerosync.demo.crew import build_training_data, write_drops
from aerosync.dev.runtime import AirflowRuntime
from aerosync.dev.stack import REDIS_URL, aerosync_airflow, redis_available
from tests.conftest import POSTGRES_URL, require_service
from tests.e2e.support import postgres_available

pytestmark = pytest.mark.integration
COMPANY = "events_co"
DAG_ID = f"training_sync__{COMPANY}"
CHANNEL = f"aerosync.{COMPANY}.crew"
EVENTS_URI = f"aerosync://{COMPANY}/crew/events"
DEBOUNCE = 2
PERSONAL = {"name": "Amelia Quartermaine", "email": "amelia.q@example.com"}


@dataclass
class Env:
    runtime: AirflowRuntime
    redis: redis.Redis
    drops: dict[str, Path]
    home: Path


def _config(path: Path, drops: dict[str, Path]) -> None:
    path.write_text(
        f"""
companies:
  - id: {COMPANY}
    name: Events Co
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_events
    fms: {{conn_id: fms_events, dialect: reference}}
    training:
      records:
        hris: {{csv: "{drops["hris"]}"}}
        qualifications: {{csv: "{drops["qualifications"]}"}}
        events:
          redis_conn_id: redis_events
          debounce_seconds: {DEBOUNCE}
          ready_markers: true
          ready_poll_seconds: 1
""",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    workdir = tmp_path_factory.mktemp("crew_events_e2e")
    today = datetime.now(UTC).date()
    drops = write_drops(workdir / "drops", build_training_data(today - timedelta(days=3), 3))
    config = workdir / "companies.yaml"
    _config(config, drops)
    connections = {"redis_events": {"conn_type": "redis", "host": "127.0.0.1", "port": 6379}}
    client = redis.Redis.from_url(f"{REDIS_URL}/0")
    with aerosync_airflow(
        workdir,
        admin_url=POSTGRES_URL,
        name="aerosync_crew_events",
        config=config,
        connections=connections,
        triggerer=True,
        scheduled_runs=True,  # asset-triggered runs are created by the scheduler's job schedule
    ) as airflow:
        runtime = airflow.runtime
        runtime.wait_for_dag(DAG_ID)
        runtime.unpause(DAG_ID)
        # Unpausing brings the last daily window's run (catchup is off); with max_active_runs=1
        # an event's run would wait behind it, so it goes first.
        daily = _wait_run(runtime, lambda r: r["run_type"] == "scheduled")
        assert _settle(runtime, daily["dag_run_id"]) == "success"
        _wait_listening(runtime, client)
        yield Env(runtime, client, drops, airflow.home)
    client.close()


def _wait_listening(runtime: AirflowRuntime, client: redis.Redis, timeout: float = 120) -> None:
    """The triggerer has picked up the asset's watchers once someone listens on the channel."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dict(client.pubsub_numsub(CHANNEL)).get(CHANNEL.encode(), 0) > 0:
            return
        runtime.check_alive()
        time.sleep(0.5)
    raise AssertionError(f"nobody listens on {CHANNEL} after {timeout} s\n{runtime.logs_tail()}")


def _event_runs(runtime: AirflowRuntime) -> list[dict[str, Any]]:
    return [r for r in runtime.dag_runs(DAG_ID) if r["run_type"] == "asset_triggered"]


def _wait_run(
    runtime: AirflowRuntime, wanted: Callable[[dict[str, Any]], bool], timeout: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [r for r in runtime.dag_runs(DAG_ID) if wanted(r)]
        if found:
            return found[0]
        runtime.check_alive()
        time.sleep(0.3)
    raise AssertionError(f"no such run of {DAG_ID} in {timeout} s\n{runtime.logs_tail()}")


def _wait_new_run(runtime: AirflowRuntime, known: set[str], timeout: float = 60) -> dict[str, Any]:
    return _wait_run(
        runtime,
        lambda r: r["run_type"] == "asset_triggered" and r["dag_run_id"] not in known,
        timeout,
    )


def _wait_started(runtime: AirflowRuntime, run_id: str, timeout: float = 60) -> datetime:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = runtime.dag_run(DAG_ID, run_id).get("start_date")
        if started:
            return _moment(started)
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} did not start in {timeout} s")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _publish(client: redis.Redis, kind: str) -> None:
    message = {"kind": kind, "employee_id": "E1001", "course_id": "CRM", **PERSONAL}
    assert client.publish(CHANNEL, json.dumps(message)) >= 1  # someone listened


def _settle(runtime: AirflowRuntime, run_id: str) -> str:
    return runtime.wait_for_run(DAG_ID, run_id, timeout=300)


def test_an_lms_completion_starts_the_crew_sync_within_30_seconds(env: Env) -> None:
    known = {r["dag_run_id"] for r in _event_runs(env.runtime)}
    published = datetime.now(UTC)
    _publish(env.redis, "lms.completion")
    run = _wait_new_run(env.runtime, known, timeout=60)
    started = _wait_started(env.runtime, run["dag_run_id"])
    took = (started - published).total_seconds()
    print(f"published {published:%H:%M:%S.%f}, run started {started:%H:%M:%S.%f}: {took:.1f} s")
    assert took <= 30, f"the crew sync started {took:.1f} s after the publish"
    assert run["logical_date"] is None  # an asset-triggered run: the incremental window
    assert _settle(env.runtime, run["dag_run_id"]) == "success"


def test_three_events_within_a_second_give_one_run(env: Env) -> None:
    known = {r["dag_run_id"] for r in _event_runs(env.runtime)}
    began = time.monotonic()
    for kind in ("lms.completion", "lms.completion", "hris.change"):
        _publish(env.redis, kind)
        time.sleep(0.3)
    assert time.monotonic() - began < 1.0
    run = _wait_new_run(env.runtime, known, timeout=60)
    assert _settle(env.runtime, run["dag_run_id"]) == "success"
    time.sleep(DEBOUNCE + 8)  # room for a second run, had the burst been split
    new = [r for r in _event_runs(env.runtime) if r["dag_run_id"] not in known]
    assert [r["dag_run_id"] for r in new] == [run["dag_run_id"]]
    events = env.runtime.get("/assets/events", params={"limit": 100, "order_by": "-timestamp"})
    ours = [e for e in events["asset_events"] if e["uri"] == EVENTS_URI]
    payloads = [e["extra"].get("payload") for e in ours]
    assert {"channel": CHANNEL, "count": 3, "kinds": {"hris.change": 1, "lms.completion": 2}} in (
        payloads
    )
    kept = json.dumps(ours) + (env.home / "logs-runtime" / "triggerer.log").read_text()
    assert "Trigger fired event" in kept
    for value in (*PERSONAL.values(), "E1001", "CRM"):
        assert value not in kept


def test_a_ready_marker_starts_a_run_and_is_consumed_the_csv_stays(env: Env) -> None:
    folder = env.drops["qualifications"]
    data_files = sorted(p.name for p in folder.iterdir())
    known = {r["dag_run_id"] for r in _event_runs(env.runtime)}
    marker = folder / "_READY"
    marker.write_text("")
    run = _wait_new_run(env.runtime, known, timeout=60)
    assert not marker.exists()
    assert sorted(p.name for p in folder.iterdir()) == data_files and data_files
    assert _settle(env.runtime, run["dag_run_id"]) == "success"


def test_an_event_during_a_run_queues_one_run_after_it(env: Env) -> None:
    """`max_active_runs=1` holds for event-started runs: never two runs of a window at once."""
    known = {r["dag_run_id"] for r in _event_runs(env.runtime)}
    _publish(env.redis, "hris.change")
    first = _wait_new_run(env.runtime, known)
    _wait_started(env.runtime, first["dag_run_id"])
    _publish(env.redis, "lms.completion")
    second = _wait_new_run(env.runtime, known | {first["dag_run_id"]})
    assert _settle(env.runtime, first["dag_run_id"]) == "success"
    assert _settle(env.runtime, second["dag_run_id"]) == "success"
    ended = _moment(env.runtime.dag_run(DAG_ID, first["dag_run_id"])["end_date"])
    started = _moment(env.runtime.dag_run(DAG_ID, second["dag_run_id"])["start_date"])
    assert started >= ended, (ended, started)
