"""What keeping Data Docs costs a validation (issue 19, item 6): the demo companies' validation
steps timed without a `data_docs:` section and with one, median of several runs each.

Schedule flow: skyway_charter's `step_validate` (the activities and aircraft suites) over the demo
FMS, extracted and normalised once. Crew flow: alpine_jets' crew-sync `step_validate` (the gate:
every training suite) over the demo's CSV drops, staged once per run. Both against SQLite
stores, GX imported beforehand (as a preloaded task has it). With Data Docs, the site is first
filled to `keep_runs` runs, so every timed run also prunes one run (the steady state). The
templates are compiled before, as the scheduler's preload does for the tasks it forks, unless
`--cold`; in a single process only the first build compiles them, so `--cold` shows in the wall
figures of the fill, not of the timed runs: for a cold task's cost, time one build in a fresh
process.

    python benchmarks/bench_data_docs.py            # 7 runs each
    python benchmarks/bench_data_docs.py --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
KEEP_RUNS = 10


def docs_scope(location: Path | None, company: str, run: str) -> AbstractContextManager[None]:
    from aerosync.config.data_docs import company_site
    from aerosync.quality.data_docs import DocsTarget, keeping_data_docs

    if location is None:
        return nullcontext()
    return keeping_data_docs(DocsTarget(company_site(location, company), company, run, KEEP_RUNS))


def schedule_step(work: Path) -> Callable[[Path | None, str], Any]:
    from aerosync.config.companies_file import load_config
    from aerosync.config.resources import data_dir
    from aerosync.demo.fleet import build_demo_fms
    from aerosync.schedule.decisions import step_validate
    from aerosync.schedule.extract import step_extract, step_normalise
    from aerosync.schedule.stages import Stores
    from aerosync.stores.database import sqlite_engine

    now = datetime.now(UTC)
    company = load_config(data_dir("config") / "companies.yaml").company("skyway_charter")
    company = company.model_copy(update={"training": None})  # no LMS stub here: FMS only
    build_demo_fms(work / "fms.sqlite", now, company=company.id)
    fms = sqlite_engine(work / "fms.sqlite")
    stores = Stores.on(sqlite_engine(work / "aerosync.db"))
    extracted = step_extract(company, lambda: fms, stores, "bench", now)
    normalised = step_normalise(company, stores, "bench", now, extracted)

    def run(location: Path | None, run_id: str) -> Any:
        with docs_scope(location, company.id, run_id):
            return step_validate(company, stores, run_id, now, normalised)

    return run


def crew_step(work: Path) -> Callable[[Path | None, str], Any]:
    from aerosync.crew.steps import TrainingStores, stage_source, step_validate
    from aerosync.demo.crew import build_training_data, write_drops
    from aerosync.stores.database import sqlite_engine

    sys.path.insert(0, str(REPO))
    from tests.crew.support import SOURCES, read_drop, window_of

    first = date(2026, 3, 1)
    write_drops(work / "drop", build_training_data(first, 3, broken=True))
    stores = TrainingStores.on(sqlite_engine(work / "training.db"))
    window = window_of(first)
    rows = {source: read_drop(work / "drop", source) for source in SOURCES}

    def run(location: Path | None, run_id: str) -> Any:
        for source in SOURCES:
            stage_source("alpine_jets", source, rows[source], window, stores, run_id)
        with docs_scope(location, "alpine_jets", run_id):
            return step_validate(
                "alpine_jets", list(SOURCES), stores, run_id, window, datetime.now(UTC)
            )

    return run


def timed(
    step: Callable[[Path | None, str], Any], location: Path | None, runs: int
) -> tuple[float, float]:
    """Median wall and CPU seconds of `runs` runs (CPU: this process's, which a machine shared
    with other work inflates less than the wall time)."""
    wall, cpu = [], []
    for n in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        step(location, f"bench_{'docs' if location else 'none'}_{n}_{time.time_ns()}")
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cold", action="store_true", help="no preload: templates compiled")
    args = parser.parse_args()
    # What a task forked from the scheduler inherits (`aerosync.quality.preload`): GX imported,
    # the Data Docs templates compiled (`--cold`: a task that inherits nothing compiles them).
    import great_expectations  # noqa: F401

    from aerosync.quality.data_docs_views import warm_templates

    if not args.cold:
        warm_templates()

    results: dict[str, Any] = {"runs": args.runs, "keep_runs": KEEP_RUNS, "cold": args.cold}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, make in (("schedule", schedule_step), ("crew", crew_step)):
            (work / name).mkdir()
            step = make(work / name)
            location = work / name / "docs"
            step(None, "warm")
            for n in range(KEEP_RUNS):  # the site at its steady state
                step(location, f"fill_{n}")
            before, before_cpu = timed(step, None, args.runs)
            after, after_cpu = timed(step, location, args.runs)
            results[name] = {
                "without_data_docs_median_s": round(before, 3),
                "with_data_docs_median_s": round(after, 3),
                "data_docs_cost_s": round(after - before, 3),
                "without_data_docs_median_cpu_s": round(before_cpu, 3),
                "with_data_docs_median_cpu_s": round(after_cpu, 3),
                "data_docs_cost_cpu_s": round(after_cpu - before_cpu, 3),
                "site_mb": round(
                    sum(p.stat().st_size for p in location.rglob("*") if p.is_file()) / 1e6, 1
                ),
            }
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
