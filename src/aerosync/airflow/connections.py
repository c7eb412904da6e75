"""SQLAlchemy engines behind the Airflow connections AeroSync reads and writes: in a task
(`aerosync_engine`, `engine_for_connection`) and in a reader outside a task such as `aerosync
status` (`existing_aerosync_engine`), which finds the same database and never creates one."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from sqlalchemy import Engine

from aerosync.stores.database import (
    StoreUnavailable,
    existing_sqlite_engine,
    sqlite_engine,
    sqlite_file_of,
    where,
)
from aerosync.stores.database_check import executor_names, not_shared_message, refuses_sqlite

AEROSYNC_DB_CONN_ENV = "AEROSYNC_DB_CONN_ID"
DEFAULT_AEROSYNC_DB_CONN_ID = "aerosync_db"


def aerosync_db_conn_id() -> str:
    return os.environ.get(AEROSYNC_DB_CONN_ENV, DEFAULT_AEROSYNC_DB_CONN_ID)


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))


def default_aerosync_db_path() -> Path:
    return airflow_home() / "aerosync.db"


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


class StoreNotShared(RuntimeError):
    """A task refuses a SQLite aerosync database under an executor with other workers."""


def configured_executors() -> list[str]:
    """The executor classes of this process's `[core] executor`."""
    from airflow.configuration import conf

    return executor_names(conf.get("core", "executor", fallback="LocalExecutor"))


def aerosync_engine() -> Engine:
    """The aerosync database: the `aerosync_db` connection, else a SQLite file in AIRFLOW_HOME.

    A SQLite file under any executor but the LocalExecutor is refused (`StoreNotShared`) before
    anything is read or written: other workers would never see it (`aerosync.airflow.
    store_sharing` refuses it at parse time too, where it can tell without a database read)."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    conn_id = aerosync_db_conn_id()
    try:
        engine = engine_for_connection(conn_id)
    except AirflowNotFoundException:
        engine = sqlite_engine(default_aerosync_db_path())
    executors = configured_executors()
    if engine.dialect.name == "sqlite" and refuses_sqlite(executors):
        store = f"a SQLite file ({where(engine)})"
        engine.dispose()
        raise StoreNotShared(
            "nothing was read, sent or recorded: " + not_shared_message(store, executors)
        )
    return engine


def _metadata_database_exists() -> bool:
    """Whether Airflow's metadata database can be read without creating it: a SQLite metadata
    database that is not there would be created (empty) by the first look-up in it."""
    from airflow.configuration import conf

    url = conf.get("database", "sql_alchemy_conn")
    if not url.startswith("sqlite:"):
        return True
    return Path(url.split(":///", 1)[-1].split("?", 1)[0]).is_file()


def read_connections_as_airflow_cli() -> None:
    """Let this process (a CLI, neither a task nor an Airflow server) find connections where a
    task or the Airflow UI finds them: environment variables, the configured secrets backend,
    and the connections stored in Airflow's metadata database.

    Outside a task the Task SDK's `BaseHook.get_connection` reads only the first two; Airflow 3
    keeps the metadata database for its server processes, which it marks with
    `_AIRFLOW_PROCESS_CONTEXT=server`. Airflow's own `airflow connections get` and `test` set
    it, so does this, unless that database is a SQLite file that is not there (the first
    look-up would create it, empty)."""
    if _metadata_database_exists():
        os.environ["_AIRFLOW_PROCESS_CONTEXT"] = "server"


def existing_aerosync_engine() -> Engine:
    """The aerosync database exactly as the tasks and the page find it (`aerosync_engine`), for a
    reader outside a task; it is never created: a missing AIRFLOW_HOME, SQLite file or folder is
    `StoreUnavailable`, naming the path and AIRFLOW_HOME."""
    home = airflow_home()
    context = f" (AIRFLOW_HOME={home})"
    if not home.is_dir():
        # Importing Airflow would create AIRFLOW_HOME (and its logs folder): look no further.
        raise StoreUnavailable(
            f"no aerosync database at {default_aerosync_db_path()}{context}: that AIRFLOW_HOME "
            "does not exist; set AIRFLOW_HOME to your Airflow's home, or pass --db"
        )
    from airflow.sdk.exceptions import AirflowNotFoundException

    read_connections_as_airflow_cli()
    conn_id = aerosync_db_conn_id()
    try:
        with warnings.catch_warnings():
            # A connection from the metadata database is the core model, whose `get_hook` warns
            # that it is deprecated for the Task SDK's: noise on a reader's terminal.
            warnings.simplefilter("ignore", FutureWarning)
            engine = engine_for_connection(conn_id)
    except AirflowNotFoundException:
        return existing_sqlite_engine(default_aerosync_db_path(), context)
    path = sqlite_file_of(engine)
    if path is not None and not path.is_file():
        engine.dispose()
        raise StoreUnavailable(
            f"no aerosync database at {path} (the file of connection {conn_id!r}, "
            f"AIRFLOW_HOME={home})"
        )
    return engine
