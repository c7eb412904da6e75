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

import contextlib
import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from aerosync.dev.environment import AirflowEnv, CeleryCluster
from aerosync.dev.runtime import AirflowRuntime

#: The repository's DAG folder; the harness runs from a checkout, not from an installed wheel.
REPO_DAGS = Path(__file__).resolve().parents[3] / "dags"
#: The Airflow connection id of the aerosync store (`aerosync.stores.database`).
STORE_CONN_ID = "aerosync_db"
#: The local Redis server the Celery runs' brokers use (a database number each).
REDIS_URL = "redis://127.0.0.1:6379"
_REDIS_CLAIM = "aerosync:harness-claim"


def postgres_available(admin_url: str) -> bool:
    """Whether the PostgreSQL server of ``admin_url`` answers."""
    try:
        with sa.create_engine(admin_url).connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except Exception:
        return False


def redis_available(server_url: str = REDIS_URL) -> bool:
    """Whether the Redis server of ``server_url`` answers (the Celery runs' broker)."""
    import redis

    try:
        return bool(redis.Redis.from_url(server_url, socket_timeout=3).ping())
    except redis.RedisError:
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


@contextmanager
def fresh_redis_database(server_url: str = REDIS_URL) -> Iterator[str]:
    """An empty Redis database (numbers 1 to 15; 0 is left to others) claimed for one Celery run,
    so that runs on one machine never take each other's tasks; flushed afterwards."""
    import redis

    for number in range(1, 16):
        client = redis.Redis.from_url(f"{server_url}/{number}")
        try:
            claimed = client.set(_REDIS_CLAIM, "1", nx=True) and client.dbsize() == 1
            if not claimed:
                continue
            try:
                yield f"{server_url}/{number}"
            finally:
                client.flushdb()
            return
        finally:
            client.close()
    raise RuntimeError(f"no empty Redis database left on {server_url} (1 to 15 all hold keys)")


def celery_cluster(
    broker_url: str, metadata_url: str, workers: tuple[str, ...], queues: tuple[str, ...]
) -> CeleryCluster:
    """Workers on ``broker_url`` whose task states Celery keeps in Airflow's metadata database."""
    return CeleryCluster(broker_url, f"db+{metadata_url}", workers, queues=queues)


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
    store_url: str | None,
    config: Path,
    connections: Mapping[str, Mapping[str, Any]],
    extra_env: Mapping[str, str] | None = None,
    dags_folder: Path = REPO_DAGS,
    celery: CeleryCluster | None = None,
    scheduled_runs: bool = False,
) -> AirflowEnv:
    """An Airflow on ``metadata_url`` running the aerosync DAGs of ``config`` with their
    ``connections``, the store at ``store_url`` (None: no ``aerosync_db`` connection, so the
    SQLite file in each AIRFLOW_HOME), and any ``extra_env`` on top."""
    store = {STORE_CONN_ID: postgres_connection(store_url)} if store_url else {}
    env = {
        "AEROSYNC_CONFIG": str(config),
        **connection_env({**store, **connections}),
        **(extra_env or {}),
    }
    return AirflowEnv(
        home=home,
        dags_folder=dags_folder,
        metadata_url=metadata_url,
        extra_env=env,
        celery=celery,
        scheduled_runs=scheduled_runs,
    )


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
    celery_workers: tuple[str, ...] = (),
    celery_queues: tuple[str, ...] = ("default",),
    shared_store: bool = True,
    triggerer: bool = False,
    scheduled_runs: bool = False,
) -> Iterator[AerosyncAirflow]:
    """Fresh databases ``<name>_meta`` (Airflow's) and ``<name>_store`` (aerosync's), and an
    Airflow at ``workdir/airflow`` on them, started; everything stopped and dropped afterwards.

    With ``celery_workers``: the CeleryExecutor, a fresh Redis database as its broker and those
    workers (listening to ``celery_queues``), each in a home of its own beside ``airflow``.
    ``shared_store`` False gives no ``aerosync_db`` connection: the SQLite file of each home.
    ``triggerer`` also starts ``airflow triggerer`` (event-driven crew syncs need it), and
    ``scheduled_runs`` lets the scheduler create scheduled and asset-triggered runs
    (``AirflowEnv.scheduled_runs``; off by default, so a test's trigger is the only run)."""
    home = workdir / "airflow"
    with contextlib.ExitStack() as stack:
        meta_url = stack.enter_context(fresh_postgres_database(admin_url, f"{name}_meta"))
        store_url = stack.enter_context(fresh_postgres_database(admin_url, f"{name}_store"))
        celery = None
        if celery_workers:
            broker = stack.enter_context(fresh_redis_database())
            celery = celery_cluster(broker, meta_url, celery_workers, celery_queues)
        env = aerosync_env(
            home,
            metadata_url=meta_url,
            store_url=store_url if shared_store else None,
            config=config,
            connections=connections,
            extra_env=extra_env,
            dags_folder=dags_folder,
            celery=celery,
            scheduled_runs=scheduled_runs,
        )
        with AirflowRuntime(env, triggerer=triggerer) as runtime:
            yield AerosyncAirflow(runtime=runtime, store_url=store_url, home=home)
