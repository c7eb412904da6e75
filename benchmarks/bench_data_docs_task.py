"""One task's Data Docs build, as a task process pays it: in a fresh process (a task is one),
with GX's templates compiled beforehand (`warm`: what a task forked from the scheduler inherits,
`aerosync.quality.preload`) or not (`cold`: a KubernetesExecutor pod). The site is first filled
to 10 runs (the steady state: the build prunes one). CPU seconds of `write_site` alone, from the
results of the demo company's validation step (`bench_data_docs.py` builds them).

    python benchmarks/bench_data_docs_task.py              # 5 processes per flow and mode
    python benchmarks/bench_data_docs_task.py --one schedule warm   # one measurement
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))


def one(flow: str, mode: str) -> float:
    import great_expectations  # noqa: F401

    import bench_data_docs as bench
    from aerosync.quality import data_docs, data_docs_views

    work = Path(tempfile.mkdtemp())
    step = (bench.schedule_step if flow == "schedule" else bench.crew_step)(work)
    captured: list[Any] = []
    write_site = data_docs.write_site
    data_docs.write_site = lambda target, results, now: captured.append((target, results))
    step(work / "docs", "capture")
    data_docs.write_site = write_site
    target, results = captured[0]
    for n in range(10):
        fill = data_docs.DocsTarget(target.site, target.company, f"fill_{n}", 10)
        write_site(fill, results, datetime.now(UTC))
    data_docs_views._ENVIRONMENTS.clear()  # as a fresh task process has them
    if mode == "warm":
        data_docs_views.warm_templates()
    timed = data_docs.DocsTarget(target.site, target.company, "timed", 10)
    start = time.process_time()
    write_site(timed, results, datetime.now(UTC))
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", nargs=2, metavar=("FLOW", "MODE"))
    parser.add_argument("--processes", type=int, default=5)
    args = parser.parse_args()
    if args.one:
        print(one(*args.one))
        return
    results: dict[str, Any] = {"processes": args.processes}
    for flow in ("schedule", "crew"):
        for mode in ("cold", "warm"):
            seconds = [
                float(
                    subprocess.run(
                        [sys.executable, __file__, "--one", flow, mode],
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout.split()[-1]
                )
                for _ in range(args.processes)
            ]
            results[f"{flow}_{mode}_median_cpu_s"] = round(statistics.median(seconds), 3)
            results[f"{flow}_{mode}_cpu_s"] = [round(s, 3) for s in seconds]
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
