"""The training-sync DAG through a real scheduler (LocalExecutor, PostgreSQL metadata and
aerosync database): a backfill of 8 daily windows reading the HRIS over REST and the LMS from the
sandbox's LRS over real HTTP, CSV drops for qualifications and EBT gradings; then the same
backfill again, which must leave every table as it was and audit nothing new."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from aerosync.crew.xapi import XAPI_VERSION
from aerosync.demo.crew import build_training_data, write_drops
from aerosync.dev.runtime import AirflowRuntime
from aerosync.dev.stack import aerosync_airflow
from aerosync.sandbox.server import SandboxServer
from tests.conftest import POSTGRES_URL, require_service
from tests.crew.support import audit_count, snapshot
from tests.e2e.support import postgres_available

pytestmark = pytest.mark.integration
COMPANY = "train_co"
DAG_ID = f"training_sync__{COMPANY}"
# A month of daily windows, as the issue asks (10-15 minutes on 2 cores); set
# AEROSYNC_TRAINING_BACKFILL_DAYS=8 for a quicker local run.
WINDOWS = int(os.environ.get("AEROSYNC_TRAINING_BACKFILL_DAYS", "30"))
FIRST = datetime.now(UTC).date() - timedelta(days=WINDOWS + 12)


@dataclass
class Env:
    runtime: AirflowRuntime
    sandbox: SandboxServer
    store_url: str
    exports: Path
    data: Any


def _config(path: Path, drops: dict[str, Path], exports: Path) -> None:
    path.write_text(
        f"""
companies:
  - id: {COMPANY}
    name: Training Co
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_train
    fms: {{conn_id: fms_train, dialect: reference}}
    training:
      records:
        hris: {{rest: {{conn_id: hris_train, endpoint: employees, page_size: 4}}}}
        statements: {{lrs: {{conn_id: lrs_train, page_size: 3}}}}
        qualifications: {{csv: "{drops["qualifications"]}"}}
        ebt_gradings: {{csv: "{drops["ebt"]}"}}
        export_to: "{exports}"
        post_ebt_to: {{conn_id: lrs_train, timeout_seconds: 5}}
        course_validity_days: {{CRM: 365, DG: 730, LPC: 180, SEP: 365}}
""",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    workdir = tmp_path_factory.mktemp("training_e2e")
    data = build_training_data(FIRST, WINDOWS, broken=True)
    drops = write_drops(workdir / "drops", data)
    exports = workdir / "crew_exports"
    config = workdir / "companies.yaml"
    _config(config, drops, exports)
    with SandboxServer(port=0) as sandbox:
        base = f"http://127.0.0.1:{sandbox.port}"
        requests.post(
            f"{base}/_sandbox/hris/employees", json=data.employees, timeout=10
        ).raise_for_status()
        requests.post(
            f"{base}/xapi/statements",
            json=data.statements,
            timeout=10,
            headers={"X-Experience-API-Version": XAPI_VERSION},
        ).raise_for_status()
        http = {
            "conn_type": "http",
            "login": "lms",
            "password": "lrs-secret-e2e-77",
            "extra": {"timeout": 5},
        }
        connections = {
            "hris_train": {**http, "host": f"{base}/hris"},
            "lrs_train": {**http, "host": f"{base}/xapi"},
        }
        with aerosync_airflow(
            workdir,
            admin_url=POSTGRES_URL,
            name="aerosync_training",
            config=config,
            connections=connections,
        ) as airflow:
            yield Env(airflow.runtime, sandbox, airflow.store_url, exports, data)


def _window_start(day: date) -> datetime:
    return datetime.combine(day, time(3, 0), tzinfo=UTC)


def _wait_backfills_completed(env: Env, timeout: float = 120) -> None:
    """A backfill counts as running until the scheduler's 30-second timer marks it completed,
    and Airflow refuses a second backfill of the DAG until then."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        backfills = env.runtime.get("/backfills", params={"dag_id": DAG_ID})["backfills"]
        if all(b.get("completed_at") for b in backfills):
            return
        time.sleep(2)
    raise AssertionError(f"backfills of {DAG_ID} not completed after {timeout} s")


def _backfill(env: Env, reprocess: str) -> list[dict[str, Any]]:
    _wait_backfills_completed(env)
    start = _window_start(FIRST)
    return env.runtime.backfill(
        DAG_ID,
        start,
        start + timedelta(days=WINDOWS - 1),
        reprocess_behavior=reprocess,
        timeout=1500,
    )


def _exports(env: Env) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(env.exports.glob("*.csv"))}


# Two backfills of a month of daily windows, each window a chain of about ten tasks: longer than
# the suite's 15-minute limit per test on 2 cores.
@pytest.mark.timeout(2700)
def test_backfill_twice_leaves_identical_tables_and_audits_each_change_once(env: Env) -> None:
    engine = sa.create_engine(env.store_url)
    runs = _backfill(env, "none")
    assert len(runs) == WINDOWS
    assert [r["state"] for r in runs] == ["success"] * WINDOWS, runs
    first, audits = snapshot(engine, COMPANY), audit_count(engine, COMPANY)
    data_rows = sum(len(rows) for t, rows in first.items() if t != "training_quarantine")
    # Every row arrived once and never changed: one audit entry (its insert) per row.
    assert audits == data_rows > 0
    assert len(first["training_employee_versions"]) == len(env.data.employees)
    # The broken rows of the first window are quarantined with their reasons; the rest loaded.
    reasons = sorted(json.loads(q["reason_codes"])[0] for q in first["training_quarantine"])
    # The unknown employee's statement is refused by both tables it feeds (records, enrolments).
    assert reasons == ["employee_known", "employee_known", "expiry_after_issue", "grades_in_range"]
    exports = _exports(env)
    assert len(exports) == WINDOWS and all(t.startswith("change,") for t in exports.values())
    posted = requests.get(
        f"http://127.0.0.1:{env.sandbox.port}/_sandbox/lrs/statements", timeout=10
    ).json()
    scored = [s for s in posted if s["verb"]["id"].endswith("/scored")]
    # One statement per session of a window. The crew's recurrent sessions dated before the
    # first window load too (every grading dated before a window's end does), and the run that
    # loads them (the first window's) posts them: the LMS hears of every grading once.
    earlier = [g for g in env.data.gradings if g["session_date"] <= FIRST.isoformat()]
    assert earlier and len(scored) == WINDOWS + len(earlier)
    assert len(first["training_ebt_gradings"]) == WINDOWS + len(earlier)

    _crew_page_lists_the_quarantine(env)

    ended = {r["dag_run_id"]: r["end_date"] for r in runs}
    again = _backfill(env, "completed")
    assert [r["state"] for r in again] == ["success"] * WINDOWS, again
    assert all(r["end_date"] != ended[r["dag_run_id"]] for r in again), "windows not re-run"
    assert snapshot(engine, COMPANY) == first
    assert audit_count(engine, COMPANY) == audits
    assert _exports(env) == exports
    posted_again = requests.get(
        f"http://127.0.0.1:{env.sandbox.port}/_sandbox/lrs/statements", timeout=10
    ).json()
    assert len(posted_again) == len(posted)
    engine.dispose()


def _crew_page_lists_the_quarantine(env: Env) -> None:
    """The Crew sync page, as the admin sees it: every source's last window loaded, the four
    quarantined rows with their reasons, both exports written, and no employee's name."""
    page = requests.get(
        f"{env.runtime.base_url}/aerosync/crew",
        cookies={"_token": env.runtime.token()},
        timeout=30,
    )
    assert page.status_code == 200, page.text[:500]
    html = page.text
    assert f'data-company="{COMPANY}"' in html and "data-state='failed'" not in html
    assert "4 row(s) still in quarantine" in html
    for reason in ("check employee_known", "check expiry_after_issue", "check grades_in_range"):
        assert reason in html
    assert "Training status CSV" in html and "EBT results to the LMS" in html
    assert "Ana Lima" not in html
