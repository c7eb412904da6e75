"""Parse time of the DAG folder (issue 4, target 1).

A companies file with N companies (default 1,000) is written; then, each in a fresh process:
- the folder parse: `DagBag(dag_folder="dags")`, the constructor only, as the dag-processor does;
- a task's own parse: the same with Airflow's parsing context set to one DAG and task
  (`_AIRFLOW_PARSING_CONTEXT_DAG_ID` / `_TASK_ID`, what a worker sets before it parses).
Medians of several fresh processes, with min and max.

    python benchmarks/bench_parse.py                       # 1,000 companies, 5 runs each
    python benchmarks/bench_parse.py --companies 20 --runs 2   # smoke
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import code, machine, write_result

REPO = Path(__file__).resolve().parents[1]
FOLDER_TARGET_S = 2.0
TASK_TARGET_S = 0.3

PROBE = """
import json, sys, time
from airflow.dag_processing.dagbag import DagBag
started = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "dags": len(bag.dags), "errors": len(bag.import_errors)}))
"""


def write_companies(path: Path, companies: int) -> None:
    lines = ["product: AeroSync/bench", "companies:"]
    for index in range(companies):
        lines += [
            f"  - id: bench_{index:04d}",
            f"    name: Benchmark Operator {index}",
            '    schedule: "*/15 * * * *"',
            f"    marketplace_conn_id: avinode_bench_{index:04d}",
            f"    fms: {{conn_id: fms_bench_{index:04d}, dialect: reference}}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def parse_once(config: Path, home: Path, context: dict[str, str]) -> dict[str, Any]:
    env = {
        **os.environ,
        "AEROSYNC_CONFIG": str(config),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        **context,
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(REPO / "dags")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise SystemExit(f"the parse probe failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(config: Path, home: Path, runs: int, context: dict[str, str]) -> dict[str, Any]:
    samples = [parse_once(config, home, context) for _ in range(runs)]
    seconds = [s["seconds"] for s in samples]
    return {
        "median_s": round(statistics.median(seconds), 3),
        "min_s": round(min(seconds), 3),
        "max_s": round(max(seconds), 3),
        "dags": samples[-1]["dags"],
        "import_errors": samples[-1]["errors"],
    }


def run(companies: int, runs: int) -> dict[str, Any]:
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "companies.yaml"
        write_companies(config, companies)
        home = Path(tmp) / "airflow"
        home.mkdir()
        parse_once(config, home, {})  # warm the file system cache and .pyc files
        folder = measure(config, home, runs, {})
        last = f"bench_{companies - 1:04d}"
        task = measure(
            config,
            home,
            runs,
            {
                "_AIRFLOW_PARSING_CONTEXT_DAG_ID": f"schedule_upload__{last}",
                "_AIRFLOW_PARSING_CONTEXT_TASK_ID": "upload",
            },
        )
    return {
        "benchmark": "parse",
        "command": f"python benchmarks/bench_parse.py --companies {companies} --runs {runs}",
        "companies": companies,
        "runs": runs,
        "folder": {**folder, "target_s": FOLDER_TARGET_S, "met": folder["median_s"] < 2.0},
        "task": {**task, "target_s": TASK_TARGET_S, "met": task["median_s"] < TASK_TARGET_S},
        "machine": machine(),
        "load_at_start": load_at_start,
        "code": code(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, help="write the result as JSON here")
    args = parser.parse_args(argv)
    result = run(args.companies, args.runs)
    write_result(result, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
