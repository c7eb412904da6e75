"""End to end through a real scheduler (issue 4, targets 3, 4 and 5).

One Airflow (api-server, scheduler, dag-processor; LocalExecutor; PostgreSQL metadata database;
the scheduler preloading the validation stack, `aerosync.quality.preload`), the local marketplace
sandbox in a process of its own, generated reference FMSs (SQLite, one per company) and an
aerosync store in PostgreSQL.
Scenarios:

- `big` (target 3): one company of 400 aircraft x 300 activities. Per run: wall time from the
  trigger returning to the run's final state, work time (sum of the run's task-instance
  durations), CPU seconds of the Airflow process tree (scheduler, api-server, dag-processor and
  every task process) and the peak resident set of the largest single process. In the same
  run: the floor (the same PUT bodies sent by a plain loop with one requests.Session) and,
  with `--naive`, the naive design (benchmarks/naive_dag.py: one mapped task per aircraft, each
  importing GX and validating its own aircraft, each doing its own PUT through the HTTP
  provider; its Airflow restarted without the preload, so that each task imports GX itself as
  the design says). Reports ours/floor (work time / floor) and naive/ours (wall and CPU).
- `many` (target 4): 50 companies x 20 aircraft; a whole 15-minute cycle, i.e. every company's
  DAG triggered at once, from the first trigger to the last run's final state.

    python benchmarks/bench_end_to_end.py big --runs 3 --naive
    python benchmarks/bench_end_to_end.py many --runs 3
    python benchmarks/bench_end_to_end.py big --aircraft 10 --activities 20 --runs 1 --naive
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import requests
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import code, machine, sandbox_process, write_result
from fleet_generator import company_id, generate_fleet_dir

REPO = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get(
    "AEROSYNC_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
AUTH, API = "bench-auth-token-0000", "bench-api-token-0000"  # the sandbox's, not a real secret
TARGETS = {"big_wall_s": 60.0, "peak_rss_mb": 1536.0, "ours_over_floor": 3.0, "many_wall_s": 300.0}


class ProcessWatch:
    """Samples a process tree: the largest resident set of any single process, and CPU seconds
    (own and reaped children's) of the tree between `start()` and `stop()`."""

    def __init__(
        self,
        roots: list[int],
        interval: float = 0.2,
        *,
        labels: list[str] | None = None,
        task_roots: set[int] | None = None,
    ) -> None:
        """`labels` names each root for `cpu_by_root`; `task_roots` are the roots below which
        task processes run (None: the root whose command line says `scheduler`, i.e. the
        LocalExecutor; under Celery, the workers)."""
        self.roots = roots
        self.labels = labels or [str(pid) for pid in roots]
        self.task_roots = task_roots
        self.interval = interval
        self.peak_rss = 0
        self.peak_name = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._cpu_start: tuple[float, float, dict[str, float]] = (0.0, 0.0, {})
        self.cpu_seconds = 0.0
        self.task_cpu_seconds = 0.0
        self.cpu_by_root: dict[str, float] = {}

    def _tree(self) -> list[psutil.Process]:
        found: list[psutil.Process] = []
        for pid in self.roots:
            try:
                root = psutil.Process(pid)
                found.append(root)
                found.extend(root.children(recursive=True))
            except psutil.Error:
                continue
        return found

    def _cpu(self) -> tuple[float, float, dict[str, float]]:
        """CPU seconds so far of the whole tree, of the task processes alone (everything below
        a task root: LocalExecutor workers, their supervisors and task processes; or a Celery
        worker's pool processes and theirs), and of each root's tree."""
        total = tasks = 0.0
        by_root: dict[str, float] = {}
        for label, pid in zip(self.labels, self.roots, strict=True):
            # children's CPU is counted in their parents once reaped
            try:
                root = psutil.Process(pid)
                below = root.children(recursive=True)
                if self.task_roots is None:
                    is_task_root = "scheduler" in " ".join(root.cmdline())
                else:
                    is_task_root = pid in self.task_roots
            except psutil.Error:
                continue
            tree = 0.0
            for proc in [root, *below]:
                try:
                    t = proc.cpu_times()
                except psutil.Error:
                    continue
                own, reaped = t.user + t.system, t.children_user + t.children_system
                tree += own + reaped
                if is_task_root:
                    tasks += reaped if proc is root else own + reaped
            by_root[label] = tree
            total += tree
        return total, tasks, by_root

    def _run(self) -> None:
        while not self._stop.is_set():
            for proc in self._tree():
                try:
                    rss = proc.memory_info().rss
                    if rss > self.peak_rss:
                        self.peak_rss = rss
                        self.peak_name = " ".join(proc.cmdline()[:4])[-80:]
                except psutil.Error:
                    continue
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._cpu_start = self._cpu()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        total, tasks, by_root = self._cpu()
        self.cpu_seconds = total - self._cpu_start[0]
        self.task_cpu_seconds = tasks - self._cpu_start[1]
        self.cpu_by_root = {
            label: round(cpu - self._cpu_start[2].get(label, 0.0), 2)
            for label, cpu in by_root.items()
        }


@dataclass
class Setup:
    companies: int
    aircraft: int
    activities: int
    naive: bool
    workdir: Path
    upload_batch_size: int | None = None
    config: Path = field(init=False)

    def __post_init__(self) -> None:
        self.config = self.workdir / "companies.yaml"


def write_config(setup: Setup, fms: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """The companies file; returns the Airflow connections to their FMSs."""
    lines = ["product: AeroSync/bench", "companies:"]
    connections: dict[str, dict[str, Any]] = {}
    for index in range(setup.companies):
        cid = company_id(index)
        lines += [
            f"  - id: {cid}",
            f"    name: Benchmark Operator {index}",
            '    schedule: "*/15 * * * *"',
            "    marketplace_conn_id: avinode_bench",
            f"    fms: {{conn_id: fms_{cid}, dialect: reference}}",
            "    share_services: true",
            "    request_timeout_seconds: 60",
        ]
        if setup.upload_batch_size is not None:
            lines.append(f"    upload_batch_size: {setup.upload_batch_size}")
        connections[f"fms_{cid}"] = {"conn_type": "sqlite", "host": str(fms[cid])}
    setup.config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return connections


def dag_folder(setup: Setup) -> Path:
    folder = setup.workdir / "dags"
    folder.mkdir()
    shutil.copy(REPO / "dags" / "aerosync_dags.py", folder / "aerosync_dags.py")
    if setup.naive:
        shutil.copy(REPO / "benchmarks" / "naive_dag.py", folder / "naive_dag.py")
        # naive_dag imports it as a sibling module (the DAG folder is on Airflow's import path).
        shutil.copy(REPO / "benchmarks" / "activity_records.py", folder / "activity_records.py")
    return folder


def _when(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def task_breakdown(tis: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per task id: how many instances, the sum and the largest of their durations."""
    out: dict[str, dict[str, float]] = {}
    for ti in tis:
        entry = out.setdefault(ti["task_id"], {"count": 0, "sum_s": 0.0, "max_s": 0.0})
        duration = float(ti.get("duration") or 0.0)
        entry["count"] += 1
        entry["sum_s"] = round(entry["sum_s"] + duration, 2)
        entry["max_s"] = round(max(entry["max_s"], duration), 2)
    return out


def busy_seconds(tis: list[dict[str, Any]]) -> float:
    """How long at least one task instance was running (the union of their intervals)."""
    spans = sorted(
        (_when(ti["start_date"]), _when(ti["end_date"]))
        for ti in tis
        if ti.get("start_date") and ti.get("end_date")
    )
    busy, reach = 0.0, float("-inf")
    for start, end in spans:
        if end > reach:
            busy += end - max(start, reach)
            reach = end
    return busy


def run_timed(runtime: Any, dag_ids: list[str], roots: list[int]) -> dict[str, Any]:
    """Trigger every DAG at once; wait for all; wall, work time, CPU and memory.

    `idle_s` is the part of the wall time when none of the runs' tasks was running: scheduler
    latency (queueing, starting the next task) and the wait for the final state, kept apart
    from the work time as benchmarks.md asks."""
    watch = ProcessWatch(roots)
    watch.start()
    began = time.monotonic()
    run_ids = {dag_id: runtime.trigger(dag_id) for dag_id in dag_ids}
    triggered = time.monotonic()
    states = {}
    pending = dict(run_ids)
    while pending:
        for dag_id, run_id in list(pending.items()):
            state = runtime.dag_run(dag_id, run_id)["state"]
            if state in ("success", "failed"):
                states[dag_id] = state
                del pending[dag_id]
        if pending:
            runtime.check_alive()
            time.sleep(0.5)
    ended = time.monotonic()
    watch.stop()
    tis = [
        ti for dag_id, run_id in run_ids.items() for ti in runtime.task_instances(dag_id, run_id)
    ]
    work = sum(float(ti.get("duration") or 0.0) for ti in tis)
    wall = ended - triggered
    return {
        "wall_s": round(wall, 2),
        "wall_from_first_trigger_s": round(ended - began, 2),
        "work_s": round(work, 2),
        "idle_s": round(max(0.0, wall - busy_seconds(tis)), 2),
        "cpu_s": round(watch.cpu_seconds, 1),
        "task_cpu_s": round(watch.task_cpu_seconds, 1),
        "peak_rss_mb": round(watch.peak_rss / 2**20, 1),
        "peak_process": watch.peak_name,
        "task_instances": len(tis),
        "tasks": task_breakdown(tis),
        "states": sorted(set(states.values())),
        "run_ids": run_ids,
    }


def floor(sandbox_url: str, bodies: dict[str, bytes]) -> float:
    """The same PUT bodies, one after another, one session, no Airflow, against a sandbox that
    holds what it holds at the start of each of our runs: nothing. The sandbox keeps every
    request it is sent (its log, bodies included), and a full log slows it down: the same 400
    PUTs took 0.96 s from an empty log and 1.2-1.6 s with one to four floors' requests in it."""
    reset_sandbox(sandbox_url)
    session = requests.Session()
    session.headers.update(
        {
            "Authorization": f"Bearer {AUTH}",
            "X-Avinode-ApiToken": API,
            "X-Avinode-ApiVersion": "v1.0",
            "X-Avinode-Product": "AeroSync/bench-floor",
            "Content-Type": "application/json",
        }
    )
    began = time.perf_counter()
    for body in bodies.values():
        session.headers["X-Avinode-SentTimestamp"] = datetime.now(UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        session.put(f"{sandbox_url}/schedules", data=body, timeout=60).raise_for_status()
    return time.perf_counter() - began


def bodies_from_pipeline(setup: Setup, fms: Path, store_url: str) -> dict[str, bytes]:
    """Build the same bodies the DAG sends, with the pipeline steps, for the floor."""
    from aerosync.config.companies_file import load_config
    from aerosync.schedule.decisions import step_validate
    from aerosync.schedule.extract import step_extract, step_normalise
    from aerosync.schedule.plan import step_plan
    from aerosync.schedule.stages import Stores, staged_decisions
    from aerosync.schedule.upload import schedule_bodies
    from aerosync.stores.database import engine_from_url

    company = load_config(setup.config).company(company_id(0))
    stores = Stores.on(engine_from_url(store_url))
    now = datetime.now(UTC)
    run_id = "floor-bodies"
    extracted = step_extract(
        company, lambda: sa.create_engine(f"sqlite:///{fms}"), stores, run_id, now
    )
    step_validate(
        company, stores, run_id, now, step_normalise(company, stores, run_id, now, extracted)
    )
    batches = step_plan(company, stores, run_id, 100)
    tails = [tail for batch in batches for tail in batch.tails]
    decisions = staged_decisions(stores, company.id, run_id)
    texts = schedule_bodies(company, stores, run_id, tails, decisions)
    stores.staging.purge(company.id, run_id)
    return {tail: text.encode() for tail, text in texts.items()}


def reset_sandbox(sandbox_url: str) -> None:
    """Empty the sandbox: its schedules and its log of requests."""
    requests.post(
        sandbox_url.rsplit("/api", 1)[0] + "/_sandbox/reset", timeout=30
    ).raise_for_status()


def reset(sandbox_url: str, store_url: str) -> None:
    """Forget earlier runs (the 5-minute guard would skip every aircraft)."""
    reset_sandbox(sandbox_url)
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:
        for table in ("upload_status", "staged_data", "validation_results"):
            conn.execute(sa.text(f"DELETE FROM {table}"))
    engine.dispose()


def summarise(runs: list[dict[str, Any]], key: str) -> dict[str, float]:
    values = [r[key] for r in runs]
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=("big", "many"))
    parser.add_argument("--aircraft", type=int)
    parser.add_argument("--activities", type=int)
    parser.add_argument("--companies", type=int)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive", action="store_true", help="also run the naive design (big)")
    parser.add_argument(
        "--sandbox-nagle",
        action="store_true",
        help="keep the sandbox's Nagle delay (about 40 ms per answer) in the runs",
    )
    parser.add_argument(
        "--upload-batch-size",
        type=int,
        help="the companies' upload_batch_size (default: the configuration's default)",
    )
    parser.add_argument("--output", type=Path, help="write the result as JSON here")
    args = parser.parse_args(argv)
    big = args.scenario == "big"
    result = run(
        args.scenario,
        companies=args.companies or (1 if big else 50),
        aircraft=args.aircraft or (400 if big else 20),
        activities=args.activities or 300,
        runs=args.runs,
        naive=bool(args.naive and big),
        sandbox_nagle=args.sandbox_nagle,
        upload_batch_size=args.upload_batch_size,
    )
    write_result(result, args.output)
    return 0


def run(
    scenario: str,
    *,
    companies: int,
    aircraft: int,
    activities: int,
    runs: int,
    naive: bool,
    sandbox_nagle: bool = False,
    upload_batch_size: int | None = None,
) -> dict[str, Any]:
    from aerosync.config.companies import DEFAULT_UPLOAD_BATCH_SIZE
    from aerosync.dev.runtime import AirflowRuntime
    from aerosync.dev.stack import aerosync_env, fresh_postgres_database, marketplace_connection
    from aerosync.schedule.stages import Stores

    load_at_start = [round(x, 2) for x in os.getloadavg()]
    now = datetime.now(UTC)
    accounts = [("bench", AUTH, API)]
    with tempfile.TemporaryDirectory() as tmp:
        setup = Setup(companies, aircraft, activities, naive, Path(tmp), upload_batch_size)
        started = time.monotonic()
        fms = generate_fleet_dir(
            setup.workdir / "fms",
            companies=companies,
            aircraft=aircraft,
            activities=activities,
            now=now,
        )
        generated_s = time.monotonic() - started
        connections = write_config(setup, fms)
        with (
            sandbox_process(accounts, nagle=sandbox_nagle) as sandbox_url,
            fresh_postgres_database(POSTGRES_URL, "aerosync_bench_meta") as meta_url,
            fresh_postgres_database(POSTGRES_URL, "aerosync_bench_store") as store_url,
        ):
            Stores.on(sa.create_engine(store_url))
            connections["avinode_bench"] = marketplace_connection(sandbox_url, AUTH, API)
            airflow_env = aerosync_env(
                setup.workdir / "airflow",
                metadata_url=meta_url,
                store_url=store_url,
                config=setup.config,
                connections=connections,
                dags_folder=dag_folder(setup),
            )
            dag_ids = [f"schedule_upload__{company_id(i)}" for i in range(companies)]
            with AirflowRuntime(airflow_env) as runtime:
                for dag_id in dag_ids:
                    runtime.wait_for_dag(dag_id, timeout=300)
                    runtime.unpause(dag_id)
                roots = [p.pid for p in runtime.processes.values()]
                measured = []
                for _ in range(runs):
                    reset(sandbox_url, store_url)
                    measured.append(run_timed(runtime, dag_ids, roots))
            naive_result = None
            if naive:
                # The naive design as defined: every task imports GX itself, so its Airflow runs
                # without our scheduler preload (same home, metadata and parsed DAGs).
                airflow_env.preload = False
                with AirflowRuntime(airflow_env) as runtime:
                    runtime.wait_for_dag("naive_upload", timeout=300)
                    runtime.unpause("naive_upload")
                    reset(sandbox_url, store_url)
                    roots = [p.pid for p in runtime.processes.values()]
                    naive_result = run_timed(runtime, ["naive_upload"], roots)
            floors: dict[str, float] = {}
            if scenario == "big":
                bodies = bodies_from_pipeline(setup, fms[company_id(0)], store_url)
                floors["floor_s"] = statistics.median(floor(sandbox_url, bodies) for _ in range(5))
                with sandbox_process(accounts, nagle=True) as nagle_url:
                    floors["floor_sandbox_nagle_s"] = statistics.median(
                        floor(nagle_url, bodies) for _ in range(3)
                    )
                floors["payload_mb"] = sum(len(b) for b in bodies.values()) / 2**20
    ours_work = statistics.median(r["work_s"] for r in measured)
    ours_wall = statistics.median(r["wall_s"] for r in measured)
    ours_cpu = statistics.median(r["cpu_s"] for r in measured)
    median_run = sorted(measured, key=lambda r: r["wall_s"])[len(measured) // 2]
    result: dict[str, Any] = {
        "benchmark": f"end_to_end_{scenario}",
        "command": (
            f"python benchmarks/bench_end_to_end.py {scenario} --companies {companies} "
            f"--aircraft {aircraft} --activities {activities} --runs {runs}"
            + (" --naive" if naive else "")
            + (" --sandbox-nagle" if sandbox_nagle else "")
            + (f" --upload-batch-size {upload_batch_size}" if upload_batch_size else "")
        ),
        "upload_batch_size": upload_batch_size or DEFAULT_UPLOAD_BATCH_SIZE,
        "companies": companies,
        "aircraft_per_company": aircraft,
        "activities_per_aircraft": activities,
        "sandbox_nagle": sandbox_nagle,
        "fleet_generated_s": round(generated_s, 1),
        "runs": runs,
        "wall_s": summarise(measured, "wall_s"),
        "work_s": summarise(measured, "work_s"),
        "idle_s": summarise(measured, "idle_s"),
        "cpu_s": summarise(measured, "cpu_s"),
        "task_cpu_s": summarise(measured, "task_cpu_s"),
        "peak_rss_mb": summarise(measured, "peak_rss_mb"),
        "peak_process": median_run["peak_process"],
        "cpu_s_per_aircraft": round(ours_cpu / (companies * aircraft), 3),
        "task_instances_per_run": median_run["task_instances"],
        "tasks_of_median_run": median_run["tasks"],
        "each_run": [
            {k: r[k] for k in ("wall_s", "work_s", "idle_s", "cpu_s", "task_cpu_s", "peak_rss_mb")}
            for r in measured
        ],
        "states": sorted({s for r in measured for s in r["states"]}),
        "targets": TARGETS,
        "machine": machine(),
        "load_at_start": load_at_start,
        "code": code(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if floors:
        # Milliseconds kept: a smoke-size floor (4 small PUTs) takes a few of them.
        result["floor_s"] = round(floors["floor_s"], 4)
        result["floor_sandbox_nagle_s"] = round(floors["floor_sandbox_nagle_s"], 4)
        result["payload_mb"] = round(floors["payload_mb"], 1)
        result["ours_over_floor"] = round(ours_work / floors["floor_s"], 2)
        result["ours_wall_over_floor"] = round(ours_wall / floors["floor_s"], 2)
    if naive_result is not None:
        result["naive"] = {k: v for k, v in naive_result.items() if k != "run_ids"}
        result["naive_over_ours_wall"] = round(naive_result["wall_s"] / ours_wall, 2)
        result["naive_over_ours_cpu"] = round(naive_result["cpu_s"] / ours_cpu, 2)
    return result


if __name__ == "__main__":
    sys.exit(main())
