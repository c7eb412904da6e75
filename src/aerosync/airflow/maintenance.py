"""The `aerosync_maintenance` DAG: once a day, rows older than the companies file's `retention:`
rules are purged from the aerosync database, each table's purge audited (`aerosync_audit`).

Thin: the rules go into the task as its arguments at parse time (the DAG carries the rule it
applies), the purge is `aerosync.stores.retention`; the task only asks Airflow which runs whose
staging is old are still running (their staging stays).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, get_current_context

from aerosync.config.companies import CREW_DAG_PREFIX, UPLOAD_DAG_PREFIX
from aerosync.config.retention import Retention

MAINTENANCE_DAG_ID = "aerosync_maintenance"
START_DATE = datetime(2026, 1, 1, tzinfo=UTC)
_ACTIVE = ["queued", "running"]


def _doc(retention: Retention) -> str:
    rules = "\n".join(f"* `{key}`: {days}" for key, days in retention.model_dump().items())
    return f"""### AeroSync maintenance

Daily: deletes what the aerosync database holds beyond the `retention:` rules of the companies
file (days), one audit entry per table in `aerosync_audit` (rows deleted, cutoff):

{rules}

Kept whatever their age: each aircraft's latest status record, latest success and latest real
attempt, the validation results they point at, and the staging of runs still running. Migrates
the database first if it is behind (as every task that writes).
"""


def running_runs(context: Any, runs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (company, run id) are queued or running in either of its DAGs."""
    ti = context["ti"]
    active = set()
    for company, run_id in runs:
        for prefix in (UPLOAD_DAG_PREFIX, CREW_DAG_PREFIX):
            if ti.get_dr_count(dag_id=f"{prefix}{company}", run_ids=[run_id], states=_ACTIVE):
                active.add((company, run_id))
    return active


def purge_old_rows(retention: dict[str, int]) -> dict[str, int]:
    """The task: the purge, printed per table; XCom: rows deleted per table."""
    from aerosync.airflow.connections import aerosync_engine
    from aerosync.stores import retention as purging
    from aerosync.stores.migrate import ensure_migrated

    context = get_current_context()
    rules = Retention.model_validate(retention)
    now = datetime.now(UTC)
    engine = aerosync_engine()
    ensure_migrated(engine)
    running = running_runs(context, purging.old_staged_runs(engine, rules, now))
    for company, run_id in sorted(running):
        print(f"{company}: run {run_id} is still running: its staging stays")
    purged = purging.purge(engine, rules, now, context["run_id"], running)
    for item in purged:
        print(item)
    return {item.table: item.rows for item in purged}


def build_maintenance_dag(retention: Retention) -> DAG:
    with DAG(
        dag_id=MAINTENANCE_DAG_ID,
        description="Purge the aerosync database of rows older than the retention rules",
        schedule="@daily",
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args={
            "owner": "aerosync",
            "retries": 0,
            "execution_timeout": timedelta(minutes=30),
        },
        tags=["aerosync", "maintenance"],
        doc_md=_doc(retention),
    ) as dag:
        PythonOperator(
            task_id="purge_old_rows",
            python_callable=purge_old_rows,
            op_kwargs={"retention": retention.model_dump()},
            retries=0,
        )
    return dag
