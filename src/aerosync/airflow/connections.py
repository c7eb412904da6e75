"""SQLAlchemy engines behind the Airflow connections AeroSync reads and writes."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine

from aerosync.stores.database import sqlite_engine

AEROSYNC_DB_CONN_ENV = "AEROSYNC_DB_CONN_ID"
DEFAULT_AEROSYNC_DB_CONN_ID = "aerosync_db"


def aerosync_db_conn_id() -> str:
    return os.environ.get(AEROSYNC_DB_CONN_ENV, DEFAULT_AEROSYNC_DB_CONN_ID)


def default_aerosync_db_path() -> Path:
    home = Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))
    return home / "aerosync.db"


def engine_for_connection(conn_id: str, timeout_seconds: float | None = None) -> Engine:
    """The engine of any SQL connection that has a common-sql hook (SQLite, PostgreSQL, ...);
    the connection's secrets are masked in the task's logs before it is used. With
    `timeout_seconds` (an FMS's `fms.timeout_seconds`), its driver connects and queries within
    that time (`fms_connect_args`)."""
    from airflow.sdk import BaseHook

    from aerosync.airflow.masking import mask_connection_secrets
    from aerosync.schedule.sources.fms import fms_connect_args

    conn = BaseHook.get_connection(conn_id)
    mask_connection_secrets(conn)
    hook = conn.get_hook()
    engine: Engine = hook.get_sqlalchemy_engine()
    connect_args = fms_connect_args(engine.dialect.name, timeout_seconds)
    if connect_args:
        engine.dispose()  # never connected: the URL is the hook's, only the driver's limits change
        engine = hook.get_sqlalchemy_engine(engine_kwargs={"connect_args": connect_args})
    return engine


def aerosync_engine() -> Engine:
    """The aerosync database: the `aerosync_db` connection, else a SQLite file in AIRFLOW_HOME."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    conn_id = aerosync_db_conn_id()
    try:
        return engine_for_connection(conn_id)
    except AirflowNotFoundException:
        return sqlite_engine(default_aerosync_db_path())
