"""A 100 MB training CSV through one window of the training sync (issue 14): peak memory of each
step's process and rows per second.

The file is an LMS completions export (`statements`, the biggest realistic training source: one
row per completion of every crew member), every row stored inside the window so that every row
goes through extract, validate and load, with an HRIS file of the employees. A realistic share of
rows is refused by the quality gate (an unknown employee, a score out of range, a key delivered
twice with different content) and some lines are repeated verbatim (deduplicated).

Each step runs in a process of its own, as each is an Airflow task: extract of each source,
validate, load, finish, calling the same functions the tasks call. Peak resident set size is the
kernel's (`wait4` rusage `ru_maxrss` of that process), wall time is measured around it. Between
runs the company's rows are deleted, so each run loads the window into an empty store. The store
is PostgreSQL (database `bench_training_csv`, created if missing).

    python benchmarks/bench_training_csv.py                       # 100 MB, 3 runs
    python benchmarks/bench_training_csv.py --smoke               # about 1 MB, 1 run
    PYTHONPATH=/tmp/before/src python benchmarks/bench_training_csv.py --label before

The same script measures the code before issue 14 (whole-file reads): it detects which API the
`aerosync` on the path offers.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import code, machine, write_result

COMPANY = "bench_csv"
WINDOW_START = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
WINDOW = (WINDOW_START, WINDOW_START + timedelta(days=1))
EMPLOYEES = 2_000
COURSES = ("CRM", "DG", "LPC", "SEP", "UPRT", "EMER", "SEC", "CRM2")
VALIDITY = {"CRM": 365, "DG": 730, "LPC": 180, "SEP": 365}
ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
DB_NAME = "bench_training_csv"
STATEMENT_COLUMNS = (
    "statement_id",
    "employee_id",
    "course_id",
    "module_id",
    "verb",
    "success",
    "score",
    "completed_at",
    "stored_at",
)
EMPLOYEE_COLUMNS = (
    "employee_id",
    "name",
    "role",
    "base",
    "employment_status",
    "hired_on",
    "left_on",
    "effective_from",
)
TABLES = (
    "training_employee_versions",
    "training_records",
    "training_qualifications",
    "training_ebt_gradings",
    "training_enrolments",
    "training_quarantine",
    "training_audit",
    "staged_data",
)


# -- the files -------------------------------------------------------------------------------


def write_files(folder: Path, megabytes: float) -> dict[str, Any]:
    """employees.csv and a completions export of about `megabytes` MB; returns their facts."""
    (folder / "hris").mkdir(parents=True, exist_ok=True)
    (folder / "statements").mkdir(parents=True, exist_ok=True)
    with (folder / "hris" / "employees.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EMPLOYEE_COLUMNS)
        for n in range(EMPLOYEES):
            role = "CPT" if n % 3 == 0 else "FO"
            base = ("LSGG", "LSZH", "EDDM")[n % 3]
            hired = "2020-01-02"
            writer.writerow(
                [f"E{n:05d}", f"Crew Member {n}", role, base, "active", hired, "", hired]
            )
    target = int(megabytes * 1_000_000)
    path = folder / "statements" / "completions.csv"
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(STATEMENT_COLUMNS)
        previous: list[str] = []
        while handle.tell() < target:
            n = rows
            employee = f"E{n % EMPLOYEES:05d}"
            if n % 211 == 7:
                employee = f"X{n:07d}"  # not in the HRIS: quarantined
            course = COURSES[n % len(COURSES)]
            verb = ("passed", "passed", "completed", "failed")[n % 4]
            score = "" if verb == "completed" else f"{0.4 + (n % 60) / 100:.2f}"
            if n % 307 == 11:
                score = "1.7"  # out of range: quarantined
            # each employee's completions a minute apart: every result is its own
            completed = WINDOW_START + timedelta(minutes=n // EMPLOYEES, seconds=n % 60)
            stored = completed + timedelta(minutes=5)
            row = [
                str(uuid.UUID(int=n + 1)),
                employee,
                course,
                f"M{n % 5 + 1}" if verb == "completed" else "",
                verb,
                "false" if verb == "failed" else "true",
                score,
                completed.isoformat().replace("+00:00", "Z"),
                stored.isoformat().replace("+00:00", "Z"),
            ]
            if n % 499 == 3 and previous:
                writer.writerow(previous)  # a line delivered twice: counted once
                rows += 1
            if n % 997 == 5 and previous:
                clash = [row[0], *previous[1:]]  # the key of this row, other content
                writer.writerow(clash)  # both rows of that key are quarantined
                rows += 1
            writer.writerow(row)
            rows += 1
            previous = row
    return {"rows": rows, "bytes": path.stat().st_size, "employees": EMPLOYEES}


# -- one step, in its own process ------------------------------------------------------------


def _stores(db_url: str) -> Any:
    from sqlalchemy import create_engine

    from aerosync.crew.steps import TrainingStores

    return TrainingStores.on(create_engine(db_url))


def _summary(result: Any) -> dict[str, Any]:
    """A step's summary as its task returns it: the typed record's `to_dict` (issue 15), or the
    dict the steps returned before."""
    return result.to_dict() if hasattr(result, "to_dict") else dict(result)


def run_step(step: str, folder: Path, db_url: str, run_id: str) -> dict[str, Any]:
    """What one task does, through the functions it calls."""
    from aerosync.crew import steps
    from aerosync.crew.sources import Window

    window = Window(*WINDOW)
    stores = _stores(db_url)
    now = datetime.now(UTC)
    sources = ["hris", "statements"]
    if step.startswith("extract_"):
        source = step.removeprefix("extract_")
        location = str(folder / ("hris" if source == "hris" else "statements"))
        return _extract(source, location, window, stores, run_id)
    if step == "validate":
        summary = _summary(steps.step_validate(COMPANY, sources, stores, run_id, window, now))
        return {"sources": summary["sources"], "quarantined": summary["quarantined"]}
    if step == "load":
        return _summary(steps.step_load(COMPANY, sources, stores, run_id, now, now.date(), 3650))
    if step == "finish":
        return _summary(steps.step_finish(COMPANY, sources, stores, run_id))
    raise ValueError(step)


def _extract(source: str, location: str, window: Any, stores: Any, run_id: str) -> dict[str, Any]:
    """What the task `extract` does with a CSV drop."""
    from aerosync.airflow import crew_io as training_io
    from aerosync.crew import sources, steps

    if hasattr(training_io, "csv_files"):  # issue 14: read row by row, staged in parts
        files = training_io.csv_files(location)
        rows = sources.iter_mapped(source, sources.csv_items(files), VALIDITY)
    else:  # before: whole files, every row in memory
        items = [
            item
            for name, text in training_io.csv_texts(location)
            for item in sources.csv_rows(text, name)
        ]
        rows = sources.map_rows(source, items, VALIDITY)
    return _summary(steps.stage_source(COMPANY, source, rows, window, stores, run_id))


def _child(step: str, folder: Path, db_url: str, run_id: str, output: Path) -> None:
    done = outcome(db_url) if step == "outcome" else run_step(step, folder, db_url, run_id)
    output.write_text(json.dumps(done, default=str))


def measure_step(step: str, folder: Path, db_url: str, run_id: str) -> dict[str, Any]:
    """Run one step in a child process: its wall time, peak RSS (kernel) and summary."""
    out = folder / f"{step}.json"
    command = [
        sys.executable,
        __file__,
        "--child",
        step,
        "--folder",
        str(folder),
        "--db",
        db_url,
        "--run-id",
        run_id,
        "--child-output",
        str(out),
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    measured = {
        "step": step,
        "seconds": round(seconds, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # ru_maxrss is in KiB on Linux
    }
    if process.returncode != 0:  # the code before issue 14 cannot stage 100 MB in PostgreSQL
        last = [line for line in errors.splitlines() if "Error" in line and line[:1] != " "][-1:]
        return {**measured, "failed": f"exit code {process.returncode}: {''.join(last)[:300]}"}
    return {**measured, "summary": json.loads(out.read_text())}


# -- the store -------------------------------------------------------------------------------


def database(url: str | None) -> str:
    if url:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        return url
    from sqlalchemy import create_engine, text

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DB_NAME}
        ).first()
        if not exists:
            conn.execute(text(f"CREATE DATABASE {DB_NAME}"))
    admin.dispose()
    return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{DB_NAME}"


def clear(db_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    _stores(db_url)  # the schema
    with engine.begin() as conn:
        for table in _present(engine, TABLES):
            conn.execute(text(f"DELETE FROM {table} WHERE company = :c"), {"c": COMPANY})
    engine.dispose()


def _present(engine: Any, tables: tuple[str, ...]) -> list[str]:
    """The tables the code on the path has (`--label before`: no enrolments before issue 18)."""
    from sqlalchemy import inspect

    return [table for table in tables if inspect(engine).has_table(table)]


# Columns that differ from run to run whatever the code: wall clock, run ids, random ids.
VOLATILE = {
    "last_changed_at",
    "last_run_id",
    "quarantined_at",
    "first_run_id",
    "resolved_at",
    "resolved_run_id",
    "audit_id",
    "run_id",
    "changed_at",
}


def outcome(db_url: str) -> dict[str, Any]:
    """What the window left in the store, counted and digested (every row's values but the
    volatile ones): the same for the code before and after."""
    import hashlib

    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    counts: dict[str, Any] = {}
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in _present(engine, TABLES[:-1]):
            rows = conn.execute(
                text(f"SELECT * FROM {table} WHERE company = :c"), {"c": COMPANY}
            ).mappings()
            lines = sorted(
                json.dumps({k: v for k, v in r.items() if k not in VOLATILE}, default=str)
                for r in rows
            )
            counts[table] = len(lines)
            for line in lines:
                digest.update(line.encode())
    engine.dispose()
    counts["sha256"] = digest.hexdigest()[:16]
    return counts


def one_run(folder: Path, db_url: str, rows: int, steps: list[str]) -> dict[str, Any]:
    clear(db_url)
    run_id = f"bench__{uuid.uuid4().hex[:8]}"
    measured = []
    for step in steps:
        measured.append(measure_step(step, folder, db_url, run_id))
        if "failed" in measured[-1]:
            return {"steps": measured, "failed": f"{step}: {measured[-1]['failed']}"}
    window_s = sum(m["seconds"] for m in measured if m["step"] != "finish")
    # Read in a child too: the parent stays small, and a child forked from it starts small.
    store = measure_step("outcome", folder, db_url, run_id)["summary"]
    return {
        "steps": measured,
        "window_s": round(window_s, 2),
        "rows_per_s": round(rows / window_s),
        "largest_peak_rss_mb": max(m["peak_rss_mb"] for m in measured),
        "store": store,
    }


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=100.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="about 1 MB, 1 run")
    parser.add_argument("--db", help="aerosync store URL (default: a PostgreSQL database)")
    parser.add_argument("--folder", type=Path, help="where the files are written")
    parser.add_argument("--label", default="after", help="names the result (before, after)")
    parser.add_argument("--output", type=Path)
    parser.add_argument(
        "--code-commit", help="the commit of the aerosync measured, when not this tree's"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--run-id", help=argparse.SUPPRESS)
    parser.add_argument("--child-output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.folder, args.db, args.run_id, args.child_output)
        return 0
    if args.smoke:
        args.megabytes, args.runs = 1.0, 1
    import tempfile

    folder = args.folder or Path(tempfile.mkdtemp(prefix="bench_training_csv_"))
    db_url = database(args.db)
    started = time.perf_counter()
    facts = write_files(folder, args.megabytes)
    generated_s = time.perf_counter() - started
    steps = ["extract_hris", "extract_statements", "validate", "load", "finish"]
    runs = [one_run(folder, db_url, facts["rows"], steps) for _ in range(args.runs)]
    result = {
        "benchmark": "training_csv",
        "label": args.label,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "code": {**code(), "commit": args.code_commit} if args.code_commit else code(),
        "aerosync_from": str(Path(__import__("aerosync").__file__).parent),
        "store_url": db_url.split("://")[0] + "://…/" + db_url.rsplit("/", 1)[-1],
        "file": {**facts, "megabytes": round(facts["bytes"] / 1e6, 1), "generated_s": generated_s},
        "runs": len(runs),
    }
    failed = [r for r in runs if "failed" in r]
    if failed:
        write_result({**result, "failed": failed[0]["failed"], "every_run": runs}, args.output)
        return 1
    per_step = {
        step: {
            "seconds": _spread([r["steps"][i]["seconds"] for r in runs]),
            "peak_rss_mb": _spread([r["steps"][i]["peak_rss_mb"] for r in runs]),
            "cpu_s": _spread([r["steps"][i]["cpu_s"] for r in runs]),
        }
        for i, step in enumerate(steps)
    }
    result = {
        **result,
        "window_s": _spread([r["window_s"] for r in runs]),
        "rows_per_s": _spread([r["rows_per_s"] for r in runs]),
        "largest_peak_rss_mb": _spread([r["largest_peak_rss_mb"] for r in runs]),
        "per_step": per_step,
        "store": runs[-1]["store"],
        "summaries": {s["step"]: s["summary"] for s in runs[-1]["steps"]},
        "every_run": runs,
    }
    write_result(result, args.output)
    if not args.folder:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
