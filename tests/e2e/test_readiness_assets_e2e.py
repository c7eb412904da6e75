"""The readiness export runs when its inputs change: a real Airflow (scheduler with Airflow's own
scheduling on, LocalExecutor, PostgreSQL metadata and aerosync database) backfills three windows
of the training-sync DAG from CSV drops; each `load` emits its tables' asset events; the readiness
DAG, scheduled on those assets only, runs (asset-triggered, however many events each run
gathers) and exports readiness for every window's end, reproducing what the store says held then.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from aerosync.demo.crew import CREW, build_training_data, write_drops
from aerosync.dev.runtime import AirflowRuntime
from aerosync.dev.stack import aerosync_airflow
from tests.conftest import POSTGRES_URL, require_service
from tests.e2e.support import postgres_available

pytestmark = pytest.mark.integration
COMPANY = "ready_co"
CREW_DAG = f"training_sync__{COMPANY}"
READINESS_DAG = f"crew_readiness__{COMPANY}"
WINDOWS = 3
FIRST = datetime.now(UTC).date() - timedelta(days=WINDOWS + 12)


@dataclass
class Env:
    runtime: AirflowRuntime
    store_url: str
    exports: Path


def _config(path: Path, drops: dict[str, Path], exports: Path) -> None:
    path.write_text(
        f"""
companies:
  - id: {COMPANY}
    name: Readiness Co
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_ready
    fms: {{conn_id: fms_ready, dialect: reference}}
    training:
      records:
        hris: {{csv: "{drops["hris"]}"}}
        courses: {{csv: "{drops["courses"]}"}}
        qualifications: {{csv: "{drops["qualifications"]}"}}
        ebt_gradings: {{csv: "{drops["ebt"]}"}}
        roster: {{xml: "{drops["roster"]}"}}
        readiness: {{export_to: "{exports}"}}
""",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    workdir = tmp_path_factory.mktemp("readiness_assets")
    drops = write_drops(workdir / "drops", build_training_data(FIRST, WINDOWS))
    exports = workdir / "readiness"
    config = workdir / "companies.yaml"
    _config(config, drops, exports)
    with aerosync_airflow(
        workdir,
        admin_url=POSTGRES_URL,
        name="aerosync_assets",
        config=config,
        connections={},
        # Airflow's own scheduling: asset-triggered runs are made by the same switch.
        extra_env={"AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "True"},
    ) as airflow:
        yield Env(airflow.runtime, airflow.store_url, exports)


def _end(window_end: str) -> datetime:
    return datetime.fromisoformat(window_end.replace("Z", "+00:00")).astimezone(UTC)


def _last_day(window_end: str) -> date:
    """The day a window's readiness is for (`AsOf.window_end`): that of its last instant."""
    return (_end(window_end) - timedelta(microseconds=1)).date()


def _wait_for_readiness(env: Env, days: set[date], timeout: float = 600) -> list[dict[str, Any]]:
    """The readiness DAG's runs once every day has its export and no run is left to finish."""
    deadline = time.monotonic() + timeout
    while True:
        runs = env.runtime.dag_runs(READINESS_DAG)
        written = {p.name for p in env.exports.glob("*.json")} if env.exports.is_dir() else set()
        wanted = {f"readiness__{COMPANY}__{day:%Y%m%d}.json" for day in days}
        if wanted <= written and runs and all(r["state"] in ("success", "failed") for r in runs):
            return runs
        if time.monotonic() > deadline:
            raise AssertionError(f"readiness not exported for {sorted(wanted - written)}: {runs}")
        env.runtime.check_alive()
        time.sleep(3)


@pytest.mark.timeout(1500)
def test_crew_loads_trigger_the_readiness_export_of_each_window_end(env: Env) -> None:
    env.runtime.wait_for_dag(READINESS_DAG)
    env.runtime.unpause(READINESS_DAG)  # a paused DAG is not queued by asset events
    start = datetime.combine(FIRST, datetime.min.time(), UTC).replace(hour=3)
    backfilled = env.runtime.backfill(
        CREW_DAG, start, start + timedelta(days=WINDOWS - 1), timeout=900
    )
    assert [r["state"] for r in backfilled] == ["success"] * WINDOWS, backfilled
    # Unpaused with Airflow's scheduling on, the crew DAG also runs its latest window (which
    # loads nothing new: its tables still get their events, and readiness its day).
    deadline = time.monotonic() + 600
    while True:
        crew_runs = env.runtime.dag_runs(CREW_DAG)
        if crew_runs and all(r["state"] in ("success", "failed") for r in crew_runs):
            break
        assert time.monotonic() < deadline, crew_runs
        time.sleep(3)
    assert all(r["state"] == "success" for r in crew_runs), crew_runs
    days = {_last_day(r["data_interval_end"]) for r in crew_runs}
    assert len(days) == len(crew_runs) >= WINDOWS

    runs = _wait_for_readiness(env, days)
    assert {r["state"] for r in runs} == {"success"}, runs
    assert {r["run_type"] for r in runs} == {"asset_triggered"}
    assert len(runs) <= len(crew_runs)  # a run gathers every event since the last one
    exported = {
        json.loads(p.read_text())["as_of"]
        for p in env.exports.glob(f"readiness__{COMPANY}__*.json")
    }
    assert exported == {str(day) for day in days}

    # The crew DAG's load events: one per table per run, its window in `extra`, each consumed
    # by a readiness run when readiness reads that table (not the roster).
    events = env.runtime._paged("/assets/events", "asset_events", source_dag_id=CREW_DAG)
    loads = [e for e in events if e["source_task_id"] == "load"]
    tables = {e["uri"].rsplit("/", 1)[1] for e in loads}
    assert tables == {
        "training_employee_versions", "training_courses", "training_qualifications",
        "training_ebt_gradings", "training_roster",
    }  # fmt: skip
    assert len(loads) == len(tables) * len(crew_runs)
    assert {_last_day(str(e["extra"]["window_end"])) for e in loads} == days
    for event in loads:
        consumers = {run["dag_id"] for run in event["created_dagruns"]}
        reads = not event["uri"].endswith("/training_roster")
        assert consumers == ({READINESS_DAG} if reads else set()), event
    # Its own event per run: the days it exported, in date order within the run (the crew
    # DAG's scheduled run of the latest window may come between the backfill's runs).
    outs = env.runtime._paged("/assets/events", "asset_events", source_dag_id=READINESS_DAG)
    assert {e["uri"] for e in outs} == {f"aerosync://{COMPANY}/exports/readiness"}
    assert len(outs) == len(runs)
    assert all(e["extra"]["days"] == sorted(set(e["extra"]["days"])) for e in outs), outs
    assert {d for e in outs for d in e["extra"]["days"]} == {str(day) for day in days}
    # No personal value in any event.
    said = json.dumps(events + outs)
    assert not any(name in said for _, name, _, _ in CREW)

    _readiness_reproduces_the_store(env, {_end(r["data_interval_end"]) for r in crew_runs})


def _readiness_reproduces_the_store(env: Env, ends: set[datetime]) -> None:
    """Each exported day says what the store, read as of that day's window end now, says."""
    from aerosync.config.readiness import ReadinessExport
    from aerosync.crew.readiness.days import AsOf
    from aerosync.crew.readiness.report import compute_readiness

    config = ReadinessExport(export_to=str(env.exports))
    engine = sa.create_engine(env.store_url)
    try:
        for end in sorted(ends):
            as_of = AsOf.window_end(end)
            day = as_of.day
            report = compute_readiness(engine, COMPANY, as_of, config.rules, 30)
            path = env.exports / f"readiness__{COMPANY}__{day:%Y%m%d}.json"
            document = json.loads(path.read_text())
            assert document["counts"]["listed"] == len(report.pilots), day
            assert document["counts"]["ready"] == sum(p.ready for p in report.pilots), day
            assert [x["employee_id"] for x in document["lapsing"]] == [
                p.employee_id for p in report.lapsing()
            ]
    finally:
        engine.dispose()
