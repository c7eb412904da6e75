"""`make demo`: the whole flow on an embedded default, through a real Airflow scheduler.

Builds a SQLite FMS per demo company, starts the local marketplace sandbox, brings up Airflow
(api-server, scheduler, dag-processor on SQLite) in `.demo/airflow`, runs each demo company's DAG
once, then prints the status of every aircraft and what the sandbox now holds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from aerosync.config.companies import CompanyConfig
from aerosync.config.companies_file import LoadedConfig, load_config
from aerosync.config.resources import data_dir
from aerosync.demo.bookings import DEMO_FEEDS, demo_bookings
from aerosync.demo.crew_setup import prepare_training, training_report
from aerosync.demo.fleet import build_demo_fms, demo_homebases
from aerosync.demo.maintenance import prepare_ams
from aerosync.dev.environment import AirflowEnv
from aerosync.dev.runtime import AirflowRuntime
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.status.cli import format_table
from aerosync.stores.database import sqlite_engine
from aerosync.stores.status import StatusStore

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class DemoAccount:
    conn_id: str
    name: str
    auth_token: str
    api_token: str


# Demo-only credentials of the local sandbox; real ones live in Airflow connections.
ACCOUNTS = (
    DemoAccount("avinode_skyway", "skyway", "demo-skyway-auth-7f3a", "demo-skyway-api-91c2"),
    DemoAccount(
        "avinode_skyway_partner", "partner", "demo-partner-auth-2b8d", "demo-partner-api-4e1f"
    ),
    DemoAccount("avinode_alpine", "alpine", "demo-alpine-auth-c5d0", "demo-alpine-api-6a9e"),
)


def marketplace_connection(url: str, account: DemoAccount, timeout: float = 10) -> str:
    """An Airflow `avinode` connection in JSON form: host = base URL, password = auth token,
    extra `api_token` (an `http` connection with the same fields works as well)."""
    return json.dumps(
        {
            "conn_type": "avinode",
            "host": url,
            "password": account.auth_token,
            "extra": {"api_token": account.api_token, "timeout": timeout},
        }
    )


def sqlite_connection(path: Path) -> str:
    return json.dumps({"conn_type": "sqlite", "host": str(path)})


def lms_connection(sandbox_url: str, timeout: float = 10) -> str:
    """An Airflow `http` connection to the sandbox's LMS stub (served from the server's root)."""
    parts = urlsplit(sandbox_url)
    host = f"{parts.scheme}://{parts.netloc}"
    return json.dumps({"conn_type": "http", "host": host, "extra": {"timeout": timeout}})


def prepare(workdir: Path, sandbox_url: str, now: datetime) -> dict[str, str]:
    """Demo FMS databases and the environment (connections, config) Airflow runs with."""
    env = {"AEROSYNC_CONFIG": str(data_dir("config") / "companies.yaml")}
    for account in ACCOUNTS:
        env[f"AIRFLOW_CONN_{account.conn_id.upper()}"] = marketplace_connection(
            sandbox_url, account
        )
    for company in load_config(Path(env["AEROSYNC_CONFIG"])).companies:
        fms_path = workdir / f"fms_{company.id}.sqlite"
        fms_path.unlink(missing_ok=True)
        build_demo_fms(fms_path, now, company=company.id)
        env[f"AIRFLOW_CONN_{company.fms.conn_id.upper()}"] = sqlite_connection(fms_path)
        bookings = company.training.bookings if company.training is not None else None
        if bookings is not None and bookings.rest is not None:
            env[f"AIRFLOW_CONN_{bookings.rest.conn_id.upper()}"] = lms_connection(sandbox_url)
    return env


def start_sandbox(now: datetime | None = None) -> SandboxServer:
    state = SandboxState(accounts=[(a.name, a.auth_token, a.api_token) for a in ACCOUNTS])
    for company in ("skyway_charter", "alpine_jets"):
        for tail, icao in demo_homebases(company).items():
            state.set_homebase(tail, icao)
    server = SandboxServer(port=0, state=state)
    moment = now or datetime.now(UTC)
    for company, feed in DEMO_FEEDS.items():
        server.lms.load(feed, demo_bookings(moment, company))
    server.start()
    return server


def print_sandbox(server: SandboxServer) -> None:
    import requests

    held = requests.get(f"http://127.0.0.1:{server.port}/_sandbox/schedules", timeout=10).json()
    print("\nThe sandbox marketplace now holds:")
    for tail, body in sorted(held.items()):
        training = [a for a in body["activities"] if a["activityType"] == "Training"]
        booked = f", {len(training)} Training from the LMS" if training else ""
        ams = [a for a in body["activities"] if str(a["activityId"]).startswith("AMS-")]
        booked += f", {len(ams)} from the AMS ({ams[0]['activityId']})" if ams else ""
        print(
            f"  {tail:<10} {len(body['activities']):>3} activities  (account {body['account']})"
            + booked
        )


def print_setup_check(airflow_env: AirflowEnv) -> None:
    """`aerosync check` with the demo's connections (they live in the Airflow processes'
    environment only, so a shell without them would find none)."""
    print("\nEvery connection the demo companies use (aerosync check):")
    checked = subprocess.run(
        [sys.executable, "-m", "aerosync.cli", "check"],
        env=airflow_env.env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    print(checked.stdout.rstrip() or checked.stderr.rstrip())


def print_event_hints(companies: list[CompanyConfig]) -> None:
    """How to start a company's crew sync by an event, once its DAG is unpaused."""
    from aerosync.config.crew_events import ready_marker_paths

    for company in companies:
        records = company.training.records if company.training else None
        events = records.events if records else None
        if records is None or events is None:
            continue
        print(f"Events start {company.crew_dag_id} once it is unpaused (docs/events.md):")
        if events.redis_conn_id:
            channel = events.channel_of(company.id)
            print(f'  redis-cli PUBLISH {channel} \'{{"kind": "lms.completion"}}\'')
        for marker in ready_marker_paths(records) if events.ready_markers else []:
            print(f"  touch {marker}")


def _data_docs_line(loaded: LoadedConfig) -> str:
    """Where each validation's GX Data Docs are (the status pages link them)."""
    folder = loaded.data_docs_folder()
    if folder is None:
        return ""
    return (
        f"  Each validation's Data Docs (Great Expectations): {folder}/<company>/index.html, "
        "linked from both pages.\n"
    )


def run(workdir: Path, keep_running: bool) -> int:
    workdir.mkdir(parents=True, exist_ok=True)
    home = workdir / "airflow"
    if not keep_running and home.exists():
        shutil.rmtree(home)  # a fresh demo every time: no state from an earlier run
    now = datetime.now(UTC)
    sandbox = start_sandbox(now)
    print(f"Marketplace sandbox: {sandbox.url} (with a training LMS, LRS and HRIS)")
    env_vars = prepare(workdir, sandbox.url, now)
    # Companies with training.records: demo HRIS/LRS in the sandbox, CSV drops in the workdir.
    env_vars.update(prepare_training(workdir, sandbox.port, Path(env_vars["AEROSYNC_CONFIG"]), now))
    # Companies with an AMS CSV drop: their maintenance plan written into the workdir.
    env_vars.update(prepare_ams(workdir, Path(env_vars["AEROSYNC_CONFIG"]), now))
    # With --ui, Airflow schedules as it would in production: daily windows, and crew syncs
    # started by events (the triggerer watches Redis and the `_READY` markers; docs/events.md).
    # The one-shot demo runs each DAG once, on its own.
    airflow_env = AirflowEnv(
        home=home,
        dags_folder=REPO_ROOT / "dags",
        extra_env=env_vars,
        scheduled_runs=keep_running,
    )
    loaded = load_config(Path(env_vars["AEROSYNC_CONFIG"]))
    companies = loaded.companies
    failures = 0
    with AirflowRuntime(airflow_env, triggerer=True) as runtime:
        print(f"Airflow is up: {runtime.base_url} (user admin, password admin; with a triggerer)")
        if keep_running:
            print_event_hints(companies)
            print(
                f"Open {runtime.base_url} and log in; the status page is the menu entry "
                f"'Schedule uploads' ({runtime.base_url}/aerosync/status). "
                "Ctrl-C stops Airflow and the sandbox."
            )
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return 0
        for company in companies:
            print(f"\nRunning {company.dag_id} through the scheduler ...")
            result = runtime.run_dag(company.dag_id, timeout=600)
            print(f"  run {result.run_id}: {result.state}")
            failures += result.state != "success"
        for company in companies:
            if company.training is None or company.training.records is None:
                continue
            dag_id = company.crew_dag_id
            print(f"\nRunning {dag_id} through the scheduler (the last complete day) ...")
            result = runtime.run_dag(dag_id, timeout=600)
            print(f"  run {result.run_id}: {result.state}")
            failures += result.state != "success"
            if company.training.records.readiness is not None:
                # The demo's scheduler makes no asset-triggered runs (`scheduled_runs` False):
                # a manual run exports the readiness of the same, last complete, window.
                readiness = runtime.run_dag(company.readiness_dag_id, timeout=600)
                print(f"  {company.readiness_dag_id} run {readiness.run_id}: {readiness.state}")
                failures += readiness.state != "success"
            print(training_report(sqlite_engine(home / "aerosync.db"), company.id, workdir))
            print(f"  history: `airflow backfill create --dag-id {dag_id} ...` (README, Backfill)")
    store = StatusStore(sqlite_engine(home / "aerosync.db"))
    print("\nStatus of every aircraft (aerosync status):")
    print(format_table(store.latest()))
    print_sandbox(sandbox)
    print_setup_check(airflow_env)
    sandbox.stop()
    print(
        "\nSee it in the Airflow UI: `make ui`, then open the URL it prints and log in (user "
        "admin, password admin).\n  The status page: menu 'Schedule uploads', or <that URL>"
        "/aerosync/status; each company's DAG page has a 'Schedule uploads' tab too.\n"
        "  Each company's DAG shows its runs, and its upload task one labelled task instance "
        "per batch of aircraft; 'Trigger' on a DAG is 'upload now'.\n"
        "  The crew sync: menu 'Crew sync' (<that URL>/aerosync/crew).\n"
        f"{_data_docs_line(loaded)}"
        f"Status from the shell: AIRFLOW_HOME={home} .venv/bin/aerosync status"
    )
    # A demo run ends failed by design when an aircraft is refused: say so, don't hide it.
    if failures:
        print(f"\n{failures} demo run(s) did not succeed: see the table above for why.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aerosync.demo", description=__doc__)
    parser.add_argument("--workdir", default=os.environ.get("AEROSYNC_DEMO_DIR", ".demo"))
    parser.add_argument("--ui", action="store_true", help="keep Airflow running for the UI")
    args = parser.parse_args(argv)
    return run(Path(args.workdir).resolve(), keep_running=args.ui)


if __name__ == "__main__":
    sys.exit(main())
