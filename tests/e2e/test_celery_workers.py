"""AeroSync on the CeleryExecutor: two `airflow celery worker`s, each with an AIRFLOW_HOME of its
own (no state shared on disk), a Redis broker, PostgreSQL for Airflow's metadata, Celery's
results and the aerosync database. One company's upload is split into three batches and routed to
its own queue and pool; its crew sync reads a window of CSV drops.

Then the same with no `aerosync_db` connection (a SQLite file in each worker's home): refused at
parse time, visibly, and nothing reaches the marketplace.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from aerosync.demo.crew import build_training_data, write_drops
from aerosync.demo.fleet import build_demo_fms, demo_homebases
from aerosync.dev import stack
from aerosync.dev.runtime import AirflowRuntime
from aerosync.sandbox.server import SandboxServer, SandboxState
from tests.conftest import POSTGRES_URL, require_service
from tests.crew.support import snapshot

pytestmark = pytest.mark.integration

COMPANY = "fleet_co"
UPLOAD_DAG = f"schedule_upload__{COMPANY}"
CREW_DAG = f"training_sync__{COMPANY}"
PROBLEMS_DAG = "aerosync_config_problems"
WORKERS = ("worker_a", "worker_b")
QUEUE, POOL, CREW_QUEUE = "fleet_east", "fleet_east_pool", "crew"
TOKENS = ("celery-auth-7c1d2e", "celery-api-3f4a5b")


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(stack.REDIS_URL, socket_timeout=3).ping())
    except redis.RedisError:
        return False


def write_config(path: Path, drops: dict[str, Path]) -> None:
    path.write_text(
        f"""
product: AeroSync/celery-e2e
companies:
  - id: {COMPANY}
    name: Fleet East
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_fleet
    fms: {{conn_id: fms_fleet, dialect: reference}}
    upload_batch_size: 2
    queue: {QUEUE}
    pool: {POOL}
    priority_weight: 5
    training:
      records:
        hris: {{csv: "{drops["hris"]}"}}
        statements: {{csv: "{drops["statements"]}"}}
        qualifications: {{csv: "{drops["qualifications"]}"}}
        ebt_gradings: {{csv: "{drops["ebt"]}"}}
        queue: {CREW_QUEUE}
        priority_weight: 2
""",
        encoding="utf-8",
    )


@dataclass
class Cluster:
    runtime: AirflowRuntime
    sandbox: SandboxServer
    store_url: str
    tails: list[str]

    def requests_for(self, tail: str) -> list[dict[str, Any]]:
        url = f"http://127.0.0.1:{self.sandbox.port}/_sandbox/requests?tail={tail}"
        answer = requests.get(url, timeout=10)
        answer.raise_for_status()
        log: list[dict[str, Any]] = answer.json()
        return log

    def sent(self) -> dict[str, int]:
        return {tail: len(self.requests_for(tail)) for tail in self.tails}


def _environment(
    workdir: Path, *, shared_store: bool, workers: tuple[str, ...]
) -> Iterator[Cluster]:
    require_service(stack.postgres_available(POSTGRES_URL), "PostgreSQL at 127.0.0.1:5432")
    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    now = datetime.now(UTC)
    state = SandboxState(accounts=[("fleet", *TOKENS)])
    for tail, icao in demo_homebases("skyway_charter").items():
        state.set_homebase(tail, icao)
    fms = workdir / "fms.sqlite"
    fleet = build_demo_fms(fms, now, company="skyway_charter")
    first = now.date() - timedelta(days=14)
    drops = write_drops(workdir / "drops", build_training_data(first, 14))
    config = workdir / "companies.yaml"
    write_config(config, drops)
    with SandboxServer(port=0, state=state) as sandbox:
        connections = {
            "avinode_fleet": stack.marketplace_connection(sandbox.url, *TOKENS, timeout=5),
            "fms_fleet": {"conn_type": "sqlite", "host": str(fms)},
        }
        with stack.aerosync_airflow(
            workdir,
            admin_url=POSTGRES_URL,
            name="aerosync_celery",
            config=config,
            connections=connections,
            celery_workers=workers,
            celery_queues=("default", QUEUE, CREW_QUEUE),
            shared_store=shared_store,
        ) as airflow:
            yield Cluster(airflow.runtime, sandbox, airflow.store_url, sorted(fleet.tails))


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    yield from _environment(tmp_path, shared_store=True, workers=WORKERS)


def _run(cluster: Cluster, dag_ids: list[str], timeout: float = 420) -> dict[str, str]:
    """Trigger every DAG at once (their tasks share the workers), then wait for each run."""
    runtime = cluster.runtime
    runs = {}
    for dag_id in dag_ids:
        runtime.wait_for_dag(dag_id)
        runs[dag_id] = runtime.trigger(dag_id)
        runtime.unpause(dag_id)
    for dag_id, run_id in runs.items():
        runtime.wait_for_run(dag_id, run_id, timeout=timeout)
    return runs


def _hosts(runtime: AirflowRuntime, dag_id: str, run_id: str) -> dict[str, str]:
    return {
        f"{ti['task_id']}[{ti['map_index']}]": ti["hostname"]
        for ti in runtime.task_instances(dag_id, run_id)
    }


@pytest.mark.timeout(1500)
def test_a_run_spreads_over_both_workers_and_sends_each_aircraft_once(cluster: Cluster) -> None:
    runtime = cluster.runtime
    runtime.api("POST", "/pools", json={"name": POOL, "slots": 4, "include_deferred": False})
    began = time.monotonic()
    runs = _run(cluster, [UPLOAD_DAG, CREW_DAG])
    print(f"first upload and crew runs: {time.monotonic() - began:.1f} s")
    upload_run = runs[UPLOAD_DAG]
    states = {d: runtime.dag_run(d, r)["state"] for d, r in runs.items()}
    upload_tis = runtime.task_instances(UPLOAD_DAG, upload_run)
    hosts = _hosts(runtime, UPLOAD_DAG, upload_run)
    print(f"upload tasks by worker: {hosts}")
    assert states == {UPLOAD_DAG: "success", CREW_DAG: "success"}, (states, upload_tis)
    # Three batches of two aircraft, and the run's tasks on both workers.
    assert [ti["map_index"] for ti in upload_tis if ti["task_id"] == "upload"] == [0, 1, 2]
    assert set(hosts.values()) == set(WORKERS), hosts
    # The company's queue, pool and priority reached every task.
    assert {(ti["queue"], ti["pool"], ti["priority_weight"] >= 5) for ti in upload_tis} == {
        (QUEUE, POOL, True)
    }, upload_tis
    crew_tis = runtime.task_instances(CREW_DAG, runs[CREW_DAG])
    assert {ti["queue"] for ti in crew_tis} == {CREW_QUEUE}
    print(f"crew tasks by worker: {_hosts(runtime, CREW_DAG, runs[CREW_DAG])}")

    # Every marketed aircraft PUT exactly once, and every outcome recorded in the shared store.
    assert cluster.sent() == dict.fromkeys(cluster.tails, 1)
    page = requests.get(
        f"{runtime.base_url}/aerosync/status?company={COMPANY}",
        cookies={"_token": runtime.token()},
        timeout=30,
    )
    assert page.status_code == 200, page.text[:500]
    for tail in cluster.tails:
        assert f"data-tail='{tail}' data-outcome='uploaded" in page.text, tail
    status = _cli_status(cluster.store_url)
    # (the demo fleet's unknown airport comes back as uploaded_with_errors)
    assert {r["tail"]: r["outcome"].startswith("uploaded") for r in status} == dict.fromkeys(
        cluster.tails, True
    ), status
    crew = snapshot(sa.create_engine(cluster.store_url), COMPANY)
    assert crew["training_employee_versions"] and crew["training_records"], crew.keys()

    # The worker preloaded the validation stack once; the task did not import it.
    log = runtime.worker_task_log(UPLOAD_DAG, upload_run, "build_schedules")
    assert "Great Expectations inherited from the Celery worker" in log, log[-3000:]
    assert "Skipping registering function" not in log

    # A second trigger within 5 minutes sends nothing, whichever worker runs its uploads.
    again = _run(cluster, [UPLOAD_DAG])[UPLOAD_DAG]
    print(f"second upload run by worker: {_hosts(runtime, UPLOAD_DAG, again)}")
    assert cluster.sent() == dict.fromkeys(cluster.tails, 1)
    second = _cli_status(cluster.store_url)
    assert {r["outcome"] for r in second} == {"skipped"}, second


def _cli_status(store_url: str) -> list[dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "aerosync.cli", "status", "-o", "json", "--db", store_url,
         "--company", COMPANY],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    data = json.loads(out.stdout)
    records: list[dict[str, Any]] = data
    return records


@pytest.mark.timeout(900)
def test_a_sqlite_store_under_celery_builds_no_company_dag_and_sends_nothing(
    tmp_path: Path,
) -> None:
    """No `aerosync_db` connection: each worker's home would hold its own `aerosync.db`."""
    with contextmanager(_environment)(tmp_path, shared_store=False, workers=WORKERS[:1]) as env:
        runtime = env.runtime
        runtime.wait_for_dag(PROBLEMS_DAG)
        dag_ids = {d["dag_id"] for d in runtime.get("/dags", params={"limit": 100})["dags"]}
        assert dag_ids == {PROBLEMS_DAG}, dag_ids
        details = runtime.get(f"/dags/{PROBLEMS_DAG}/details")
        doc = details["doc_md"]
        assert "config-problem" in {t["name"] for t in details["tags"]}
        for words in ("Refused: no company has a DAG", "CeleryExecutor", "a SQLite file in each "
                      "AIRFLOW_HOME", "aerosync.db", "Point an `aerosync_db` connection at "
                      "PostgreSQL that every worker"):  # fmt: skip
            assert words in doc, doc
        result = runtime.run_dag(PROBLEMS_DAG, timeout=300)
        assert result.state == "failed"
        log = runtime.worker_task_log(PROBLEMS_DAG, result.run_id, "report_problems")
        assert "every company refused: the aerosync database is a SQLite file" in log, log[-3000:]
        answer = requests.get(f"http://127.0.0.1:{env.sandbox.port}/_sandbox/requests", timeout=10)
        assert answer.json() == []
