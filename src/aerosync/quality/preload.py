"""The validation stack imported once by the process task processes descend from, for them to
inherit: the Airflow scheduler (LocalExecutor) or each Celery worker (CeleryExecutor).

With the LocalExecutor, every task process is forked from an executor worker, itself forked from
the scheduler when it starts: what the scheduler has imported, every task has for free. Great
Expectations alone costs a `validate` task about 2.6 s of import on a small machine, in every run
of every company. `preload_in_scheduler()`, called from `airflow_local_settings.py` (which every
Airflow process imports at start), imports it (and reads the airport tables) in the scheduler and
nowhere else: the API server, the DAG processor (whose parse must stay light) and command-line
calls are left as they are.

With the CeleryExecutor, a task process is forked by the task supervisor, which runs in a process
of the worker's pool (prefork: forked from the worker's main process when the pool starts; solo,
threads: the main process itself). `airflow celery worker` imports `airflow_local_settings.py`
in that main process before `worker_main` starts the pool, so importing the stack there, once per
worker, gives it to every pool process and every task (Celery's `worker_process_init` would import
it again in each pool process). With the KubernetesExecutor every task is a fresh pod: nothing is
inherited, and `build_schedules` imports the stack itself.

Which process preloaded is kept in `PRELOADED_BY`, which forked tasks inherit with the modules:
the `build_schedules` log says "inherited from the scheduler", "inherited from the Celery worker"
or "imported by this task".
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

# What the build_schedules task imports to validate (its steps import pandas and SQLAlchemy;
# `schedule.build` imports extract, decisions and plan),
# then what every task of the upload DAG imports on its own otherwise: the DAG factory its DAG file
# parses, the hooks of the aerosync database and the FMS (PostgreSQL: psycopg, sqlparse; about
# 0.06 s a task when measured forked from a scheduler), the marketplace's and the LMS's.
# Importing these starts no thread, so forking after them is safe.
PRELOADED = (
    "great_expectations",
    "great_expectations.core.expectation_suite",
    "great_expectations.data_context.types.base",
    "great_expectations.validator.v1_validator",
    "aerosync.schedule.build",
    "aerosync.schedule.upload",
    "aerosync.schedule.record",
    "aerosync.stores.validation",
    "aerosync.airflow.dag_factory",
    "aerosync.airflow.avinode_hook",
    "aerosync.airflow.bookings_transport",
    "airflow.providers.postgres.hooks.postgres",
    "airflow.providers.sqlite.hooks.sqlite",
)


def _warm() -> None:
    """Tables every normalise and validate reads once per process: the airport codes (0.04 s
    to read, 0.3 s with `airportsdata.load`; a forked task inherits them read), and GX's Data
    Docs templates."""
    from aerosync.airports import known_icao_codes
    from aerosync.quality.data_docs_views import warm_templates

    known_icao_codes()
    # GX's Data Docs templates compiled (about 0.2 s once): a task that keeps its validation's
    # Data Docs (`aerosync.quality.data_docs`) then renders without compiling them, which
    # halves what they cost it (`benchmarks/bench_data_docs.py`).
    warm_templates()


SCHEDULER, CELERY_WORKER = "scheduler", "Celery worker"
# The process that imported `PRELOADED` (None: none did); a forked task process inherits it.
PRELOADED_BY: str | None = None


def preloading_process(argv: Sequence[str]) -> str | None:
    """`SCHEDULER` for `airflow scheduler`, `CELERY_WORKER` for `airflow celery worker`, else
    None (the API server, the DAG processor, a task, any other command)."""
    command = list(argv[1:3])
    if command[:1] == ["scheduler"]:
        return SCHEDULER
    if command == ["celery", "worker"]:
        return CELERY_WORKER
    return None


def preload_for_tasks(argv: Sequence[str] | None = None) -> list[str]:
    """Import `PRELOADED` if this process is one task processes descend from (the scheduler, a
    Celery worker); returns what it imported."""
    global PRELOADED_BY
    process = preloading_process(sys.argv if argv is None else argv)
    if process is None:
        return []
    for name in PRELOADED:
        importlib.import_module(name)
    _warm()
    PRELOADED_BY = process
    return list(PRELOADED)


# The name installations' `airflow_local_settings.py` already call: the same preload.
preload_in_scheduler = preload_for_tasks
