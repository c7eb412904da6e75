"""A real Airflow without AEROSYNC_CONFIG: the DAG file finds `aerosync_companies.yaml` beside
it, and so does every task of the run (through its DAG's file), which uploads to the sandbox."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from aerosync.demo.fleet import build_demo_fms, demo_homebases
from aerosync.dev import stack
from aerosync.sandbox.server import SandboxServer, SandboxState
from tests.conftest import POSTGRES_URL, require_service
from tests.e2e.support import REPO, postgres_available

pytestmark = pytest.mark.integration
TOKENS = ("beside-auth-7a8b", "beside-api-9c0d")


def test_tasks_read_the_companies_file_beside_the_dag_file(tmp_path: Path) -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    fms = tmp_path / "fms.sqlite"
    fleet = build_demo_fms(fms, datetime.now(UTC), company="skyway_charter")
    dags = tmp_path / "dags"
    dags.mkdir()
    shutil.copy(REPO / "dags" / "aerosync_dags.py", dags / "aerosync_dags.py")
    company = {
        "id": "beside_co",
        "name": "Beside Co",
        "schedule": "*/15 * * * *",
        "marketplace_conn_id": "avinode_beside",
        "fms": {"conn_id": "fms_beside", "dialect": "reference"},
    }
    beside = dags / "aerosync_companies.yaml"
    beside.write_text(yaml.safe_dump({"companies": [company]}), encoding="utf-8")
    state = SandboxState(accounts=[("beside", *TOKENS)])
    for tail, icao in demo_homebases("skyway_charter").items():
        state.set_homebase(tail, icao)
    with (
        SandboxServer(port=0, state=state) as sandbox,
        stack.aerosync_airflow(
            tmp_path,
            admin_url=POSTGRES_URL,
            name="aerosync_beside",
            config=beside,
            connections={
                "avinode_beside": stack.marketplace_connection(sandbox.url, *TOKENS, timeout=5),
                "fms_beside": {"conn_type": "sqlite", "host": str(fms)},
            },
            extra_env={"AEROSYNC_CONFIG": ""},  # unset for every Airflow process
            dags_folder=dags,
        ) as airflow,
    ):
        result = airflow.runtime.run_dag("schedule_upload__beside_co", timeout=300)
        assert result.state == "success", result
        assert sorted(sandbox.state.held()) == sorted(fleet.tails)
        assert {account for account, _tail in sandbox.state.schedules} == {"beside"}
