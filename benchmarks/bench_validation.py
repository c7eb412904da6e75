"""Validation of 1,000,000 activities (issue 3): the whole `validate` step's work once GX is
imported, from the check columns to a decision per aircraft.

What is timed is `aerosync.schedule.decisions.decide`: the activity frame built from the check
columns, the pandas check columns, the per-aircraft checks, both Great Expectations suites (an
ephemeral context each run, as in a task) and the decisions, against a real aerosync store (SQLite).
The input is what normalisation hands validation (`check_columns`): a realistic mix of flights,
empty legs with marketing windows, ground events, some unknown airports and the odd broken activity,
so the failing-row paths run too. Until 2026-12-01 the check columns were staged as JSON between two
tasks; the benchmark still reads them back from JSON before each run and reports that read beside
the figure (`staging_json_read_median_s`), though the pipeline no longer pays it.

    python benchmarks/bench_validation.py                 # 1,000,000 activities, 5 runs
    python benchmarks/bench_validation.py --smoke         # 20,000 activities, 2 runs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TARGET_SECONDS = 2.0
AIRPORTS = ("KTEB", "KHPN", "KBOS", "KVNY", "KLAS", "EGLF", "LFPB", "LSGG", "LOWW", "EDDM")
KINDS = ("PAX", "PAX", "PAX", "FERRY", "EMPTY_LEG", "OPTION", "MAINTENANCE", "CREW_REST")


def staged_fleet(activities: int, per_aircraft: int, now: datetime) -> dict[str, list[Any]]:
    """Normalised activities per tail, each aircraft's in start order, as normalise leaves them."""
    from activity_records import Activity

    rng = random.Random(7)
    fleet: dict[str, list[Any]] = {}
    aircraft = max(1, activities // per_aircraft)
    for number in range(aircraft):
        tail = f"N{number:05d}"
        moment = now - timedelta(days=20)
        airport = AIRPORTS[number % len(AIRPORTS)]
        records: list[Activity] = []
        for index in range(per_aircraft):
            kind = rng.choice(KINDS)
            hours = rng.uniform(0.5, 6.0) if kind not in ("MAINTENANCE", "CREW_REST") else 10.0
            end_airport = airport if kind in ("MAINTENANCE", "CREW_REST") else rng.choice(AIRPORTS)
            if rng.random() < 0.001:
                end_airport = "ZZZZ"  # unknown to airportsdata: a warning
            activity = Activity(
                activity_id=f"{tail}-{index}",
                tail=tail,
                kind=kind,
                activity_type=kind.title(),
                start_airport=airport,
                end_airport=end_airport,
                start=moment,
                end=moment + timedelta(hours=hours),
                flight_regulations="PART_135" if kind == "PAX" else None,
            )
            if kind == "EMPTY_LEG":
                activity.marketing_start = moment - timedelta(days=2)
                activity.marketing_end = moment
            records.append(activity)
            moment += timedelta(hours=hours + rng.uniform(0.5, 3))
            airport = end_airport
        fleet[tail] = records
    # One broken activity: it must be found among the million (end before start).
    broken = fleet[next(iter(fleet))][-1]
    broken.end = broken.start
    return fleet


def run(activities: int, runs: int, per_aircraft: int) -> dict[str, Any]:
    import great_expectations  # noqa: F401  (the figure is "once GX is imported")

    from activity_records import check_columns
    from aerosync.config.companies import CompanyConfig
    from aerosync.schedule.decisions import decide
    from aerosync.schedule.stages import Stores
    from aerosync.stores.database import sqlite_engine

    now = datetime.now(UTC).replace(microsecond=0)
    company = CompanyConfig.model_validate(
        {
            "id": "bench_validation",
            "name": "Validation benchmark",
            "schedule": "*/15 * * * *",
            "marketplace_conn_id": "avinode_bench",
            "fms": {"conn_id": "fms_bench"},
        }
    )
    fleet = staged_fleet(activities, per_aircraft, now)
    broken_tail = next(iter(fleet))
    # What the validate task reads: the check columns normalisation staged, as JSON.
    staged_text = json.dumps({"tails": sorted(fleet), "columns": check_columns(fleet)})
    del fleet
    timings: list[float] = []
    reads: list[float] = []
    held: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        stores = Stores.on(sqlite_engine(Path(tmp) / "aerosync.db"))
        staged = json.loads(staged_text)
        decide(company, staged["tails"], staged["columns"], [], {}, stores, now, "warmup")
        for number in range(runs):
            started = time.perf_counter()
            staged = json.loads(staged_text)
            read = time.perf_counter()
            decisions, _ = decide(
                company, staged["tails"], staged["columns"], [], {}, stores, now, f"run-{number}"
            )
            timings.append(time.perf_counter() - read)
            reads.append(read - started)
            held = sorted(t for t, d in decisions.items() if d.held)
    if held != [broken_tail]:
        raise SystemExit(f"validation held the wrong aircraft: {held[:5]} (expected {broken_tail})")
    count = len(staged["columns"]["activity_id"])
    median = statistics.median(timings)
    return {
        "benchmark": "validation",
        "command": "python benchmarks/bench_validation.py",
        "activities": count,
        "aircraft": len(staged["tails"]),
        "runs": runs,
        "median_s": round(median, 3),
        "min_s": round(min(timings), 3),
        "max_s": round(max(timings), 3),
        "target_s": TARGET_SECONDS,
        "met": median < TARGET_SECONDS,
        "activities_per_s": round(count / median),
        "staging_json_read_median_s": round(statistics.median(reads), 3),
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "load_1m": round(os.getloadavg()[0], 2),
        },
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="20,000 activities, 2 runs")
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--per-aircraft", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, help="write the result as JSON here")
    args = parser.parse_args(argv)
    activities, runs = (20_000, 2) if args.smoke else (args.activities, args.runs)
    result = run(activities, runs, args.per_aircraft)
    text = json.dumps(result, indent=2)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
