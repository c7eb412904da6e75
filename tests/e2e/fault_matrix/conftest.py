"""One real Airflow and one sandbox for the whole fault matrix (see `support.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from aerosync.dev.stack import aerosync_airflow
from aerosync.sandbox.server import SandboxServer, SandboxState
from tests.conftest import POSTGRES_URL, require_service
from tests.e2e.fault_matrix.support import (
    FaultEnv,
    FaultSetup,
    now_utc,
    write_companies,
)
from tests.e2e.support import postgres_available


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
        with aerosync_airflow(
            workdir,
            admin_url=POSTGRES_URL,
            name="aerosync_faults",
            config=config,
            connections=setup.connections,
            extra_env=setup.env,
        ) as airflow:
            from aerosync.schedule.stages import Stores

            engine = sa.create_engine(airflow.store_url)
            Stores.on(engine)  # the tables exist before the first run creates them
            engine.dispose()
            yield FaultEnv(airflow.runtime, sandbox, airflow.store_url, airflow.home, setup)
