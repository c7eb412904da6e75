"""Where the big company's work time goes (issue 4, targets 3 and 5): its steps in one process.

The end-to-end benchmark's work time is the sum of its task instances' durations. This runs the
same steps on the same fleet (400 aircraft x 300 activities) with no Airflow at all: one process
calls `step_extract` ... `step_record_status` and `step_upload` per batch of the company's
`upload_batch_size` (with its `upload_concurrency`), against the sandbox in its own process and
an aerosync store in a fresh PostgreSQL database, as the DAG's tasks do. The floor (the same
bodies PUT by a plain loop) is measured in the same run. What the end-to-end work time adds to
this total is Airflow's: task processes, their parse and API calls, and upload tasks sharing two
cores if there are several.

    python benchmarks/profile_steps.py                         # 400 x 300, 3 runs
    python benchmarks/profile_steps.py --aircraft 4 --activities 12 --runs 1   # smoke
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import code, machine, sandbox_process, write_result
from bench_end_to_end import API, AUTH, POSTGRES_URL, floor, reset_sandbox
from fleet_generator import company_id, generate_company_fms

STEPS = ("extract", "normalise", "validate", "build", "upload", "record_status")


def run(aircraft: int, activities: int, runs: int) -> dict[str, Any]:
    import great_expectations  # noqa: F401  (imported once, as the figures exclude it)

    from aerosync.collector import collector_paused
    from aerosync.config.companies import CompanyConfig
    from aerosync.dev.stack import fresh_postgres_database
    from aerosync.schedule.decisions import step_validate
    from aerosync.schedule.extract import step_extract, step_normalise
    from aerosync.schedule.local_run import MarketplaceAccount, SessionSender
    from aerosync.schedule.plan import step_plan
    from aerosync.schedule.record import step_record_status
    from aerosync.schedule.stages import Stores, staged_decisions
    from aerosync.schedule.upload import schedule_bodies, step_upload

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    company = CompanyConfig.model_validate(
        {
            "id": company_id(0),
            "name": "Steps profile",
            "schedule": "*/15 * * * *",
            "marketplace_conn_id": "avinode_bench",
            "fms": {"conn_id": "fms_bench"},
        }
    )
    timings: dict[str, list[float]] = {name: [] for name in (*STEPS, "total", "floor")}
    outcomes: dict[str, int] = {}
    with (
        sandbox_process([("bench", AUTH, API)]) as url,
        tempfile.TemporaryDirectory() as tmp,
        fresh_postgres_database(POSTGRES_URL, "aerosync_steps") as store,
    ):
        fms = sa.create_engine(f"sqlite:///{Path(tmp) / 'fms.sqlite'}")
        generate_company_fms(
            fms, company_index=0, aircraft=aircraft, activities=activities, now=now
        )
        for number in range(runs):
            stores = Stores.on(sa.create_engine(store))
            with stores.status.engine.begin() as conn:  # the 5-minute guard would skip all
                conn.execute(sa.text("DELETE FROM upload_status"))
            run_id = f"steps-{number}"
            reset_sandbox(url)  # as the floor finds it, and as each end-to-end run does
            sender = SessionSender(
                {"avinode_bench": MarketplaceAccount(url, AUTH, API)}, "AeroSync/bench-steps"
            )
            took: dict[str, float] = {}
            began = time.perf_counter()
            with collector_paused():  # as build_schedules runs each step
                extracted = step_extract(company, lambda: fms, stores, run_id, now)
            took["extract"] = time.perf_counter() - began
            mark = time.perf_counter()
            with collector_paused():  # as build_schedules runs each step
                normalised = step_normalise(company, stores, run_id, now, extracted)
            took["normalise"] = time.perf_counter() - mark
            del extracted  # as build_schedules does: validation has what it needs
            mark = time.perf_counter()
            step_validate(company, stores, run_id, now, normalised)
            took["validate"] = time.perf_counter() - mark
            # The upload is a task process of its own: the build's columns are not in its heap
            # (here every collection of the upload's threads would walk them).
            del normalised
            mark = time.perf_counter()
            batches = step_plan(company, stores, run_id, company.upload_batch_size)
            took["build"] = time.perf_counter() - mark
            mark = time.perf_counter()
            for batch in batches:
                step_upload(company, stores, run_id, batch.tails, sender)
            took["upload"] = time.perf_counter() - mark
            bodies = schedule_bodies(  # what was sent, read before the purge
                company,
                stores,
                run_id,
                [tail for batch in batches for tail in batch.tails],
                staged_decisions(stores, company.id, run_id),
            )
            mark = time.perf_counter()
            summary = step_record_status(company.id, stores, run_id)
            took["record_status"] = time.perf_counter() - mark
            took["total"] = time.perf_counter() - began
            if len(bodies) != aircraft:
                raise SystemExit(f"{len(bodies)} bodies built for {aircraft} aircraft")
            took["floor"] = floor(url, {t: b.encode() for t, b in bodies.items()})
            outcomes = {str(k): v for k, v in summary.counts.items()}
            stores.status.engine.dispose()
            for name, seconds in took.items():
                timings[name].append(seconds)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    return {
        "benchmark": "profile_steps",
        "command": (
            f"python benchmarks/profile_steps.py --aircraft {aircraft} "
            f"--activities {activities} --runs {runs}"
        ),
        "aircraft": aircraft,
        "activities_per_aircraft": activities,
        "runs": runs,
        "steps_median_s": {name: round(seconds, 4) for name, seconds in medians.items()},
        "total_over_floor": round(medians["total"] / medians["floor"], 2),
        "outcomes_of_last_run": outcomes,
        "machine": machine(),
        "code": code(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aircraft", type=int, default=400)
    parser.add_argument("--activities", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", type=Path, help="write the result as JSON here")
    args = parser.parse_args(argv)
    write_result(run(args.aircraft, args.activities, args.runs), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
