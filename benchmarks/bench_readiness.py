"""Crew readiness for 5,000 pilots over two years of legs (about 2 million leg-crew rows) from the
store (issue 18): the time to compute it, and to prepare the whole export.

A deterministic crew is generated straight into the store's tables: pilots (captains and first
officers) on four types, each flying on about 40 % of days one or two legs (about 220 legs a year,
2 % cancelled, half as pilot flying, night by the hour), with type ratings, line checks, medicals
and two EBT sessions each; a few hundred leave. It is written once per store (PostgreSQL by COPY,
SQLite in one transaction) and kept: a later run with the same size reuses it.

What is timed, in a fresh child process per run (interpreter start and imports not timed):
- `compute_s`: `compute_readiness` from a new engine: every SQL query (aggregation of the legs,
  recency lapse dates by window functions, flight-time sums, qualifications, HRIS, EBT) and the
  verdicts of every pilot and type, for the window ending on the last day at 03:00 UTC;
- `export_s`: `prepare_export` (the same, plus the previous export's verdicts and the CSV and
  JSON text), nothing written.
Runs interleave the stores (PostgreSQL, SQLite, PostgreSQL, ...). Peak RSS is the child's
(kernel `ru_maxrss`).

    python benchmarks/bench_readiness.py                          # 5,000 pilots, 730 days, 5 runs
    python benchmarks/bench_readiness.py --sqlite /tmp/r.db       # and SQLite, interleaved
    python benchmarks/bench_readiness.py --smoke --db sqlite:///tmp/s.db   # tiny, 1 run
"""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import code, machine, write_result

COMPANY = "bench_readiness"
LAST_DAY = date(2026, 11, 30)
TYPES = ("CL35", "C68A", "GLEX", "E55P")
ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
DB_NAME = "bench_readiness"
PROVENANCE = ("generator", "bench", "2026-11-30T03:00:00.000000Z")
LEG_COLUMNS = (
    "company", "leg_id", "employee_id", "aircraft_id", "tail_number", "type_code", "off_block",
    "on_block", "flown_on", "block_minutes", "role", "pilot_flying", "takeoffs_day",
    "takeoffs_night", "landings_day", "landings_night", "counts", "source", "last_run_id",
    "last_changed_at",
)  # fmt: skip


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


# -- the crew -----------------------------------------------------------------------------------


def leg_rows(pilots: int, days: int, seed: int = 18) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    first = LAST_DAY - timedelta(days=days - 1)
    leg = 0
    for n in range(pilots):
        pilot = f"P{n:05d}"
        role = "PIC" if n % 2 == 0 else "SIC"
        types = [TYPES[n % 4]] + ([TYPES[(n + 1) % 4]] if n % 10 == 0 else [])
        for offset in range(days):
            if rng.random() >= 0.4:
                continue
            day = first + timedelta(days=offset)
            for _ in range(1 + (rng.random() < 0.5)):
                leg += 1
                type_code = types[0] if rng.random() < 0.9 else types[-1]
                off = datetime(
                    day.year, day.month, day.day, rng.randrange(24), 15 * rng.randrange(4)
                )
                minutes = rng.randrange(45, 200)
                on = off + timedelta(minutes=minutes)
                flying = rng.random() < 0.5
                night_off, night_on = not 6 <= off.hour < 20, not 6 <= on.hour < 20
                yield (
                    COMPANY, f"L{leg:08d}", pilot, f"A{n % 400:03d}", None, type_code,
                    _stamp(off), _stamp(on), on.date().isoformat(), minutes, role, int(flying),
                    int(flying and not night_off), int(flying and night_off),
                    int(flying and not night_on), int(flying and night_on),
                    0 if rng.random() < 0.02 else 1, *PROVENANCE,
                )  # fmt: skip


def other_rows(pilots: int, days: int, seed: int = 19) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    first = LAST_DAY - timedelta(days=days - 1)
    provenance = dict(zip(("source", "last_run_id", "last_changed_at"), PROVENANCE, strict=True))
    out: dict[str, list[dict[str, Any]]] = {
        "training_employee_versions": [],
        "training_qualifications": [],
        "training_ebt_gradings": [],
    }
    for n in range(pilots):
        pilot = f"P{n:05d}"
        role = "CPT" if n % 2 == 0 else "FO"
        version = {
            "company": COMPANY, "employee_id": pilot, "effective_from": "2019-01-01",
            "effective_to": None, "name": f"Pilot {n}", "role": role, "base": "LSGG",
            "employment_status": "active", "hired_on": "2019-01-01", "left_on": None,
            **provenance,
        }  # fmt: skip
        if n % 17 == 3:  # left at some point in the two years
            left = (first + timedelta(days=rng.randrange(days))).isoformat()
            out["training_employee_versions"].append({**version, "effective_to": left})
            version = {**version, "effective_from": left, "employment_status": "terminated",
                       "left_on": left}  # fmt: skip
        out["training_employee_versions"].append(version)
        papers = [(f"TYPE_RATING:{TYPES[n % 4]}", "2018-06-01", None)]
        if n % 10 == 0:
            papers.append((f"TYPE_RATING:{TYPES[(n + 1) % 4]}", "2020-06-01", None))
        for code_, validity in (("LINE_CHECK", 365), ("MEDICAL", 365)):
            issued = LAST_DAY - timedelta(days=rng.randrange(400))
            papers.append((code_, issued.isoformat(), (issued + timedelta(validity)).isoformat()))
        for code_, issued_on, expires_on in papers:
            out["training_qualifications"].append(
                {
                    "company": COMPANY,
                    "employee_id": pilot,
                    "qualification": code_,
                    "issued_on": issued_on,
                    "expires_on": expires_on,
                    **provenance,
                }
            )
        for back in (rng.randrange(420), rng.randrange(420, 700)):
            session = LAST_DAY - timedelta(days=back)
            out["training_ebt_gradings"].append(
                {
                    "company": COMPANY,
                    "session_id": f"S{n}-{back}",
                    "employee_id": pilot,
                    "session_date": session.isoformat(),
                    "instructor_id": "I1",
                    "apk": 3,
                    "com": 3,
                    "fpa": 3,
                    "fpm": 3,
                    "ltw": 3,
                    "psd": 3,
                    "saw": 3,
                    "wlm": 3,
                    "kno": 3,
                    **provenance,
                }
            )
    return out


def _counts(engine: Any) -> tuple[int, int]:
    from sqlalchemy import text

    with engine.connect() as conn:
        legs = conn.execute(
            text("SELECT COUNT(*) FROM training_leg_crew WHERE company = :c"), {"c": COMPANY}
        ).scalar_one()
        pilots = conn.execute(
            text(
                "SELECT COUNT(DISTINCT employee_id) FROM training_employee_versions "
                "WHERE company = :c"
            ),
            {"c": COMPANY},
        ).scalar_one()
    return int(legs), int(pilots)


def _copy_legs(engine: Any, rows: Iterator[tuple[Any, ...]]) -> None:
    """PostgreSQL: COPY in chunks of 200,000 rows."""
    import csv

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        while True:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            written = 0
            for row in rows:
                writer.writerow(["\\N" if v is None else v for v in row])
                written += 1
                if written == 200_000:
                    break
            if not written:
                break
            buffer.seek(0)
            cursor.copy_expert(
                f"COPY training_leg_crew ({', '.join(LEG_COLUMNS)}) FROM STDIN "
                "WITH (FORMAT csv, NULL '\\N')",
                buffer,
            )
        raw.commit()
    finally:
        raw.close()


def generate(url: str, pilots: int, days: int) -> dict[str, Any]:
    """The crew in the store (reused when it is there at this size); returns its facts."""
    from sqlalchemy import create_engine, text

    from aerosync.stores.migrate import ensure_migrated

    engine = create_engine(url)
    ensure_migrated(engine)
    expected_legs = sum(1 for _ in leg_rows(pilots, days)) if pilots <= 200 else None
    legs, known = _counts(engine)
    if known == pilots and legs > 0 and expected_legs in (None, legs):
        engine.dispose()
        return {"leg_crew_rows": legs, "pilots": known, "generated_s": None}
    started = time.perf_counter()
    with engine.begin() as conn:
        for table in (
            "training_leg_crew",
            "training_employee_versions",
            "training_qualifications",
            "training_ebt_gradings",
            "training_readiness",
        ):
            conn.execute(text(f"DELETE FROM {table} WHERE company = :c"), {"c": COMPANY})
    if engine.dialect.name == "postgresql":
        _copy_legs(engine, leg_rows(pilots, days))
    else:
        placeholders = ", ".join("?" * len(LEG_COLUMNS))
        insert = f"INSERT INTO training_leg_crew ({', '.join(LEG_COLUMNS)}) VALUES ({placeholders})"
        rows = leg_rows(pilots, days)
        with engine.begin() as conn:
            while chunk := list(itertools.islice(rows, 100_000)):
                conn.exec_driver_sql(insert, chunk)
    with engine.begin() as conn:
        for table, rows in other_rows(pilots, days).items():
            names = list(rows[0])
            conn.execute(
                text(f"INSERT INTO {table} ({', '.join(names)}) "
                     f"VALUES ({', '.join(':' + n for n in names)})"),
                rows,
            )  # fmt: skip
        conn.exec_driver_sql("ANALYZE")
    generated_s = round(time.perf_counter() - started, 1)
    legs, known = _counts(engine)
    engine.dispose()
    return {"leg_crew_rows": legs, "pilots": known, "generated_s": generated_s}


# -- one measured run, in a child process -----------------------------------------------------


def _child(url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine

    from aerosync.config.readiness import ReadinessExport
    from aerosync.crew.readiness.days import AsOf
    from aerosync.crew.readiness.report import compute_readiness, prepare_export

    config = ReadinessExport(export_to="/unused")
    as_of = AsOf.window_end(datetime(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day, 3, tzinfo=UTC))
    engine = create_engine(url)
    started = time.perf_counter()
    report = compute_readiness(engine, COMPANY, as_of, config.rules, config.horizon_days)
    compute_s = time.perf_counter() - started
    engine.dispose()
    engine = create_engine(url)
    started = time.perf_counter()
    prepared = prepare_export(engine, COMPANY, as_of, config)
    export_s = time.perf_counter() - started
    engine.dispose()
    return {
        "compute_s": round(compute_s, 3),
        "export_s": round(export_s, 3),
        "pairs": len(report.pilots),
        "pilots_listed": len({p.employee_id for p in report.pilots}),
        "ready": sum(1 for p in report.pilots if p.ready),
        "lapsing": len(report.lapsing()),
        "csv_bytes": len(prepared.csv_text),
        "json_bytes": len(prepared.json_text),
        # the same crew in every store must give the same export, byte for byte
        "json_sha256": hashlib.sha256(prepared.json_text.encode()).hexdigest()[:16],
    }


def measure(url: str) -> dict[str, Any]:
    """One run in a fresh child process: its figures, and its peak RSS from the kernel."""
    command = [sys.executable, __file__, "--child", url]
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"the measured run failed: {errors.read()[-2000:]}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # KiB on Linux
    return result


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def database(url: str | None) -> str:
    if url:
        return url
    from sqlalchemy import create_engine, text

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DB_NAME}
        ).first():
            conn.execute(text(f"CREATE DATABASE {DB_NAME}"))
    admin.dispose()
    return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{DB_NAME}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pilots", type=int, default=5000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", help="the store URL (default: a PostgreSQL database)")
    parser.add_argument("--sqlite", type=Path, help="also measure a SQLite store (this file)")
    parser.add_argument("--smoke", action="store_true", help="40 pilots, 120 days, 1 run")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child)))
        return 0
    if args.smoke:
        args.pilots, args.days, args.runs = 40, 120, 1
    stores = {"postgresql" if not args.db else args.db.split(":")[0]: database(args.db)}
    if args.sqlite:
        args.sqlite.parent.mkdir(parents=True, exist_ok=True)
        stores["sqlite"] = f"sqlite:///{args.sqlite}"
    load_before = machine()["load_avg_1_5_15"]
    data = {name: generate(url, args.pilots, args.days) for name, url in stores.items()}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in stores}
    for _ in range(args.runs):  # interleaved: each store once per round
        for name, url in stores.items():
            runs[name].append(measure(url))
    result = {
        "benchmark": "readiness",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_avg_before": load_before,
        "code": code(),
        "pilots": args.pilots,
        "days": args.days,
        "last_day": LAST_DAY.isoformat(),
        "runs": args.runs,
        "stores": {
            name: {
                "data": data[name],
                "compute_s": _spread([r["compute_s"] for r in runs[name]]),
                "export_s": _spread([r["export_s"] for r in runs[name]]),
                "peak_rss_mb": _spread([r.get("peak_rss_mb", 0.0) for r in runs[name]]),
                "last_run": runs[name][-1],
                "every_compute_s": [r["compute_s"] for r in runs[name]],
            }
            for name in stores
        },
    }
    digests = {store["last_run"]["json_sha256"] for store in result["stores"].values()}
    result["same_export_in_every_store"] = len(digests) == 1
    write_result(result, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
