"""The aerosync database must be shared by every process that runs a task: a SQLite file serves
one machine, so with any executor but the LocalExecutor it is refused, at parse time (no company
DAG, and `aerosync_config_problems` says why) and again when a task opens it.

At parse time nothing is connected to. The `aerosync_db` connection is read from the environment
(`AIRFLOW_CONN_AEROSYNC_DB`, parsed here: no I/O) first. Only when it is not there, the executor is
not the LocalExecutor and this is the DAG processor's parse of the whole folder (never a task's
parse of its own DAG), Airflow is asked once (`BaseHook.get_connection`: the secrets backend,
then Airflow's database through the DAG processor; `[secrets] use_cache` caches it): the one
database read a parse may make, for deployments that keep the connection there. A task's parse
skips it; the task itself refuses a SQLite store when it opens it
(`aerosync.airflow.connections.aerosync_engine`).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

from aerosync.airflow.connections import (
    aerosync_db_conn_id,
    configured_executors,
    default_aerosync_db_path,
)
from aerosync.stores.database_check import not_shared_message, refuses_sqlite

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreSeen:
    """What parse time can tell of the aerosync database without opening it."""

    sqlite: bool
    description: str  # in words: which file or connection


def _from_environment(conn_id: str) -> StoreSeen | None:
    """The connection as `AIRFLOW_CONN_<ID>` gives it (JSON or URI), parsed locally."""
    value = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if not value:
        return None
    if value.lstrip().startswith("{"):
        fields = json.loads(value)
        kind, host = str(fields.get("conn_type") or ""), str(fields.get("host") or "")
    else:
        kind, _, rest = value.partition("://")
        host = rest.split("?", 1)[0]
    if kind.lower().startswith("sqlite"):
        return StoreSeen(True, f"a SQLite file ({host or 'in memory'}, connection {conn_id})")
    return StoreSeen(False, f"connection {conn_id} ({kind})")


def _from_airflow(conn_id: str) -> StoreSeen | None:
    """The connection as Airflow finds it (secrets backend, then its database); None if it
    cannot tell (then the tasks refuse a SQLite store when they open it)."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        path = default_aerosync_db_path()
        return StoreSeen(
            True, f"a SQLite file in each AIRFLOW_HOME (no connection {conn_id}: {path})"
        )
    except Exception as exc:  # unreachable backend: decided when a task opens the store
        log.warning("AeroSync: could not look up connection %s at parse time: %s", conn_id, exc)
        return None
    if (conn.conn_type or "").startswith("sqlite"):
        return StoreSeen(True, f"a SQLite file ({conn.host or 'in memory'}, connection {conn_id})")
    return StoreSeen(False, f"connection {conn_id} ({conn.conn_type})")


def parse_time_refusal(whole_folder: bool) -> str | None:
    """Why no company DAG can be built with this executor and aerosync database, or None.
    `whole_folder`: the DAG processor's parse (not a task's), which may ask Airflow."""
    executors = configured_executors()
    if not refuses_sqlite(executors):
        return None
    conn_id = aerosync_db_conn_id()
    seen = _from_environment(conn_id)
    if seen is None and whole_folder:
        seen = _from_airflow(conn_id)
    if seen is None or not seen.sqlite:
        return None
    return not_shared_message(seen.description, executors)
