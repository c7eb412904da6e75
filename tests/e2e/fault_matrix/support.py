"""The fault matrix's shared Airflow: one real Airflow (LocalExecutor, PostgreSQL metadata and
aerosync store) and one sandbox for every fault test module of this package.

Each module of the package declares what it needs in a function `fault_setup(setup)`, called once
before Airflow starts: companies (entries of the companies file), connections, FMS files, and the
secrets that must never leak. Tests then run real DAG runs and look at what the sandbox saw, the
status records, and every place a secret could leak (`FaultEnv.assert_no_secrets`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
import yaml

from aerosync.demo.fleet import build_demo_fms, demo_homebases
from aerosync.dev.runs import RunResult
from aerosync.dev.runtime import AirflowRuntime
from aerosync.sandbox.server import SandboxServer

STORE_TABLES = ("upload_status", "validation_results", "staged_data")


@dataclass
class FaultSetup:
    """What the fault modules ask of the shared Airflow, gathered before it starts."""

    workdir: Path
    now: datetime
    sandbox: SandboxServer
    companies: list[dict[str, Any]] = field(default_factory=list)
    connections: dict[str, dict[str, Any]] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    tails: dict[str, list[str]] = field(default_factory=dict)

    def add_company(self, entry: dict[str, Any], tails: list[str] | None = None) -> None:
        self.companies.append(entry)
        if tails is not None:
            self.tails[str(entry["id"])] = sorted(tails)

    def add_connection(self, conn_id: str, conn: dict[str, Any], *secrets: str) -> None:
        self.connections[conn_id] = conn
        self.secrets.extend(s for s in secrets if s)

    def marketplace(self, conn_id: str, account: str) -> tuple[str, str]:
        """A sandbox account with fresh tokens, and an `http` connection to it; returns both."""
        auth, api = f"fm-auth-{account}-7c1e", f"fm-api-{account}-52ab"
        self.sandbox.state.add_account(account, auth, api)
        self.add_connection(
            conn_id,
            {"conn_type": "http", "host": self.sandbox.url, "password": auth,
             "extra": {"api_token": api, "timeout": 5}},
            auth, api,
        )  # fmt: skip
        return auth, api

    def demo_fms(self, name: str, company: str = "skyway_charter") -> tuple[Path, list[str]]:
        """A demo FMS (SQLite) of `company`'s fleet at `workdir/name.sqlite`; its marketed tails.
        The sandbox learns the fleet's homebases."""
        path = self.workdir / f"{name}.sqlite"
        summary = build_demo_fms(path, self.now, company=company)
        for tail, icao in demo_homebases(company).items():
            self.sandbox.state.set_homebase(tail, icao)
        return path, sorted(summary.tails)

    def sqlite_fms(self, conn_id: str, path: Path) -> None:
        self.add_connection(conn_id, {"conn_type": "sqlite", "host": str(path)})


@dataclass
class FaultEnv:
    runtime: AirflowRuntime
    sandbox: SandboxServer
    store_url: str
    home: Path
    setup: FaultSetup

    @property
    def secrets(self) -> list[str]:
        return list(self.setup.secrets)

    def tails(self, company: str) -> list[str]:
        return self.setup.tails[company]

    # -- runs -------------------------------------------------------------------------------
    def run(self, dag_id: str, timeout: float = 300) -> RunResult:
        return self.runtime.run_dag(dag_id, timeout=timeout)

    def upload(self, company: str, timeout: float = 300) -> RunResult:
        return self.run(f"schedule_upload__{company}", timeout)

    def logs(self, result: RunResult) -> str:
        """Every task log of the run (each mapped instance, each try), as text."""
        texts = []
        for ti in result.task_instances:
            # A task that never started (mapped over no batch, upstream failed) has no log.
            for attempt in range(1, int(ti.get("try_number") or 0) + 1):
                texts.append(
                    self.runtime.task_log(
                        result.dag_id, result.run_id, ti["task_id"], ti["map_index"], attempt
                    )
                )
        return "\n".join(texts)

    def xcom_text(self, dag_id: str) -> str:
        return json.dumps(self.runtime.xcom_values(dag_id))

    # -- the sandbox ------------------------------------------------------------------------
    def sandbox_post(self, path: str, payload: dict[str, Any]) -> None:
        url = f"http://127.0.0.1:{self.sandbox.port}{path}"
        requests.post(url, json=payload, timeout=10).raise_for_status()

    def fault(self, tail: str, fault: str | None) -> None:
        self.sandbox.state.set_fault(tail, fault)

    def puts(self, tail: str) -> list[dict[str, Any]]:
        """Every `PUT /schedules` the sandbox received for the tail, answered or not."""
        return [r for r in self.sandbox.state.requests(tail) if r.get("method") == "PUT"]

    # -- the aerosync store -----------------------------------------------------------------
    def engine(self) -> sa.Engine:
        return sa.create_engine(self.store_url)

    def status(self, company: str) -> dict[str, dict[str, Any]]:
        """Each aircraft's latest record, as `aerosync status --json` gives it."""
        from aerosync.stores.status import StatusStore

        engine = self.engine()
        try:
            return {r.tail: r.to_json() for r in StatusStore(engine).latest(company)}
        finally:
            engine.dispose()

    def attempts(self, company: str, run_id: str) -> list[dict[str, Any]]:
        from aerosync.stores.status import StatusStore

        engine = self.engine()
        try:
            return [r.to_json() for r in StatusStore(engine).attempts(company, run_id)]
        finally:
            engine.dispose()

    def forget(self, company: str) -> None:
        """No earlier attempt of the company: the 5-minute spacing starts afresh."""
        engine = self.engine()
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM upload_status WHERE company = :c"), {"c": company})
        engine.dispose()

    def age_attempts(self, company: str, minutes: float) -> None:
        """Move the company's recorded attempts `minutes` back in time (a wait, simulated)."""
        from aerosync.stores.database import iso

        engine = self.engine()
        with engine.begin() as conn:
            rows = conn.execute(
                sa.text("SELECT attempt_id, attempted_at FROM upload_status WHERE company = :c"),
                {"c": company},
            ).all()
            for attempt_id, at in rows:
                moved = datetime.fromisoformat(at) - timedelta(minutes=minutes)
                conn.execute(
                    sa.text("UPDATE upload_status SET attempted_at = :at WHERE attempt_id = :id"),
                    {"at": iso(moved), "id": attempt_id},
                )
        engine.dispose()

    def store_text(self) -> str:
        """Every row of the aerosync store's status, validation and staging tables, as text."""
        engine = self.engine()
        parts = []
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            for table in sorted(names):
                rows = conn.execute(sa.text(f"SELECT * FROM {table}")).all()
                parts.append(f"{table}: " + repr([tuple(r) for r in rows]))
        engine.dispose()
        return "\n".join(parts)

    # -- what people see --------------------------------------------------------------------
    def page(self, company: str | None = None) -> str:
        response = requests.get(
            f"{self.runtime.base_url}/aerosync/status",
            params={"company": company} if company else None,
            headers={"Authorization": f"Bearer {self.runtime.token()}"},
            timeout=30,
        )
        response.raise_for_status()
        return response.text

    def cli_status_json(self, company: str | None = None) -> str:
        args = [sys.executable, "-m", "aerosync.cli", "status", "--json", "--db", self.store_url]
        if company:
            args += ["--company", company]
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=120,
            env={k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")},
        )  # fmt: skip
        return done.stdout + done.stderr

    def assert_no_secrets(self, results: list[RunResult], company: str | None = None) -> None:
        """No secret of any connection in the runs' task logs, the log files, XCom, the aerosync
        store, the Schedule uploads page or `aerosync status --json`; each place is really read."""
        places = {
            "task logs": "\n".join(self.logs(r) for r in results),
            "log files": "".join(
                p.read_text(errors="replace")
                for p in Path(self.home, "logs").rglob("*")
                if p.is_file()
            ),
            "XCom": "\n".join(self.xcom_text(d) for d in sorted({r.dag_id for r in results})),
            "aerosync store": self.store_text(),
            "status page": self.page(company),
            "aerosync status --json": self.cli_status_json(company),
        }
        assert places["task logs"].strip(), "the task logs were really read"
        assert "<html" in places["status page"].lower(), places["status page"][:500]
        for where, text in places.items():
            for secret in self.secrets:
                assert secret not in text, f"a secret ({secret[:6]}…) is in the {where}"


def write_companies(path: Path, companies: list[dict[str, Any]]) -> None:
    path.write_text(
        yaml.safe_dump({"product": "AeroSync/faults", "companies": companies}, sort_keys=False),
        encoding="utf-8",
    )


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def now_utc() -> datetime:
    return datetime.now(UTC)
