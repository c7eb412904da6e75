"""The Airflow runtime harness against a real Airflow 3.3: once on SQLite, once on PostgreSQL.

The SQLite runtime keeps Airflow's own scheduling (``scheduled_runs=True``), the PostgreSQL one
runs with ``scheduled_runs=False``: between them they pin down what happens to a cron DAG when
it is triggered and unpaused (see the module docstring of ``aerosync.dev.runtime``).
"""

from __future__ import annotations

import contextlib
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
import requests

from aerosync.dev.environment import AirflowEnv, AirflowRuntimeError
from aerosync.dev.runtime import AirflowRuntime
from aerosync.dev.stack import fresh_postgres_database, postgres_available
from tests.conftest import POSTGRES_URL, require_service

pytestmark = pytest.mark.integration

DAG_FILE = textwrap.dedent(
    '''
    """Tiny airflow DAGs for the runtime harness tests."""

    from __future__ import annotations

    from datetime import datetime

    from airflow.sdk import dag, task


    @dag(schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["runtime"])
    def rt_tiny():
        @task
        def items() -> list[str]:
            print("making items")
            return ["alpha", "beta", "gamma"]

        @task(map_index_template="{{ item }}")
        def shout(item: str) -> str:
            print(f"shouting {item}")
            return item.upper()

        shout.expand(item=items())


    @dag(schedule="*/15 * * * *", start_date=datetime(2026, 1, 1), catchup=False, tags=["runtime"])
    def rt_cron():
        @task
        def hello() -> str:
            return "hi"

        hello()


    rt_tiny()
    rt_cron()
    '''
)
BROKEN_DAG_FILE = (
    "# an airflow dag file that does not import\nfrom airflow.sdk import dag\nnot python(\n"
)
QUARTER = timedelta(minutes=15)


@dataclass
class Case:
    backend: str
    runtime: AirflowRuntime
    scheduled_runs: bool


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _quarter(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def case(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Case]:
    backend: str = request.param
    root = tmp_path_factory.mktemp(f"airflow_rt_{backend}")
    dags = root / "dags"
    dags.mkdir()
    (dags / "runtime_dags.py").write_text(DAG_FILE)
    (dags / "broken_dag.py").write_text(BROKEN_DAG_FILE)
    scheduled_runs = backend == "sqlite"
    family: list[psutil.Process] = []
    with contextlib.ExitStack() as databases:
        metadata_url = None
        if backend == "postgres":
            require_service(postgres_available(POSTGRES_URL), "PostgreSQL at 127.0.0.1:5432")
            metadata_url = databases.enter_context(
                fresh_postgres_database(POSTGRES_URL, "airflow_rt")
            )
        env = AirflowEnv(
            home=root / "airflow",
            dags_folder=dags,
            metadata_url=metadata_url,
            scheduled_runs=scheduled_runs,
        )
        with AirflowRuntime(env) as runtime:
            print(
                f"\n[{backend}] db migrate {runtime.migrate_seconds:.1f} s, "
                f"Airflow up in {runtime.started_seconds:.1f} s"
            )
            yield Case(backend, runtime, scheduled_runs)
            for proc in runtime.processes.values():
                leader = psutil.Process(proc.pid)
                family.extend([leader, *leader.children(recursive=True)])
        alive = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert not alive, f"processes left after stop(): {alive}"


def test_health_and_login(case: Case) -> None:
    runtime = case.runtime
    health = runtime.health()
    for part in ("metadatabase", "scheduler", "dag_processor"):
        assert health[part]["status"] == "healthy"
    token = runtime.token()
    assert token.count(".") == 2  # a JWT
    # The passwords file written before the api-server started is the one it uses.
    wrong = requests.post(
        f"{runtime.base_url}/auth/token",
        json={"username": "admin", "password": "not-the-password"},
        timeout=10,
    )
    assert wrong.status_code == 401
    anonymous = requests.get(f"{runtime.base_url}/api/v2/dags", timeout=10)
    assert anonymous.status_code == 401
    assert runtime.api("GET", "/dags").status_code == 200


def test_tiny_dag_run_with_mapped_labels_and_logs(case: Case) -> None:
    runtime = case.runtime
    result = runtime.run_dag("rt_tiny", conf={"who": case.backend}, timeout=180)
    print(f"\n[{case.backend}] rt_tiny trigger to {result.state}: {result.seconds:.1f} s")
    assert result.state == "success", result.states()
    assert result.other_runs == []
    run = runtime.dag_run("rt_tiny", result.run_id)
    assert run["run_type"] == "manual"
    assert run["logical_date"] is None
    assert run["conf"] == {"who": case.backend}
    assert result.states() == {
        "items": "success", "shout[0]": "success", "shout[1]": "success", "shout[2]": "success",
    }  # fmt: skip
    mapped = result.tasks("shout")
    assert [ti["rendered_map_index"] for ti in mapped] == ["alpha", "beta", "gamma"]
    for ti in result.task_instances:
        assert ti["duration"] is not None and ti["start_date"] and ti["end_date"]
    log = runtime.task_log("rt_tiny", result.run_id, "shout", map_index=1)
    assert "shouting beta" in log
    assert "shouting alpha" not in log
    assert "making items" in runtime.task_log("rt_tiny", result.run_id, "items")


def test_manual_run_of_a_paused_dag_waits_and_unpause_schedules_the_latest_tick(
    case: Case,
) -> None:
    runtime = case.runtime
    dag = runtime.wait_for_dag("rt_cron")
    assert dag["is_paused"] is True  # DAGS_ARE_PAUSED_AT_CREATION
    run_id = runtime.trigger("rt_cron")
    time.sleep(6)  # several scheduler loops
    assert runtime.dag_run("rt_cron", run_id)["state"] == "queued"
    assert [r["dag_run_id"] for r in runtime.dag_runs("rt_cron")] == [run_id]

    next_tick = _parse(runtime.dag("rt_cron")["next_dagrun_logical_date"])
    runtime.unpause("rt_cron")
    assert runtime.wait_for_run("rt_cron", run_id, timeout=120) == "success"
    if case.scheduled_runs:
        deadline = time.monotonic() + 30
        while not any(r["run_type"] == "scheduled" for r in runtime.dag_runs("rt_cron")):
            assert time.monotonic() < deadline, "no scheduled run after the unpause"
            time.sleep(1)
    else:
        time.sleep(5)  # several more scheduler loops: nothing may appear
    runs = runtime.dag_runs("rt_cron")
    scheduled = [r for r in runs if r["run_type"] == "scheduled"]
    for run in scheduled:
        runtime.wait_for_run("rt_cron", run["dag_run_id"], timeout=120)
    checked_at = datetime.now(UTC)

    assert [r["dag_run_id"] for r in runs if r["run_type"] == "manual"] == [run_id]
    if not case.scheduled_runs:
        assert scheduled == []
        return
    # catchup=False: one scheduled run at once, for the latest cron tick before the unpause
    # (the DAG's next_dagrun), with a zero-length data interval; later ones only at later ticks.
    dates = sorted(_parse(r["logical_date"]) for r in scheduled)
    assert dates[0] == next_tick
    assert all(d == _quarter(d) and next_tick <= d <= checked_at for d in dates)
    if _quarter(checked_at) == next_tick:
        assert len(dates) == 1
    first = min(scheduled, key=lambda r: r["logical_date"])
    assert first["dag_run_id"] == f"scheduled__{next_tick.isoformat()}"
    assert first["data_interval_start"] == first["data_interval_end"] == first["logical_date"]
    assert first["triggered_by"] == "timetable"


def test_run_dag_on_an_unpaused_cron_dag_gives_one_manual_run(case: Case) -> None:
    runtime = case.runtime
    runtime.wait_for_dag("rt_cron")
    runtime.unpause("rt_cron")  # unpaused by the test above already, unless run alone
    time.sleep(3)
    before = len(runtime.dag_runs("rt_cron"))
    result = runtime.run_dag("rt_cron", timeout=120)
    assert result.state == "success"
    crossed_tick = _quarter(datetime.now(UTC)) != _quarter(
        datetime.now(UTC) - timedelta(seconds=result.seconds + 5)
    )
    if not crossed_tick or not case.scheduled_runs:
        assert result.other_runs == []
    assert len(runtime.dag_runs("rt_cron")) == before + 1 + len(result.other_runs)


def test_missing_dag_reports_import_errors(case: Case) -> None:
    with pytest.raises(AirflowRuntimeError) as excinfo:
        case.runtime.wait_for_dag("rt_does_not_exist", timeout=3)
    message = str(excinfo.value)
    assert "broken_dag.py" in message
    assert "SyntaxError" in message


def test_backfill(case: Case) -> None:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    runs = case.runtime.backfill("rt_cron", start, start + timedelta(minutes=30), timeout=180)
    # One run per cron tick, both ends included, each with that tick as its logical date.
    assert [_parse(r["logical_date"]) for r in runs] == [
        start,
        start + QUARTER,
        start + 2 * QUARTER,
    ]
    assert {r["run_type"] for r in runs} == {"backfill"}
    assert all(r["state"] == "success" for r in runs)


def test_runtime_logs_are_on_disk(case: Case) -> None:
    logs = case.runtime.env.runtime_logs
    for name in ("api-server", "scheduler", "dag-processor", "db-migrate"):
        assert (logs / f"{name}.log").stat().st_size > 0
    assert isinstance(case.runtime.logs_tail(), str)
    assert Path(case.runtime.env.passwords_file).exists()
