"""What the DAG file calls: every company's DAGs or, in a task's parse, its own DAG, with
Python's garbage collector paused from the first AeroSync import to the DAG.

Why: every task instance parses the DAG file again, and in a fresh process the collector walks
every object Airflow has imported, again and again, while the DAG file imports AeroSync: a
task's parse of its company's DAG took 0.18-0.20 s with it and 0.07-0.08 s without
(benchmarks/RESULTS.md, issue 17). Importing makes no garbage worth collecting, and the
collector is back as it was when the DAG is returned. The folder's parse (every company's DAGs)
is not paused here: the collector's first pass after thousands of DAGs then walked the imports
too and cost 0.5 s more at 10,000 companies than it saved; `dag_factory` pauses it there only
while the companies file is read and the DAGs are built.

Kept apart from `dag_factory` so that importing this module imports almost nothing new.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from airflow.sdk import get_parsing_context

from aerosync.collector import collector_paused

if TYPE_CHECKING:
    from airflow.sdk import DAG


def company_dags(dag_file: str) -> dict[str, DAG]:
    """`build_all_dags(dag_file)`; in a task's parse with its imports under a paused collector."""
    in_a_task = get_parsing_context().dag_id is not None
    paused: AbstractContextManager[None] = collector_paused() if in_a_task else nullcontext()
    with paused:
        from aerosync.airflow.dag_factory import build_all_dags

        return build_all_dags(dag_file)
