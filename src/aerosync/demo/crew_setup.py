"""The training part of `make demo`: demo HRIS, LMS, crew-management and EBT data for every demo
company with `training.records`, served by the sandbox (HRIS REST, LRS) or written as CSV drops
(and the roster as XML), and a companies file whose drop locations point at them."""

from __future__ import annotations

import json
import os
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import requests
import yaml

from aerosync.crew.xapi import XAPI_VERSION
from aerosync.demo.crew import build_training_data, write_drops

DEMO_DAYS = 14
DROP_FOLDERS = {
    "hris": "hris",
    "statements": "statements",
    "qualifications": "qualifications",
    "ebt_gradings": "ebt",
    "roster": "roster",
    "courses": "courses",
}


def _http(url: str) -> str:
    return json.dumps(
        {
            "conn_type": "http",
            "host": url,
            "login": "demo-lms",
            "password": "demo-lrs-secret-5e1d",
            "extra": {"timeout": 10},
        }
    )


def demo_run_day(now: datetime) -> int:
    """The day (index into the demo data) of the window a manual run now reads."""
    today = now.date()
    latest_end = today if now.time() >= time(3, 0) else today - timedelta(days=1)
    return DEMO_DAYS - 1 - (today - latest_end).days


def prepare_training(
    workdir: Path, sandbox_port: int, config_path: Path, now: datetime
) -> dict[str, str]:
    """Demo data and the environment (connections, companies file) for the training DAGs."""
    raw: dict[str, Any] = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    base = f"http://127.0.0.1:{sandbox_port}"
    env: dict[str, str] = {}
    first = now.date() - timedelta(days=DEMO_DAYS)
    for entry in raw["companies"]:
        records = (entry.get("training") or {}).get("records")
        if not records:
            continue
        data = build_training_data(first, DEMO_DAYS, broken=True, broken_on=demo_run_day(now))
        folder = workdir / "training" / entry["id"]
        drops = write_drops(folder, data)
        for source, name in DROP_FOLDERS.items():
            transport = records.get(source) or {}
            for drop in ("csv", "xml"):
                if drop in transport:
                    transport[drop] = str(drops[name])
            if "rest" in transport:
                endpoint = transport["rest"]["endpoint"]
                env[f"AIRFLOW_CONN_{transport['rest']['conn_id'].upper()}"] = _http(f"{base}/hris")
                _post(f"{base}/_sandbox/hris/{endpoint}", data.employees)
            if "lrs" in transport:
                env[f"AIRFLOW_CONN_{transport['lrs']['conn_id'].upper()}"] = _http(f"{base}/xapi")
                _post(f"{base}/xapi/statements", data.statements)
        redis_conn_id = (records.get("events") or {}).get("redis_conn_id")
        if redis_conn_id:  # LMS and HRIS events (docs/events.md); a Redis that is down only warns
            env[f"AIRFLOW_CONN_{redis_conn_id.upper()}"] = os.environ.get(
                "AEROSYNC_DEMO_REDIS_URL", "redis://127.0.0.1:6379/0"
            )
        if records.get("post_ebt_to"):
            env[f"AIRFLOW_CONN_{records['post_ebt_to']['conn_id'].upper()}"] = _http(f"{base}/xapi")
        if records.get("export_to"):
            records["export_to"] = str(folder / "crew_exports")
        if (records.get("readiness") or {}).get("export_to"):
            records["readiness"]["export_to"] = str(folder / "readiness")
        if (records.get("regulatory") or {}).get("export_to"):
            records["regulatory"]["export_to"] = str(folder / "regulatory")
    derived = workdir / "companies.yaml"
    derived.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    env["AEROSYNC_CONFIG"] = str(derived)
    return env


def _post(url: str, payload: Any) -> None:
    headers = {"X-Experience-API-Version": XAPI_VERSION}
    requests.post(url, json=payload, headers=headers, timeout=30).raise_for_status()


def training_report(engine: Any, company: str, workdir: Path | None = None) -> str:
    """What the training DAG left in the aerosync database, for the demo's closing words."""
    from aerosync.crew.quarantine import QuarantineStore
    from aerosync.crew.store import TrainingStore
    from aerosync.crew.tables import SPECS

    store = TrainingStore(engine)
    lines = [f"Training records of {company} (aerosync database):"]
    for spec in SPECS:
        lines.append(f"  {spec.table:<28} {len(store.rows(company, spec)):>4} rows")
    lines.append(f"  training_audit               {len(store.audit(company)):>4} changes")
    for entry in QuarantineStore(engine).entries(company):
        why = "; ".join(r["message"] for r in entry["reasons"])
        lines.append(f"  quarantined: {entry['source']} {entry['row_ref']}: {why}")
    exports = workdir / "training" / company / "crew_exports" if workdir else None
    for path in sorted(exports.glob("*.csv")) if exports and exports.is_dir() else []:
        rows = path.read_text(encoding="utf-8").count("\n") - 1
        lines.append(f"  training status for crew management: {path} ({rows} rows)")
    readiness = workdir / "training" / company / "readiness" if workdir else None
    for path in sorted(readiness.glob("*.csv")) if readiness and readiness.is_dir() else []:
        lines += readiness_table(path)
    regulatory = workdir / "training" / company / "regulatory" if workdir else None
    for path in sorted(regulatory.glob("*.csv")) if regulatory and regulatory.is_dir() else []:
        rows = path.read_text(encoding="utf-8").count("\n") - 1
        unsat = path.read_text(encoding="utf-8").count(",UNSAT,")
        said = f", {unsat} UNSAT" if path.name.startswith("faa_prd") else ""
        lines.append(f"  for the regulators: {path} ({rows} rows{said})")
    return "\n".join(lines)


def readiness_table(path: Path) -> list[str]:
    """The readiness export (CSV) as a table: each pilot and type, ready or what fails and since
    or until when. A failing medical is named without its date (a medical date is personal)."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["listed"] == "true"]
    lines = [f"  crew readiness for flight operations: {path} ({len(rows)} pilot-types)"]
    lines.append(f"    {'pilot':<6} {'type':<5} {'verdict':<10} why")
    for row in rows:
        why = []
        for rule in filter(None, row["failing"].split(";")):
            lapsed = row.get(f"{rule}.lapses_on") or ""
            when = "" if "MEDICAL" in rule or not lapsed else f" (lapsed {lapsed})"
            why.append(f"{rule}{when}")
        verdict = "ready" if row["ready"] == "true" else "NOT READY"
        lapsing = "lapses within the horizon" if row["lapsing"] == "true" else ""
        reason = ", ".join(why) or lapsing
        lines.append(
            f"    {row['employee_id']:<6} {row['type_code']:<5} {verdict:<10} {reason}".rstrip()
        )
    return lines
