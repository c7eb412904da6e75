"""The validation stack imported once by the Airflow scheduler, for task processes to inherit.

With the LocalExecutor, every task process is forked from an executor worker, itself forked from
the scheduler when it starts: what the scheduler has imported, every task has for free. Great
Expectations alone costs a `validate` task about 2.6 s of import on a small machine, in every run
of every company. `preload_in_scheduler()`, called from `airflow_local_settings.py` (which every
Airflow process imports at start), imports it (and reads the airport tables) in the scheduler and
nowhere else: the API server, the DAG processor (whose parse must stay light) and command-line
calls are left as they are.

With another executor (Celery, Kubernetes), task processes do not descend from the scheduler and
this changes nothing but the scheduler's start.
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
    to read, 0.3 s with `airportsdata.load`; a forked task inherits them read)."""
    from aerosync.airports import known_icao_codes

    known_icao_codes()


def preload_in_scheduler(argv: Sequence[str] | None = None) -> list[str]:
    """Import `PRELOADED` if this process is `airflow scheduler`; returns what it imported."""
    args = sys.argv if argv is None else argv
    if list(args[1:2]) != ["scheduler"]:
        return []
    for name in PRELOADED:
        importlib.import_module(name)
    _warm()
    return list(PRELOADED)
