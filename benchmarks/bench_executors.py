"""Executors at integrator scale (issue 17, item 7): whole cycles of N companies x 20 aircraft
under the LocalExecutor and the CeleryExecutor with two workers, in one script on one machine.

One Airflow per executor, each on PostgreSQL (metadata, and an aerosync store of its own), the
same companies file, FMS files and marketplace sandbox (emptied before every cycle). The
CeleryExecutor's Airflow has a fresh Redis database as broker, Celery's results in its metadata
database, and two `airflow celery worker`s, each in an AIRFLOW_HOME of its own with
`--worker-concurrency` slots (default 2 each: the LocalExecutor's `parallelism` 4 in total).
Cycles alternate between the executors (local, celery, local, ...); the Airflow not being
measured is frozen meanwhile (`integrator_cycle`), and thawed `--settle` seconds before its own.

Per executor: cycle wall time from the first trigger to the last run's final state, CPU seconds
of every Airflow process (api-server, scheduler, dag-processor, their children, the Celery
workers and theirs) per cycle and per company run, by component, task instances, the hosts the
tasks ran on, the seconds no task was running; then what the figures say about a 15-minute
cadence on this machine and about 5,000 companies (`integrator_cycle.capacity`). Not counted:
PostgreSQL (shared with the machine's other users) and Redis (reported as `broker_cpu_s`).

    python benchmarks/bench_executors.py --companies 50 --runs 3            # local vs celery
    python benchmarks/bench_executors.py --executors local --companies 500 --runs 3 \\
        --cycle-timeout 2700
    python benchmarks/bench_executors.py --companies 2 --aircraft 2 --activities 10 --runs 1
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import code, machine, sandbox_process, write_result
from bench_end_to_end import API, AUTH, POSTGRES_URL, Setup, dag_folder, reset, write_config
from cycle_figures import summarise, summary_lines
from fleet_generator import company_id, generate_fleet_dir
from integrator_cycle import cycle_run_id, freeze, run_cycle, thaw, unpause_all, wait_for_dags

EXECUTORS = ("local", "celery")
WORKERS = ("worker_a", "worker_b")


@dataclass
class Installation:
    """One executor's Airflow, started, its DAGs parsed and unpaused."""

    executor: str
    runtime: Any
    store_url: str
    setup_s: dict[str, float]

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.runtime.processes.values()]

    @property
    def task_roots(self) -> set[int]:
        """The processes task processes descend from: the Celery workers, or the scheduler."""
        names = WORKERS if self.executor == "celery" else ("scheduler",)
        return {self.runtime.processes[n].pid for n in names}


def bench_env(parse_interval: int) -> dict[str, str]:
    """Settings for hundreds of DAGs in one file: parse and serialization may take longer than
    the defaults allow on a loaded 2-core machine (a timeout would drop every company's DAG).
    The companies file is re-parsed every `parse_interval` seconds (Airflow's default 30 s; the
    harness's 10 s is for tests that change DAG files): its CPU is in every cycle's figures."""
    return {
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "300",
        "AIRFLOW__DAG_PROCESSOR__DAG_FILE_PROCESSOR_TIMEOUT": "600",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": str(parse_interval),
    }


def install(
    stack: contextlib.ExitStack,
    executor: str,
    setup: Setup,
    connections: dict[str, Any],
    dag_ids: list[str],
    args: argparse.Namespace,
) -> Installation:
    from aerosync.dev.environment import CeleryCluster
    from aerosync.dev.runtime import AirflowRuntime
    from aerosync.dev.stack import aerosync_env, fresh_postgres_database, fresh_redis_database
    from aerosync.schedule.stages import Stores

    meta_url = stack.enter_context(fresh_postgres_database(POSTGRES_URL, f"bench_{executor}_meta"))
    store_url = stack.enter_context(fresh_postgres_database(POSTGRES_URL, f"bench_{executor}_db"))
    engine = sa.create_engine(store_url)
    Stores.on(engine)  # migrated once, before the tasks
    engine.dispose()
    celery = None
    if executor == "celery":
        broker = stack.enter_context(fresh_redis_database())
        celery = CeleryCluster(broker, f"db+{meta_url}", WORKERS, args.worker_concurrency)
    env = aerosync_env(
        setup.workdir / f"airflow-{executor}",
        metadata_url=meta_url,
        store_url=store_url,
        config=setup.config,
        connections=connections,
        extra_env=bench_env(args.parse_interval),
        dags_folder=setup.workdir / "dags",
        celery=celery,
    )
    began = time.monotonic()
    runtime = stack.enter_context(AirflowRuntime(env))
    started = time.monotonic() - began
    parsed = wait_for_dags(runtime, dag_ids, timeout=args.dags_timeout)
    began = time.monotonic()
    unpause_all(runtime, dag_ids)
    installation = Installation(executor, runtime, store_url, {
        "migrate_and_start_s": round(started, 1),
        "dags_parsed_s": round(parsed, 1),
        "unpaused_s": round(time.monotonic() - began, 1),
    })  # fmt: skip
    stack.callback(thaw, installation.pids)  # before the runtime stops: stopped processes wait
    return installation


def held_aircraft(sandbox_url: str) -> int:
    """How many aircraft the marketplace sandbox holds a schedule for (emptied every cycle)."""
    base = sandbox_url.rsplit("/api", 1)[0]
    answer = requests.get(f"{base}/_sandbox/schedules", timeout=120)
    answer.raise_for_status()
    return len(answer.json())


def measure(args: argparse.Namespace) -> dict[str, Any]:
    executors = [e for e in args.executors.split(",") if e]
    if not executors or any(e not in EXECUTORS for e in executors):
        raise SystemExit(f"--executors: a comma-separated list of {', '.join(EXECUTORS)}")
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    dag_ids = [f"schedule_upload__{company_id(i)}" for i in range(args.companies)]
    cycles: dict[str, list[dict[str, Any]]] = {e: [] for e in executors}
    with contextlib.ExitStack() as stack:
        if args.workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        else:
            workdir = args.workdir.resolve()
            workdir.mkdir(parents=True)
        setup = Setup(args.companies, args.aircraft, args.activities, False, workdir)
        began = time.monotonic()
        fms = generate_fleet_dir(
            setup.workdir / "fms", companies=args.companies, aircraft=args.aircraft,
            activities=args.activities, now=datetime.now(UTC),
        )  # fmt: skip
        generated_s = time.monotonic() - began
        connections = write_config(setup, fms)
        dag_folder(setup)
        sandbox_url = stack.enter_context(sandbox_process([("bench", AUTH, API)], lean=True))
        from aerosync.dev.stack import marketplace_connection

        connections["avinode_bench"] = marketplace_connection(sandbox_url, AUTH, API)
        installed: dict[str, Installation] = {}
        alone = len(executors) == 1  # nothing to freeze it for
        for executor in executors:
            installed[executor] = install(stack, executor, setup, connections, dag_ids, args)
            if not alone:
                freeze(installed[executor].pids)
        stopped = False
        for index in range(args.runs):
            for executor, inst in installed.items():
                others = [pid for e, i in installed.items() if e != executor for pid in i.pids]
                if not alone:
                    thaw(inst.pids)
                time.sleep(args.settle)
                reset(sandbox_url, inst.store_url)
                load = [round(x, 2) for x in os.getloadavg()]
                cycle = run_cycle(
                    inst.runtime, dag_ids, cycle_run_id(executor, index + 1),
                    task_roots=inst.task_roots, frozen=others, timeout=args.cycle_timeout,
                )  # fmt: skip
                cycle["load_at_start"] = load
                cycle["aircraft_held_by_marketplace"] = held_aircraft(sandbox_url)
                cycles[executor].append(cycle)
                done = f"{cycle['wall_s']} s, {cycle['cpu_s']} CPU-s, {cycle['run_states']}"
                print(f"{executor} cycle {index + 1}: {done}", file=sys.stderr)
                if not alone:
                    freeze(inst.pids)
                if cycle["timed_out"]:
                    stopped = True  # its runs still go on: a next cycle would overlap them
                    break
            if stopped:
                break
        setups = {e: i.setup_s for e, i in installed.items()}

    def figures(of: list[dict[str, Any]]) -> dict[str, Any]:
        return summarise(
            of, args.companies, cores=os.cpu_count() or 1,
            utilisation=args.target_utilisation, target_companies=args.target_companies,
        )  # fmt: skip

    result: dict[str, Any] = {
        "benchmark": "executors",
        "command": " ".join(["python benchmarks/bench_executors.py", *sys.argv[1:]]),
        "companies": args.companies,
        "aircraft_per_company": args.aircraft,
        "activities_per_aircraft": args.activities,
        "runs": args.runs,
        "celery_workers": len(WORKERS) if "celery" in executors else 0,
        "worker_concurrency": args.worker_concurrency,
        "parse_interval_s": args.parse_interval,
        "settle_s": args.settle,
        "sandbox": "lean: request bodies and held activities not kept",
        "fleet_generated_s": round(generated_s, 1),
        "setup": setups,
        "executors": {e: figures(c) for e, c in cycles.items() if c},
        "each_cycle": cycles,
        "machine": machine(),
        "load_at_start": load_at_start,
        "code": code(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    result["summary"] = summary_lines(result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executors", default="local,celery", help="local,celery (default)")
    parser.add_argument("--companies", type=int, default=50)
    parser.add_argument("--aircraft", type=int, default=20)
    parser.add_argument("--activities", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3, help="cycles per executor, interleaved")
    parser.add_argument("--worker-concurrency", type=int, default=2, help="per Celery worker")
    parser.add_argument("--cycle-timeout", type=float, default=1800,
                        help="seconds from a cycle's first trigger; a cycle still running then "
                        "is recorded as timed out and no further cycle starts")  # fmt: skip
    parser.add_argument("--dags-timeout", type=float, help="seconds for the DAGs to be parsed "
                        "(default: 300 s or 1 s per company, whichever is more)")  # fmt: skip
    parser.add_argument("--parse-interval", type=int, default=30, help="the dag-processor's "
                        "min_file_process_interval (default: Airflow's 30 s)")  # fmt: skip
    parser.add_argument("--settle", type=float, default=10.0,
                        help="seconds between thawing an Airflow and its cycle")  # fmt: skip
    parser.add_argument("--target-utilisation", type=float, default=0.7)
    parser.add_argument("--target-companies", type=int, default=5000)
    parser.add_argument("--workdir", type=Path, help="a new folder for the FMS files and "
                        "Airflow homes, kept afterwards; default: a temporary one")  # fmt: skip
    parser.add_argument("--output", type=Path, help="write the result as JSON here")
    args = parser.parse_args(argv)
    if args.dags_timeout is None:
        args.dags_timeout = max(300.0, float(args.companies))
    result = measure(args)
    write_result(result, args.output)
    print("\n".join(result["summary"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
