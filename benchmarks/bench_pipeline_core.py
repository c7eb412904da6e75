"""Pipeline core without Airflow (issue 4, target 2): normalise, validate and build payloads for
500 aircraft x 500 activities in under 3 s once imports are done.

A generated reference FMS (SQLite, benchmarks/fleet_generator.py) is extracted once, untimed,
and held in memory as the DAG's `build_schedules` task holds it; then each run times the three
steps after it exactly as that task calls them (`step_normalise`, `step_validate` on what
normalise handed it in memory, `step_plan`), staging through a real aerosync store
(SQLite), with GX imported beforehand and a warm-up run first.

    python benchmarks/bench_pipeline_core.py                            # 500 x 500, 5 runs
    python benchmarks/bench_pipeline_core.py --aircraft 20 --activities 50 --runs 2   # smoke
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import code, machine, write_result
from fleet_generator import company_id, generate_company_fms

TARGET_S = 3.0


def write_profile(profiler: cProfile.Profile, path: Path) -> None:
    """The 30 most expensive functions by own time and by cumulative time, as text."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")


def run(aircraft: int, activities: int, runs: int, profile: Path | None = None) -> dict[str, Any]:
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    import great_expectations  # noqa: F401  ("once imports are done")

    from aerosync.collector import collector_paused
    from aerosync.config.companies import CompanyConfig
    from aerosync.schedule.decisions import step_validate
    from aerosync.schedule.extract import step_extract, step_normalise
    from aerosync.schedule.plan import step_plan
    from aerosync.schedule.stages import Stores
    from aerosync.stores.database import sqlite_engine

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    timings: dict[str, list[float]] = {"normalise": [], "validate": [], "build": [], "total": []}
    with tempfile.TemporaryDirectory() as tmp:
        fms = sa.create_engine(f"sqlite:///{Path(tmp) / 'fms.sqlite'}")
        generate_company_fms(
            fms, company_index=0, aircraft=aircraft, activities=activities, now=now
        )
        company = CompanyConfig.model_validate(
            {
                "id": company_id(0),
                "name": "Core benchmark",
                "schedule": "*/15 * * * *",
                "marketplace_conn_id": "avinode_bench",
                "fms": {"conn_id": "fms_bench"},
                "share_services": True,
            }
        )
        stores = Stores.on(sqlite_engine(Path(tmp) / "aerosync.db"))
        with collector_paused():  # as build_schedules runs each step
            extracted = step_extract(company, lambda: fms, stores, "extract", now)
        summary: dict[str, Any] = {}
        for number in range(runs + 1):  # the first run warms up and is not counted
            run_id = f"run-{number}"
            began = time.perf_counter()
            with collector_paused():  # as build_schedules runs each step
                normalised = step_normalise(company, stores, run_id, now, extracted)
            after_normalise = time.perf_counter()
            with collector_paused():  # as build_schedules runs each step
                validated = step_validate(company, stores, run_id, now, normalised)
            after_validate = time.perf_counter()
            batches = step_plan(company, stores, run_id, 100)
            ended = time.perf_counter()
            stores.staging.purge(company.id, run_id)
            if number == 0:
                summary = {"normalised": normalised.summary, "validated": validated.to_dict()}
                continue
            timings["normalise"].append(after_normalise - began)
            timings["validate"].append(after_validate - after_normalise)
            timings["build"].append(ended - after_validate)
            timings["total"].append(ended - began)
        sendable = sum(len(b.tails) for b in batches)
        if profile is not None:  # one more run under cProfile, after the timed ones
            run_id = "profiled"
            profiler = cProfile.Profile()
            profiler.enable()
            with collector_paused():  # as build_schedules runs each step
                normalised = step_normalise(company, stores, run_id, now, extracted)
            step_validate(company, stores, run_id, now, normalised)
            step_plan(company, stores, run_id, 100)
            profiler.disable()
            write_profile(profiler, profile)
    count = int(summary["normalised"]["activities"])
    median = statistics.median(timings["total"])
    return {
        "benchmark": "pipeline_core",
        "command": (
            f"python benchmarks/bench_pipeline_core.py --aircraft {aircraft} "
            f"--activities {activities} --runs {runs}"
        ),
        "aircraft": aircraft,
        "activities_extracted": extracted.summary["activities"],
        "activities_normalised": count,
        "aircraft_sendable": sendable,
        "aircraft_held": len(summary["validated"]["held"]),
        "runs": runs,
        "median_s": round(median, 3),
        "min_s": round(min(timings["total"]), 3),
        "max_s": round(max(timings["total"]), 3),
        "steps_median_s": {k: round(statistics.median(v), 3) for k, v in timings.items()},
        "target_s": TARGET_S,
        "met": median < TARGET_S,
        "activities_per_s": round(count / median),
        "machine": machine(),
        "load_at_start": load_at_start,
        "code": code(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aircraft", type=int, default=500)
    parser.add_argument("--activities", type=int, default=500, help="per aircraft")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, help="write the result as JSON here")
    parser.add_argument("--profile", type=Path, help="profile one more run; write it here")
    args = parser.parse_args(argv)
    result = run(args.aircraft, args.activities, args.runs, args.profile)
    write_result(result, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
