"""One whole cycle of many companies through one Airflow, measured as benchmarks.md's
"Integrator scale" defines it (`cycle_figures` says what the figures mean for capacity).

A cycle triggers every company's upload DAG with one run id (run ids are unique per DAG, so one
id names the whole cycle) and waits until none of that id's runs is queued or running: one
listing call a poll however many companies there are, so that the harness's polling does not
load the api-server whose CPU is being counted (500 `GET dagRun` calls a poll would).

Two Airflows on one 2-core machine would take CPU from each other even when idle (scheduler
loop, the dag-processor re-parsing the companies file), so the installation not being measured
is frozen (SIGSTOP to every process of its tree) and thawed for its own cycles; its CPU during
the other's cycle is recorded (`frozen_cpu_s`, 0 when the freeze held).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import psutil

from bench_end_to_end import ProcessWatch, busy_seconds, task_breakdown

FINAL = ("success", "failed")


def cycle_run_id(executor: str, index: int) -> str:
    """The run id of one cycle, the same for every company's run. It is searched with
    `run_id_pattern` (SQL ILIKE '%…%'), so it holds no `_` or `%` and no id contains another."""
    return f"cycle-{executor}-{index:02d}-end"


def paged(runtime: Any, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = runtime.get(path, params={**params, "limit": 100, "offset": len(items)})
        items.extend(page[key])
        if not page[key] or len(items) >= page.get("total_entries", 0):
            return items


def wait_for_dags(runtime: Any, dag_ids: list[str], timeout: float) -> float:
    """Wait until the dag-processor has serialized every DAG of `dag_ids`; returns seconds."""
    began = time.monotonic()
    wanted = set(dag_ids)
    while True:
        found = {
            d["dag_id"]
            for d in paged(runtime, "/dags", "dags", dag_id_pattern="schedule_upload")
            if not d.get("is_stale")
        }
        if wanted <= found:
            return time.monotonic() - began
        if time.monotonic() - began > timeout:
            errors = paged(runtime, "/importErrors", "import_errors")
            raise RuntimeError(
                f"{len(wanted - found)} of {len(wanted)} DAGs not parsed after {timeout:.0f} s; "
                f"import errors: {[e.get('stack_trace', '')[-500:] for e in errors]}\n"
                f"{runtime.logs_tail()}"
            )
        runtime.check_alive()
        time.sleep(2)


def unpause_all(runtime: Any, dag_ids: list[str]) -> None:
    """Unpause the upload DAGs, 100 a call (the API's page limit)."""
    for _ in range(len(dag_ids) // 100 + 2):
        answer = runtime.api(
            "PATCH",
            "/dags",
            params={"update_mask": "is_paused", "dag_id_pattern": "schedule_upload",
                    "paused": "true", "limit": 100},
            json={"is_paused": False},
        ).json()  # fmt: skip
        if not answer["dags"]:
            break
    paused = paged(runtime, "/dags", "dags", dag_id_pattern="schedule_upload", paused="true")
    if paused:
        raise RuntimeError(f"{len(paused)} upload DAGs still paused")


def process_tree(pids: list[int]) -> list[psutil.Process]:
    found: list[psutil.Process] = []
    for pid in pids:
        try:
            root = psutil.Process(pid)
            found += [root, *root.children(recursive=True)]
        except psutil.Error:
            continue
    return found


def freeze(pids: list[int]) -> None:
    """SIGSTOP every process of the trees of `pids` (an installation not being measured)."""
    for proc in process_tree(pids):
        try:
            proc.suspend()
        except psutil.Error:
            continue


def thaw(pids: list[int]) -> None:
    for proc in process_tree(pids):
        try:
            proc.resume()
        except psutil.Error:
            continue


def broker_cpu() -> float:
    """CPU seconds so far of the machine's Redis server(s): the Celery broker. A shared server:
    reported beside the figures, not in them."""
    total = 0.0
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] == "redis-server":
            try:
                t = proc.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                continue
    return total


def run_cycle(
    runtime: Any,
    dag_ids: list[str],
    run_id: str,
    *,
    task_roots: set[int],
    frozen: list[int],
    timeout: float,
    poll: float = 1.0,
) -> dict[str, Any]:
    """Trigger every DAG with `run_id`, wait until all its runs are final (or `timeout` seconds
    from the first trigger), and measure: wall time from the first trigger, CPU of every process
    of this Airflow (Celery workers included) and of each component, task instances, the hosts
    they ran on, and the seconds no task was running."""
    labels = list(runtime.processes)
    roots = [runtime.processes[name].pid for name in labels]
    watch = ProcessWatch(roots, labels=labels, task_roots=task_roots)
    others = ProcessWatch(frozen) if frozen else None
    broker_start = broker_cpu()
    watch.start()
    if others:
        others.start()
    began, began_at = time.monotonic(), datetime.now(UTC)
    for dag_id in dag_ids:
        runtime.trigger(dag_id, run_id=run_id)
    triggered = time.monotonic()
    timed_out = False
    while True:
        pending = runtime.get(
            "/dags/~/dagRuns",
            params={"run_id_pattern": run_id, "state": ["queued", "running"], "limit": 1},
        )["total_entries"]
        if pending == 0:
            break
        if time.monotonic() - began > timeout:
            timed_out = True
            break
        runtime.check_alive()
        time.sleep(poll)
    ended = time.monotonic()
    watch.stop()
    if others:
        others.stop()
    broker = broker_cpu() - broker_start
    runs = paged(runtime, "/dags/~/dagRuns", "dag_runs", run_id_pattern=run_id)
    tis = paged(runtime, "/dags/~/dagRuns/~/taskInstances", "task_instances",
                run_id_pattern=run_id)  # fmt: skip
    ends = [datetime.fromisoformat(r["end_date"]) for r in runs if r.get("end_date")]
    wall = ended - began
    return {
        "run_id": run_id,
        "timed_out": timed_out,
        "wall_s": round(wall, 2),
        "last_final_after_first_trigger_s": (
            round((max(ends) - began_at).total_seconds(), 2) if ends and not timed_out else None
        ),
        "triggering_s": round(triggered - began, 2),
        "work_s": round(sum(float(ti.get("duration") or 0.0) for ti in tis), 2),
        "idle_s": round(max(0.0, wall - busy_seconds(tis)), 2),
        "cpu_s": round(watch.cpu_seconds, 1),
        "task_cpu_s": round(watch.task_cpu_seconds, 1),
        "cpu_by_component_s": watch.cpu_by_root,
        "frozen_cpu_s": round(others.cpu_seconds, 2) if others else None,
        "broker_cpu_s": round(broker, 2),
        "peak_rss_mb": round(watch.peak_rss / 2**20, 1),
        "peak_process": watch.peak_name,
        "runs": len(runs),
        "run_states": dict(Counter(str(r["state"]) for r in runs)),
        "task_instances": len(tis),
        "task_states": dict(Counter(str(ti["state"]) for ti in tis)),
        "hostnames": dict(Counter(str(ti.get("hostname")) for ti in tis)),
        "tasks": task_breakdown(tis),
    }
