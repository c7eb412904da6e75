"""One real Airflow and one sandbox for the whole fault matrix (see `support.py`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from aerosync.dev.airflow_runtime import AirflowEnv, AirflowRuntime
from aerosync.sandbox.server import SandboxServer, SandboxState
from tests.conftest import require_service
from tests.integration.e2e_support import REPO, fresh_postgres_database, postgres_available
from tests.integration.fault_matrix.support import (
    FaultEnv,
    FaultSetup,
    now_utc,
    write_companies,
)


def _connection_env(conn: dict[str, object]) -> str:
    return json.dumps(conn)


@pytest.fixture(scope="session")
def faults(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FaultEnv]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    workdir = tmp_path_factory.mktemp("faults")
    package = Path(__file__).parent
    modules = {
        item.module
        for item in request.session.items
        if item.module is not None and Path(str(item.module.__file__)).parent == package
    }
    with SandboxServer(port=0, state=SandboxState(accounts=[("none", "-", "-")])) as sandbox:
        setup = FaultSetup(workdir=workdir, now=now_utc(), sandbox=sandbox)
        for module in sorted(modules, key=lambda m: m.__name__):
            hook = getattr(module, "fault_setup", None)
            if hook is not None:
                hook(setup)
        config = workdir / "companies.yaml"
        write_companies(config, setup.companies)
        with (
            fresh_postgres_database("aerosync_faults_meta") as meta_url,
            fresh_postgres_database("aerosync_faults_store") as store_url,
        ):
            store = sa.engine.make_url(store_url)
            extra = {
                "AEROSYNC_CONFIG": str(config),
                "AIRFLOW_CONN_AEROSYNC_DB": _connection_env(
                    {
                        "conn_type": "postgres",
                        "host": store.host,
                        "port": store.port,
                        "login": store.username,
                        "schema": store.database,
                    }
                ),
                **{
                    f"AIRFLOW_CONN_{conn_id.upper()}": _connection_env(conn)
                    for conn_id, conn in setup.connections.items()
                },
                **setup.env,
            }
            env = AirflowEnv(
                home=workdir / "airflow",
                dags_folder=REPO / "dags",
                metadata_url=meta_url,
                extra_env=extra,
            )
            with AirflowRuntime(env) as runtime:
                from aerosync.schedule.stages import Stores

                engine = sa.create_engine(store_url)
                Stores.on(engine)  # the tables exist before the first run creates them
                engine.dispose()
                yield FaultEnv(runtime, sandbox, store_url, workdir / "airflow", setup)
