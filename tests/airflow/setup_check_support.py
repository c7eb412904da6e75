"""The demo's set-up (its sandbox, FMS files, LMS, HRIS and LRS, connections as AIRFLOW_CONN_*
variables) for `aerosync check`, and ways to break it one piece at a time."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aerosync.demo.crew_setup import prepare_training
from aerosync.demo.maintenance import prepare_ams
from aerosync.demo.run import ACCOUNTS, prepare, start_sandbox
from aerosync.dev.environment import free_port
from aerosync.sandbox.server import SandboxServer
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated

REPO = Path(__file__).resolve().parents[2]


@dataclass
class DemoSetUp:
    workdir: Path
    sandbox: SandboxServer
    env: dict[str, str]  # AEROSYNC_CONFIG, AIRFLOW_HOME, AIRFLOW_CONN_*

    @property
    def home(self) -> Path:
        return Path(self.env["AIRFLOW_HOME"])

    def secrets(self) -> list[str]:
        found = [s for a in ACCOUNTS for s in (a.auth_token, a.api_token)]
        for key, value in self.env.items():
            if key.startswith("AIRFLOW_CONN_") and value.startswith("{"):
                conn = json.loads(value)
                found += [conn[k] for k in ("password",) if conn.get(k)]
        return found


@contextmanager
def demo_set_up(workdir: Path) -> Iterator[DemoSetUp]:
    """The demo's connections and data, with its aerosync database migrated (as after a run)."""
    now = datetime.now(UTC)
    sandbox = start_sandbox(now)
    try:
        env = prepare(workdir, sandbox.url, now)
        env.update(prepare_training(workdir, sandbox.port, Path(env["AEROSYNC_CONFIG"]), now))
        env.update(prepare_ams(workdir, Path(env["AEROSYNC_CONFIG"]), now))
        home = workdir / "airflow"
        env["AIRFLOW_HOME"] = str(home)
        engine = sqlite_engine(home / "aerosync.db")
        ensure_migrated(engine)
        engine.dispose()
        yield DemoSetUp(workdir, sandbox, env)
    finally:
        sandbox.stop()


def broken(setup: DemoSetUp) -> dict[str, str]:
    """The demo's set-up with four faults: a wrong API token (avinode_skyway), an FMS without
    its `legs` table (fms_alpine), an LMS where nothing listens (lms_skyway), and a SQLite
    aerosync database with the CeleryExecutor."""
    env = dict(setup.env)
    skyway = json.loads(env["AIRFLOW_CONN_AVINODE_SKYWAY"])
    skyway["extra"]["api_token"] = "wrong-api-token-0000"
    env["AIRFLOW_CONN_AVINODE_SKYWAY"] = json.dumps(skyway)
    fms = Path(json.loads(env["AIRFLOW_CONN_FMS_ALPINE"])["host"])
    damaged = setup.workdir / "fms_alpine_without_legs.sqlite"
    shutil.copy(fms, damaged)
    with sqlite3.connect(damaged) as conn:
        conn.execute("DROP TABLE legs")
    env["AIRFLOW_CONN_FMS_ALPINE"] = json.dumps({"conn_type": "sqlite", "host": str(damaged)})
    lms = json.loads(env["AIRFLOW_CONN_LMS_SKYWAY"])
    lms["host"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    env["AIRFLOW_CONN_LMS_SKYWAY"] = json.dumps(lms)
    store = setup.home / "aerosync.db"
    env["AIRFLOW_CONN_AEROSYNC_DB"] = json.dumps({"conn_type": "sqlite", "host": str(store)})
    env["AIRFLOW__CORE__EXECUTOR"] = "CeleryExecutor"
    return env


def run_cli(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`aerosync check` in its own process, with this worktree's code and `env` on top."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")}
    full = {**inherited, "PYTHONPATH": str(REPO / "src"), **env}
    command = [sys.executable, "-m", "aerosync.cli", "check", *args]
    return subprocess.run(command, env=full, capture_output=True, text=True, timeout=300)
