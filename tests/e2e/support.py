"""A real Airflow (PostgreSQL metadata), the sandbox, and FMS databases for end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from aerosync.config.dialects import read_sql, split_statements
from aerosync.demo.fleet import build_demo_fms, demo_homebases
from aerosync.dev import stack
from aerosync.dev.runtime import AirflowRuntime
from aerosync.sandbox.server import SandboxServer, SandboxState
from tests.conftest import POSTGRES_URL

REPO = Path(__file__).resolve().parents[2]
TOKENS = {
    "sqlite_co": ("e2e-auth-sqlite-0a1b2c", "e2e-api-sqlite-3d4e5f"),
    "pg_co": ("e2e-auth-pg-6a7b8c", "e2e-api-pg-9d0e1f"),
    "partner": ("e2e-auth-partner-1122", "e2e-api-partner-3344"),
    "lms_co": ("e2e-auth-lms-5566", "e2e-api-lms-7788"),
}
# The training LMS of `lms_co` (the sandbox's LMS stub) and the aircraft it books.
LMS_FEED = "lms_co"
LMS_TAILS = ("N410SW", "N525SW")
LMS_PASSWORD = "e2e-lms-basic-auth-9911"  # a test secret that must never leak


def all_tokens() -> list[str]:
    return [token for pair in TOKENS.values() for token in pair]


def postgres_available() -> bool:
    return stack.postgres_available(POSTGRES_URL)


def redis_available() -> bool:
    return stack.redis_available()


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """A new empty database in the local PostgreSQL, dropped afterwards; yields its URL."""
    with stack.fresh_postgres_database(POSTGRES_URL, prefix) as url:
        yield url


def copy_fms(sqlite_path: Path, target_url: str) -> None:
    """The reference schema in PostgreSQL, filled with the rows of a demo SQLite FMS."""
    source = sa.create_engine(f"sqlite:///{sqlite_path}")
    target = sa.create_engine(target_url)
    with target.begin() as conn:
        for statement in split_statements(read_sql("reference", "schema.sql")):
            conn.execute(sa.text(statement))
    meta = sa.MetaData()
    meta.reflect(bind=target)
    with source.connect() as src, target.begin() as dst:
        for table in meta.sorted_tables:
            rows = [dict(r) for r in src.execute(sa.text(f"SELECT * FROM {table.name}")).mappings()]
            for row in rows:
                for column in table.columns:
                    if isinstance(column.type, sa.Boolean) and row.get(column.name) is not None:
                        row[column.name] = bool(row[column.name])
            if rows:
                dst.execute(table.insert(), rows)
    source.dispose()
    target.dispose()


def http_connection(url: str, account: str, timeout: float = 5) -> dict[str, Any]:
    auth, api = TOKENS[account]
    return stack.marketplace_connection(url, auth, api, timeout)


@dataclass
class E2E:
    runtime: AirflowRuntime
    sandbox: SandboxServer
    aerosync_url: str
    home: Path
    tails: dict[str, list[str]] = field(default_factory=dict)

    def sandbox_get(self, path: str) -> Any:
        response = requests.get(f"http://127.0.0.1:{self.sandbox.port}{path}", timeout=10)
        response.raise_for_status()
        return response.json()

    def sandbox_post(self, path: str, payload: dict[str, Any]) -> None:
        url = f"http://127.0.0.1:{self.sandbox.port}{path}"
        requests.post(url, json=payload, timeout=10).raise_for_status()

    def reset(self) -> None:
        """Forget earlier runs: sandbox state and aerosync status (the 5-minute guard)."""
        self.sandbox_post("/_sandbox/reset", {})
        from aerosync.schedule.stages import Stores

        engine = sa.create_engine(self.aerosync_url)
        Stores.on(engine)  # the tables exist before the first run creates them
        with engine.begin() as conn:
            for table in ("upload_status", "staged_data", "validation_results"):
                conn.execute(sa.text(f"DELETE FROM {table}"))
        engine.dispose()

    def status(self, company: str) -> list[dict[str, Any]]:
        from aerosync.stores.database import engine_from_url
        from aerosync.stores.status import StatusStore

        return [
            r.to_json() for r in StatusStore(engine_from_url(self.aerosync_url)).latest(company)
        ]

    def xcom_values(self, dag_id: str) -> list[Any]:
        return self.runtime.xcom_values(dag_id)

    def requests_for(self, tail: str) -> list[dict[str, Any]]:
        log: list[dict[str, Any]] = self.sandbox_get(f"/_sandbox/requests?tail={tail}")
        return log


def write_config(path: Path) -> None:
    path.write_text(
        """
product: AeroSync/e2e
data_docs: {location: data_docs, keep_runs: 3}  # beside this file: <workdir>/data_docs/<company>/
companies:
  - id: sqlite_co
    name: SQLite Charter
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_sqlite_co
    aircraft_connections:
      N650SW: avinode_partner
    fms: {conn_id: fms_sqlite_co, dialect: reference}
    share_services: true
    activity_types: {PAX: CharterFlight}
    request_timeout_seconds: 3
  - id: pg_co
    name: Postgres Jets
    schedule: "10m"
    marketplace_conn_id: avinode_pg_co
    fms: {conn_id: fms_pg_co, dialect: reference}
  - id: broken_source_co
    name: Broken Source
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_pg_co
    fms: {conn_id: fms_missing, dialect: reference}
  - id: lms_co
    name: LMS Charter
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_lms_co
    fms: {conn_id: fms_sqlite_co, dialect: reference}
    training:
      bookings:
        rest: {conn_id: lms_rest, endpoint: lms/lms_co/bookings, page_size: 2, timeout_seconds: 5}
        tails: [N410SW, N525SW]
""",
        encoding="utf-8",
    )


@contextmanager
def e2e_environment(workdir: Path) -> Iterator[E2E]:
    now = datetime.now(UTC)
    state = SandboxState(accounts=[(name, *pair) for name, pair in TOKENS.items()])
    for company in ("skyway_charter", "alpine_jets"):
        for tail, icao in demo_homebases(company).items():
            state.set_homebase(tail, icao)
    sqlite_fms = workdir / "fms_sqlite.sqlite"
    sqlite_summary = build_demo_fms(sqlite_fms, now, company="skyway_charter")
    pg_seed = workdir / "fms_pg_seed.sqlite"
    pg_summary = build_demo_fms(pg_seed, now, company="alpine_jets")
    config = workdir / "companies.yaml"
    write_config(config)
    with (
        SandboxServer(port=0, state=state) as sandbox,
        fresh_postgres_database("aerosync_e2e_fms") as fms_url,
    ):
        copy_fms(pg_seed, fms_url)
        connections = {
            "avinode_sqlite_co": http_connection(sandbox.url, "sqlite_co"),
            "avinode_partner": http_connection(sandbox.url, "partner"),
            "avinode_pg_co": http_connection(sandbox.url, "pg_co"),
            "avinode_lms_co": http_connection(sandbox.url, "lms_co"),
            "lms_rest": {
                "conn_type": "http",
                "host": f"http://127.0.0.1:{sandbox.port}",
                "login": "aerosync",
                "password": LMS_PASSWORD,
            },
            "fms_sqlite_co": {"conn_type": "sqlite", "host": str(sqlite_fms)},
            "fms_pg_co": stack.postgres_connection(fms_url),
            "fms_missing": {
                "conn_type": "sqlite",
                "host": str(workdir / "no-such-dir" / "fms.sqlite"),
            },
        }
        with stack.aerosync_airflow(
            workdir,
            admin_url=POSTGRES_URL,
            name="aerosync_e2e",
            config=config,
            connections=connections,
        ) as airflow:
            yield E2E(
                runtime=airflow.runtime,
                sandbox=sandbox,
                aerosync_url=airflow.store_url,
                home=airflow.home,
                tails={
                    "sqlite_co": sorted(sqlite_summary.tails),
                    "pg_co": sorted(pg_summary.tails),
                    "lms_co": sorted(sqlite_summary.tails),
                },
            )
