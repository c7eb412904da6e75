"""A real Airflow 3.3 in the background: api-server, scheduler and dag-processor (LocalExecutor),
or with ``AirflowEnv.celery`` the CeleryExecutor and its workers, each in a home of its own.

Used by ``make demo``, the integration tests and the benchmarks. Nothing from Airflow is
imported here: Airflow runs in subprocesses (``python -m airflow ...`` from this interpreter's
environment, :mod:`aerosync.dev.processes`) configured by :mod:`aerosync.dev.environment`, and
is driven through its REST API (``/api/v2``) with ``requests`` (:mod:`aerosync.dev.rest_client`).

    env = AirflowEnv(home=tmp / "airflow", dags_folder=tmp / "dags")
    with AirflowRuntime(env) as runtime:          # db migrate + start + health
        result = runtime.run_dag("my_dag", conf={"x": 1})
        assert result.state == "success"

Facts checked on the 2-core machine with apache-airflow 3.3.2 (see the integration test
``tests/dev/test_airflow_runtime.py`` asserts the behaviour; it prints the timings).

Timings (2 cores, tiny DAG of one task feeding a task mapped over 3 items):

* ``migrate()``: ``airflow db migrate`` on a fresh SQLite file or PostgreSQL database 3.7-4 s.
* ``start()``: the three processes up, health green and a token in hand: 8-11 s. ``stop()`` 3 s.
  With a fresh database the whole ``with AirflowRuntime(env)`` entry takes 12-16 s.
* A DAG file present at start is serialized within a second of the health turning green; a
  new file is picked up within ``refresh_interval`` (5 s here).
* Trigger to ``success``: 5-7 s for the first run after start (the first task process pays
  for cold imports: its first task takes 3.5 s), then 2-3 s per run (tasks take 0.1-0.3 s;
  the rest is scheduler loop, queueing and process start).

Scheduled versus manual runs (``catchup=False``, ``schedule="*/15 * * * *"``):

* A manual run of a paused DAG is created ``queued`` and stays queued (the scheduler does
  not look at runs of paused DAGs); it starts as soon as the DAG is unpaused. Backfill runs
  wait for the unpause in the same way.
* A cron string gives a CronTriggerTimetable; with catchup=False it always offers the latest
  cron tick at or before now, so the dag-processor keeps the DAG's ``next_dagrun`` at the
  latest tick before its last parse. Unpausing makes the scheduler create, at once, a run
  ``scheduled__<that tick>`` (run_type scheduled, logical_date the tick, zero-length data
  interval, triggered_by timetable), then one per tick while the DAG stays unpaused.
  Triggering before or after the unpause makes no difference: pause and unpause alone cannot
  give exactly one manual run. With ``max_active_runs=1`` it is worse: the scheduled run has
  the earlier ``run_after``, starts first, and the manual run waits for it.
* ``[scheduler] use_job_schedule = False`` stops the scheduler from creating scheduled (and
  asset-triggered) runs while manual and backfill runs go on as usual: the trigger then
  yields exactly one run. ``AirflowEnv.scheduled_runs`` (default False) controls it.
* ``run_dag`` triggers while the DAG is still paused (a manual run: ``logical_date`` None,
  ``run_type`` manual, ``triggered_by`` rest_api), unpauses, waits, and reports in
  ``RunResult.other_runs`` any run of that DAG that appeared meanwhile. The DAG stays
  unpaused afterwards.
* ``POST /api/v2/backfills`` creates its runs synchronously, one per tick from ``from_date``
  to ``to_date`` both included (run_type backfill, logical_date the tick); the backfill's
  ``completed_at`` is set by a 30-second scheduler timer, well after its runs have finished.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import requests

from aerosync.dev.environment import AirflowEnv, AirflowRuntimeError
from aerosync.dev.processes import AirflowProcesses
from aerosync.dev.rest_client import AirflowClient
from aerosync.dev.runs import FINAL_RUN_STATES, RunResult, api_date, in_range


class AirflowRuntime(AirflowClient):
    """Start, drive and stop one Airflow (api-server, scheduler, dag-processor; LocalExecutor).

    As a context manager it migrates the metadata database, starts the processes and waits for
    health on entry, and stops every process it started on exit. The processes' output goes to
    ``<home>/logs-runtime/<name>.log`` and stays there; task logs are under ``<home>/logs``.
    """

    COMPONENTS = AirflowProcesses.COMPONENTS

    def __init__(
        self, env: AirflowEnv, *, triggerer: bool = False, die_with_parent: bool = True
    ) -> None:
        """``triggerer`` also starts ``airflow triggerer`` (deferrable tasks need it).

        ``die_with_parent`` (Linux): each component gets SIGTERM if the thread that started it
        dies, so a killed test run leaves no Airflow behind. Start from a long-lived thread.
        """
        super().__init__(env.base_url, env.admin_password, env.dags_folder)
        self.env = env
        self.control = AirflowProcesses(env, triggerer=triggerer, die_with_parent=die_with_parent)
        #: Seconds the last ``start()`` took (``migrate_seconds``: the last ``migrate()``).
        self.started_seconds: float | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> AirflowRuntime:
        try:
            self.migrate()
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def components(self) -> tuple[str, ...]:
        return self.control.components

    @property
    def processes(self) -> dict[str, subprocess.Popen[bytes]]:
        return self.control.processes

    @property
    def migrate_seconds(self) -> float | None:
        return self.control.migrate_seconds

    def migrate(self, timeout: float = 600) -> None:
        """``airflow db migrate`` (idempotent); raises with the output's tail when it fails."""
        self.control.migrate(timeout)

    def start(self, timeout: float = 120) -> None:
        """Start the components and wait until the API, scheduler and dag-processor are healthy."""
        began = time.monotonic()
        self.control.launch()
        try:
            self._wait_healthy(deadline=began + timeout)
            self.token()
        except BaseException:
            self.stop()
            raise
        self.started_seconds = time.monotonic() - began

    def _wait_healthy(self, deadline: float) -> None:
        last: Any = None
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                response = self._session.get(f"{self.base_url}/api/v2/monitor/health", timeout=5)
                last = response.json() if response.ok else response.status_code
            except (requests.RequestException, ValueError) as exc:
                last = repr(exc)
            else:
                if isinstance(last, dict) and self._is_healthy(last):
                    if self.control.workers_ready():
                        return
                    last = f"{last}; Celery workers not all ready"
            time.sleep(0.5)
        raise AirflowRuntimeError(
            f"Airflow was not healthy in time; last health answer: {last}\n{self.logs_tail()}"
        )

    def _is_healthy(self, health: Mapping[str, Any]) -> bool:
        wanted = ["metadatabase", "scheduler", "dag_processor"]
        if "triggerer" in self.components:
            wanted.append("triggerer")
        return all((health.get(part) or {}).get("status") == "healthy" for part in wanted)

    def check_alive(self) -> None:
        """Raise, with the logs' tails, when a component has exited."""
        self.control.check_alive()

    def logs_tail(self, lines: int = 30) -> str:
        return self.control.logs_tail(lines)

    def stop(self, timeout: float = 30) -> None:
        """Terminate every component's process group, then kill whatever is left (no orphans)."""
        self.control.stop(timeout)
        self._token = None

    def worker_task_log(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> str:
        """A task instance's log as the Celery worker that ran it wrote it, in that worker's own
        home (the workers serve no logs: two log servers on one machine would share a port)."""
        (ti,) = [
            ti
            for ti in self.task_instances(dag_id, run_id)
            if ti["task_id"] == task_id and ti["map_index"] == map_index
        ]
        folder = self.env.worker_home(ti["hostname"]) / "logs" / f"dag_id={dag_id}"
        folder = folder / f"run_id={run_id}" / f"task_id={task_id}"
        if map_index >= 0:
            folder = folder / f"map_index={map_index}"
        return "\n".join(p.read_text("utf-8") for p in sorted(folder.glob("attempt=*.log")))

    # -- a DAG's runs --------------------------------------------------------------------------

    def run_dag(
        self, dag_id: str, conf: Mapping[str, Any] | None = None, timeout: float = 300
    ) -> RunResult:
        """Trigger one manual run and wait for it; see the module docstring for scheduled runs."""
        dag = self.wait_for_dag(dag_id, timeout=min(timeout, 120))
        before = {run["dag_run_id"] for run in self.dag_runs(dag_id)}
        began = time.monotonic()
        run_id = self.trigger(dag_id, conf)
        if dag.get("is_paused"):
            self.unpause(dag_id)
        state = self.wait_for_run(dag_id, run_id, timeout=timeout)
        seconds = time.monotonic() - began
        others = [
            run
            for run in self.dag_runs(dag_id)
            if run["dag_run_id"] not in before and run["dag_run_id"] != run_id
        ]
        return RunResult(
            dag_id=dag_id,
            run_id=run_id,
            state=state,
            task_instances=self.task_instances(dag_id, run_id),
            seconds=seconds,
            other_runs=others,
        )

    def backfill(
        self,
        dag_id: str,
        from_date: datetime | str,
        to_date: datetime | str,
        *,
        max_active_runs: int = 1,
        reprocess_behavior: str = "none",
        conf: Mapping[str, Any] | None = None,
        timeout: float | None = 600,
    ) -> list[dict[str, Any]]:
        """Backfill through ``POST /backfills``; returns its runs, final unless ``timeout`` None.

        The API creates the backfill's runs at once (queued, ``run_type`` backfill, one per
        cron tick from ``from_date`` to ``to_date`` inclusive); the scheduler runs them only
        while the DAG is unpaused, so this unpauses it (with ``scheduled_runs`` that also brings
        the scheduled run of the latest tick). The backfill's own ``completed_at`` is set by a
        30-second timer of the scheduler: this waits for the runs instead.
        """
        self.wait_for_dag(dag_id)
        known = {r["dag_run_id"] for r in self.dag_runs(dag_id) if r.get("run_type") == "backfill"}
        backfill = self.api(
            "POST",
            "/backfills",
            json={
                "dag_id": dag_id,
                "from_date": api_date(from_date),
                "to_date": api_date(to_date),
                "max_active_runs": max_active_runs,
                "reprocess_behavior": reprocess_behavior,
                "dag_run_conf": dict(conf or {}),
            },
        ).json()
        if self.dag(dag_id).get("is_paused"):
            self.unpause(dag_id)
        deadline = time.monotonic() + (timeout or 0)
        while True:
            runs = [
                r
                for r in self.dag_runs(dag_id)
                if r.get("run_type") == "backfill"
                and (r["dag_run_id"] not in known or reprocess_behavior != "none")
                and in_range(r.get("logical_date"), from_date, to_date)
            ]
            if timeout is None or all(r["state"] in FINAL_RUN_STATES for r in runs):
                return sorted(runs, key=lambda r: str(r.get("logical_date")))
            if time.monotonic() > deadline:
                break
            self.check_alive()
            time.sleep(1)
        raise AirflowRuntimeError(
            f"backfill {backfill['id']} of {dag_id} not done after {timeout} s\n{self.logs_tail()}"
        )
