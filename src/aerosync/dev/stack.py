"""An Airflow for the repository's DAGs on PostgreSQL, with the aerosync store there too: the
set-up the end-to-end tests, the fault matrix and the end-to-end benchmark share.

    with aerosync_airflow(workdir, admin_url=URL, name="aerosync_e2e", config=companies_yaml,
                          connections={"fms_x": {"conn_type": "sqlite", "host": ...}}) as stack:
        stack.runtime.run_dag(...)

The pieces stand alone for a caller that needs its databases to outlive one runtime (the
benchmark restarts Airflow without the preload): :func:`fresh_postgres_database`,
:func:`aerosync_env`, then :class:`~aerosync.dev.runtime.AirflowRuntime`. Each caller brings its
own companies file, marketplace sandbox and PostgreSQL server (``admin_url``: any database on
it that the user may connect to and create databases from).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from aerosync.dev.environment import AirflowEnv
from aerosync.dev.runtime import AirflowRuntime

#: The repository's DAG folder; the harness runs from a checkout, not from an installed wheel.
REPO_DAGS = Path(__file__).resolve().parents[3] / "dags"
#: The Airflow connection id of the aerosync store (`aerosync.stores.database`).
STORE_CONN_ID = "aerosync_db"


def postgres_available(admin_url: str) -> bool:
    """Whether the PostgreSQL server of ``admin_url`` answers."""
    try:
        with sa.create_engine(admin_url).connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except Exception:
        return False


@contextmanager
def fresh_postgres_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A new empty database ``<prefix>_<8 hex digits>`` on the server of ``admin_url``, dropped
    afterwards even if something still holds a connection to it; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_connection(url: str) -> dict[str, Any]:
    """An Airflow ``postgres`` connection to the database of a SQLAlchemy URL."""
    parts = sa.engine.make_url(url)
    return {
        "conn_type": "postgres",
        "host": parts.host,
        "port": parts.port,
        "login": parts.username,
        "schema": parts.database,
    }


def marketplace_connection(
    url: str, auth_token: str, api_token: str, timeout: float | None = None
) -> dict[str, Any]:
    """An Airflow ``http`` connection to a marketplace (the sandbox): host = base URL, password =
    auth token; ``timeout`` None leaves the hook's default."""
    extra: dict[str, Any] = {"api_token": api_token}
    if timeout is not None:
        extra["timeout"] = timeout
    return {"conn_type": "http", "host": url, "password": auth_token, "extra": extra}


def connection_env(connections: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Airflow connections as the environment variables Airflow reads them from."""
    return {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(c) for conn_id, c in connections.items()}


def aerosync_env(
    home: Path,
    *,
    metadata_url: str,
    store_url: str,
    config: Path,
    connections: Mapping[str, Mapping[str, Any]],
    extra_env: Mapping[str, str] | None = None,
    dags_folder: Path = REPO_DAGS,
) -> AirflowEnv:
    """An Airflow on ``metadata_url`` running the aerosync DAGs of ``config`` with their
    ``connections``, the store at ``store_url``, and any ``extra_env`` on top."""
    env = {
        "AEROSYNC_CONFIG": str(config),
        **connection_env({STORE_CONN_ID: postgres_connection(store_url), **connections}),
        **(extra_env or {}),
    }
    return AirflowEnv(home=home, dags_folder=dags_folder, metadata_url=metadata_url, extra_env=env)


@dataclass(frozen=True)
class AerosyncAirflow:
    """A started Airflow with its aerosync store."""

    runtime: AirflowRuntime
    store_url: str
    #: ``<workdir>/airflow``: Airflow's home (task logs under ``logs/``).
    home: Path


@contextmanager
def aerosync_airflow(
    workdir: Path,
    *,
    admin_url: str,
    name: str,
    config: Path,
    connections: Mapping[str, Mapping[str, Any]],
    extra_env: Mapping[str, str] | None = None,
    dags_folder: Path = REPO_DAGS,
) -> Iterator[AerosyncAirflow]:
    """Fresh databases ``<name>_meta`` (Airflow's) and ``<name>_store`` (aerosync's), and an
    Airflow at ``workdir/airflow`` on them, started; everything stopped and dropped afterwards."""
    home = workdir / "airflow"
    with (
        fresh_postgres_database(admin_url, f"{name}_meta") as meta_url,
        fresh_postgres_database(admin_url, f"{name}_store") as store_url,
    ):
        env = aerosync_env(
            home,
            metadata_url=meta_url,
            store_url=store_url,
            config=config,
            connections=connections,
            extra_env=extra_env,
            dags_folder=dags_folder,
        )
        with AirflowRuntime(env) as runtime:
            yield AerosyncAirflow(runtime=runtime, store_url=store_url, home=home)
