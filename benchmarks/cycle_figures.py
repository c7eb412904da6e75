"""The figures of whole cycles (`integrator_cycle.run_cycle`) per executor, and what they say
about a 15-minute cadence on this machine and about 5,000 companies: computed here, so that
RESULTS.md quotes them and never works them out by hand.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from typing import Any

#: The cadence the upload DAGs run at (`*/15 * * * *`), in seconds.
CADENCE_S = 900.0


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def capacity(
    *,
    companies: int,
    cpu_s_per_company: float,
    wall_s: float,
    cores: int,
    utilisation: float,
    target_companies: int = 5000,
) -> dict[str, Any]:
    """What the cycle's figures say about a 15-minute cadence and about `target_companies`.

    By CPU: a worker of this size has `CADENCE_S x cores x utilisation` CPU-seconds a cycle, so
    workers = ceil(target x cpu_s_per_company / (CADENCE_S x cores x utilisation)). By wall
    time: this cycle's companies per `CADENCE_S` of its (slowest) wall time, for when the
    scheduler rather than the CPU bounds a cycle."""
    budget = CADENCE_S * cores * utilisation
    per_worker_by_wall = math.floor(companies * CADENCE_S / wall_s) if wall_s > 0 else 0
    return {
        "cadence_s": CADENCE_S,
        "cores": cores,
        "target_utilisation": utilisation,
        "cycle_within_cadence": wall_s <= CADENCE_S,
        "cycle_share_of_cadence": round(wall_s / CADENCE_S, 3),
        "cpu_share_of_cadence": round(companies * cpu_s_per_company / (CADENCE_S * cores), 3),
        "companies_per_worker_by_cpu": math.floor(budget / cpu_s_per_company),
        "target_companies": target_companies,
        "workers_for_target_by_cpu": math.ceil(target_companies * cpu_s_per_company / budget),
        "formula_by_cpu": (
            f"ceil({target_companies} x {cpu_s_per_company:.3f} CPU-s / "
            f"({CADENCE_S:.0f} s x {cores} cores x {utilisation}))"
        ),
        "companies_per_worker_by_wall": per_worker_by_wall,
        "workers_for_target_by_wall": (
            math.ceil(target_companies / per_worker_by_wall) if per_worker_by_wall else None
        ),
    }


def summarise(
    cycles: list[dict[str, Any]],
    n: int,
    *,
    cores: int,
    utilisation: float,
    target_companies: int,
) -> dict[str, Any]:
    """One executor's cycles of `n` companies: medians with min and max, and the capacity they
    imply (timed-out cycles count in the capacity by their wall time only)."""
    done = [c for c in cycles if not c["timed_out"]] or cycles
    cpu_per_company = [c["cpu_s"] / n for c in done]
    components = sorted({k for c in done for k in c["cpu_by_component_s"]})
    hostnames: Counter[str] = Counter()
    for c in cycles:
        hostnames.update(c["hostnames"])
    return {
        "cycles": len(cycles),
        "timed_out_cycles": sum(c["timed_out"] for c in cycles),
        "wall_s": spread([c["wall_s"] for c in done]),
        "cpu_s": spread([c["cpu_s"] for c in done]),
        "task_cpu_s": spread([c["task_cpu_s"] for c in done]),
        "cpu_s_per_company_run": spread(cpu_per_company),
        "task_cpu_s_per_company_run": spread([c["task_cpu_s"] / n for c in done]),
        "cpu_by_component_s": {
            k: round(statistics.median(c["cpu_by_component_s"].get(k, 0.0) for c in done), 1)
            for k in components
        },
        "work_s": spread([c["work_s"] for c in done]),
        "idle_s": spread([c["idle_s"] for c in done]),
        "peak_rss_mb": spread([c["peak_rss_mb"] for c in done]),
        "task_instances": spread([c["task_instances"] for c in done]),
        "hostnames": dict(hostnames),
        "run_states": dict(sum((Counter(c["run_states"]) for c in cycles), Counter())),
        "aircraft_held_by_marketplace": [c["aircraft_held_by_marketplace"] for c in cycles],
        "frozen_cpu_s_max": max((c["frozen_cpu_s"] or 0.0) for c in cycles),
        "capacity": capacity(
            companies=n,
            # the figure quoted (3 decimals), so that the printed formula gives the result
            cpu_s_per_company=spread(cpu_per_company)["median"],
            wall_s=max(c["wall_s"] for c in cycles),
            cores=cores,
            utilisation=utilisation,
            target_companies=target_companies,
        ),
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    """The figures RESULTS.md quotes, computed (never hand-written)."""
    n, cores = result["companies"], result["machine"]["nproc"]
    lines = [f"{n} companies x {result['aircraft_per_company']} aircraft, {cores} cores, "
             f"load {result['load_at_start'][0]} at the start"]  # fmt: skip
    for executor, s in result["executors"].items():
        cap, wall = s["capacity"], s["wall_s"]
        per = s["cpu_s_per_company_run"]
        lines += [
            f"{executor}: cycle {wall['median']} s ({wall['min']}-{wall['max']}, "
            f"{s['cycles']} cycles, {s['timed_out_cycles']} timed out); "
            f"{s['cpu_s']['median']} CPU-s a cycle, {per['median']:.3f} CPU-s per company run "
            f"({per['min']:.3f}-{per['max']:.3f}); idle {s['idle_s']['median']} s; "
            f"{s['task_instances']['median']:.0f} task instances on {sorted(s['hostnames'])}",
            f"{executor}: 15-minute cadence on {cores} cores: "
            f"{'holds' if cap['cycle_within_cadence'] else 'does NOT hold'} "
            f"(slowest cycle {cap['cycle_share_of_cadence']:.0%} of 900 s, CPU "
            f"{cap['cpu_share_of_cadence']:.0%} of {cores} cores); "
            f"workers for {cap['target_companies']} companies = {cap['formula_by_cpu']} "
            f"= {cap['workers_for_target_by_cpu']} by CPU "
            f"({cap['companies_per_worker_by_cpu']} companies a worker), "
            f"{cap['workers_for_target_by_wall']} by wall time "
            f"({cap['companies_per_worker_by_wall']} companies a worker)",
        ]
    return lines
