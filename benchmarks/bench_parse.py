"""Parse time of the DAG folder (issue 4, target 1; issue 17 at integrator scale).

A companies file with N companies (default 1,000) is written, or with `--layout folder` a
companies folder of one file per company; then, each in a fresh process:
- the folder parse: `DagBag(dag_folder="dags")`, the constructor only, as the dag-processor does;
- a task's own parse: the same with Airflow's parsing context set to one DAG and task
  (`_AIRFLOW_PARSING_CONTEXT_DAG_ID` / `_TASK_ID`, what a worker sets before it parses), for the
  last company of the file (the scan for its entry reads the whole file).
Medians of several fresh processes, with min and max. Targets: a task's parse under 0.3 s; the
folder's under 2 s up to 1,000 companies (issue 4) and under 10 s up to 10,000 (issue 17).
The AeroSync code measured is the one Python imports (`PYTHONPATH`): the result names its folder,
so that code before and after a change can be run alternately by one script.

    python benchmarks/bench_parse.py                       # 1,000 companies, 5 runs each
    python benchmarks/bench_parse.py --companies 10000 --layout folder
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
TASK_TARGET_S = 0.3


def folder_target_s(companies: int) -> float:
    """Issue 4: 2 s for a folder of 1,000 companies; issue 17: 10 s for 10,000."""
    return 2.0 if companies <= 1000 else 10.0


PROBE = """
import json, sys, time
from airflow.dag_processing.dagbag import DagBag
started = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
seconds = time.perf_counter() - started
import aerosync
# Company DAGs only: the maintenance (and any problems) DAG is not a company's.
uploads = sum(1 for dag_id in bag.dags if dag_id.startswith("schedule_upload__"))
print(json.dumps({"seconds": seconds, "dags": uploads, "errors": len(bag.import_errors),
                  "error_text": [str(e)[-300:] for e in bag.import_errors.values()],
                  "aerosync": aerosync.__file__}))
"""


def company_id(index: int) -> str:
    return f"bench_{index:04d}"


def company_lines(index: int) -> list[str]:
    """One company's keys, as lines of a companies file's entry (indented by the caller)."""
    cid = company_id(index)
    return [
        f"id: {cid}",
        f"name: Benchmark Operator {index}",
        'schedule: "*/15 * * * *"',
        f"marketplace_conn_id: avinode_{cid}",
        f"fms: {{conn_id: fms_{cid}, dialect: reference}}",
    ]


def write_companies(path: Path, companies: int) -> None:
    lines = ["product: AeroSync/bench", "companies:"]
    for index in range(companies):
        first, *rest = company_lines(index)
        lines += [f"  - {first}", *(f"    {line}" for line in rest)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_companies_folder(folder: Path, companies: int) -> None:
    """The same companies as one file each (`<id>.yaml`), the product in `_defaults.yaml`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_defaults.yaml").write_text("product: AeroSync/bench\n", encoding="utf-8")
    for index in range(companies):
        text = "\n".join(company_lines(index)) + "\n"
        (folder / f"{company_id(index)}.yaml").write_text(text, encoding="utf-8")


def parse_once(
    config: Path, home: Path, context: dict[str, str], dag_folder: Path = REPO / "dags"
) -> dict[str, Any]:
    env = {
        **os.environ,
        "AEROSYNC_CONFIG": str(config),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        **context,
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(dag_folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise SystemExit(f"the parse probe failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if result["errors"]:
        raise SystemExit(f"the DAG file did not import: {result['error_text']}")
    return result


def measure(
    config: Path, home: Path, runs: int, context: dict[str, str], dags: int, dag_folder: Path
) -> dict[str, Any]:
    """`runs` fresh parses, each of which must make `dags` upload DAGs: a companies file whose
    companies were all refused parses fast and would measure nothing."""
    samples = [parse_once(config, home, context, dag_folder) for _ in range(runs)]
    made = {sample["dags"] for sample in samples}
    if made != {dags}:
        raise SystemExit(f"the parse made {sorted(made)} DAGs, not {dags}: companies refused?")
    seconds = [s["seconds"] for s in samples]
    return {
        "median_s": round(statistics.median(seconds), 3),
        "min_s": round(min(seconds), 3),
        "max_s": round(max(seconds), 3),
        "samples_s": [round(s, 3) for s in seconds],
        "dags": samples[-1]["dags"],
        "import_errors": samples[-1]["errors"],
        "aerosync": samples[-1]["aerosync"],
    }


def run(
    companies: int, runs: int, layout: str = "file", dag_folder: Path = REPO / "dags"
) -> dict[str, Any]:
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as tmp:
        if layout == "folder":
            config = Path(tmp) / "companies"
            write_companies_folder(config, companies)
        else:
            config = Path(tmp) / "companies.yaml"
            write_companies(config, companies)
        home = Path(tmp) / "airflow"
        home.mkdir()
        parse_once(config, home, {}, dag_folder)  # warm the file system cache and .pyc files
        folder = measure(config, home, runs, {}, companies, dag_folder)
        last = company_id(companies - 1)
        task = measure(
            config,
            home,
            runs,
            {
                "_AIRFLOW_PARSING_CONTEXT_DAG_ID": f"schedule_upload__{last}",
                "_AIRFLOW_PARSING_CONTEXT_TASK_ID": "upload",
            },
            1,
            dag_folder,
        )
    folder_target = folder_target_s(companies)
    return {
        "benchmark": "parse",
        "command": (
            f"python benchmarks/bench_parse.py --companies {companies} --runs {runs} "
            f"--layout {layout}"
        ),
        "companies": companies,
        "layout": layout,
        "dag_folder": str(dag_folder),
        "runs": runs,
        "folder": {**folder, "target_s": folder_target, "met": folder["median_s"] < folder_target},
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
    parser.add_argument(
        "--layout",
        choices=["file", "folder"],
        default="file",
        help="one companies file, or a companies folder of one file per company",
    )
    parser.add_argument("--output", type=Path, help="write the result as JSON here")
    parser.add_argument(
        "--dag-folder",
        type=Path,
        default=REPO / "dags",
        help="the DAG folder to parse (default: this repository's; another checkout's to "
        "measure the code before a change with its own DAG file)",
    )
    args = parser.parse_args(argv)
    result = run(args.companies, args.runs, args.layout, args.dag_folder)
    write_result(result, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
