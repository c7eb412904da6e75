"""One schedule-upload DAG per company of the companies file.

Parse-time cost matters (a DAG folder may hold hundreds of companies and is parsed again by every
task): only the config is read here; pandas, Great Expectations, SQL and HTTP stay in task code.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, TriggerRule, get_parsing_context, task

from aerosync.airflow import assets, upload_steps
from aerosync.airflow.crew_dag import build_training_dag
from aerosync.airflow.maintenance import MAINTENANCE_DAG_ID, build_maintenance_dag
from aerosync.airflow.operators import BuildSchedulesOperator, UploadSchedulesOperator
from aerosync.airflow.readiness_dag import build_readiness_dag
from aerosync.airflow.store_sharing import parse_time_refusal
from aerosync.collector import collector_paused
from aerosync.config.companies import (
    CREW_DAG_PREFIX,
    READINESS_DAG_PREFIX,
    UPLOAD_DAG_PREFIX,
    CompanyConfig,
)
from aerosync.config.companies_file import LoadedConfig, load_config

log = logging.getLogger(__name__)
START_DATE = datetime(2026, 1, 1, tzinfo=UTC)
# Lists refused companies and warnings of the companies file (or says there is none).
CONFIG_PROBLEMS_DAG_ID = "aerosync_config_problems"


def _training_doc(company: CompanyConfig) -> str:
    bookings = company.training.bookings if company.training is not None else None
    if bookings is None:
        return ""
    where = f"connection `{bookings.rest.conn_id}`" if bookings.rest else "a CSV file drop"
    covers = ", ".join(bookings.tails) if bookings.tails else "every aircraft"
    return (
        f"\n* Training bookings from the LMS ({where}) are sent as `Training` activities; a "
        f"failed or stale LMS holds the aircraft it books ({covers})."
    )


def _ams_doc(company: CompanyConfig) -> str:
    ams = company.ams
    if ams is None:
        return ""
    covers = ", ".join(ams.tails) if ams.tails else "every aircraft"
    return (
        f"\n* Maintenance and AOG from the AMS ({ams.transport}) are sent as occupied "
        f"`Maintenance` and `AOG` activities; a failed or stale AMS holds the aircraft it covers "
        f"({covers})."
    )


def _doc(company: CompanyConfig) -> str:
    overrides = ", ".join(f"{t} → `{c}`" for t, c in sorted(company.aircraft_connections.items()))
    return f"""
### Schedule upload: {company.name}

Reads `{company.id}`'s fleet management system (connection `{company.fms.conn_id}`, dialect
`{company.fms.dialect}`), checks every activity with the Great Expectations suites, and sends each
marketed aircraft's **complete** schedule to the Avinode Marketplace (`PUT /schedules`) through
connection `{company.marketplace_conn_id}`{f" (per aircraft: {overrides})" if overrides else ""}.

* No retries, ever: a failed call is recorded and the next run sends the whole schedule again.
* An aircraft whose data is doubtful is **held**: nothing is sent and its previous marketplace
  schedule stays. An aircraft sent less than 5 minutes ago is **skipped**.
* Backfilled or late runs upload nothing.{_training_doc(company)}{_ams_doc(company)}

Tasks: `build_schedules` reads the sources, normalises, validates and plans the upload (its log
groups each step); `upload` runs once per batch of aircraft, labelled with their tails;
`record_status` records every aircraft (held, unknown, not attempted) and fails the run if any
aircraft failed or is unknown, a source failed or a task crashed.

Status per aircraft: `aerosync status --company {company.id}` or the *Schedule uploads* page.
"""


def build_upload_dag(company: CompanyConfig, batch_size: int | None = None) -> DAG:
    """The company's schedule-upload DAG; `batch_size` overrides its `upload_batch_size`."""
    default_args: dict[str, Any] = {
        "owner": company.owner,
        "retries": 0,
        "execution_timeout": company.task_timeout,  # rule 6: no task waits for ever
        **company.task_placement(),  # queue, pool, priority_weight
    }
    with DAG(
        dag_id=company.dag_id,
        description=f"Upload {company.name}'s aircraft schedules to the Avinode Marketplace",
        schedule=company.schedule_value,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=default_args,
        tags=["aerosync", "schedule-upload", f"company:{company.id}"],
        doc_md=_doc(company),
    ) as dag:
        # Classic operators, not @task: a thousand companies' DAGs parse in under 2 s only
        # without the decorator's per-task signature inspection.
        build = BuildSchedulesOperator(
            task_id="build_schedules",
            company_id=company.id,
            batch_size=batch_size or company.upload_batch_size,
            retries=0,
        )
        upload = UploadSchedulesOperator.partial(
            task_id="upload",
            company_id=company.id,
            retries=0,
            map_index_template="{{ task.batch['label'] }}",
        ).expand(batch=build.output)
        # The schedules asset is record_status's outlet, not upload's: upload is mapped (one
        # event per batch, none at all for a run with no batch), while record_status runs once
        # per run whatever happened upstream and knows every aircraft's outcome, so its one event
        # says how many were sent, held or skipped. Its success is the run's: a run with a failed
        # aircraft emits none, and a backfilled or late run's event says nothing was sent.
        record_status = PythonOperator(
            task_id="record_status",
            python_callable=upload_steps.record_status,
            op_kwargs={"company_id": company.id},
            retries=0,
            trigger_rule=TriggerRule.ALL_DONE,
            outlets=[assets.schedules_asset(company.id)],
        )
        upload >> record_status
    return dag


def _problems_doc(loaded: LoadedConfig, store_refusal: str | None = None) -> str:
    where = f"`{loaded.path}`" if loaded.path else "no companies file"
    parts = [f"### AeroSync configuration: {where}"]
    if store_refusal:
        parts.append(
            f"**Refused: no company has a DAG.** {store_refusal[:1].upper()}{store_refusal[1:]}"
        )
    if loaded.problems:
        refused = "\n".join(f"* {problem}" for problem in loaded.problems)
        parts.append(f"**Refused** (these companies have no DAG):\n\n{refused}")
    if loaded.warnings:
        warned = "\n".join(f"* {warning}" for warning in loaded.warnings)
        parts.append(f"**Warnings** (these companies run; check that this is meant):\n\n{warned}")
    parts.append(
        "Fix the file and save it; this DAG goes when nothing is left to say. "
        "`aerosync config check` shows the same."
    )
    return "\n\n".join(parts)


def config_problems_dag(loaded: LoadedConfig, store_refusal: str | None = None) -> DAG | None:
    """A visible, never-scheduled DAG that lists refused companies (its task fails) and warnings
    (with warnings only, its task succeeds), so nobody misses either; `store_refusal` says why
    no company has a DAG at all (`store_sharing.parse_time_refusal`)."""
    if not loaded.problems and not loaded.warnings and not store_refusal:
        return None
    tags = ["aerosync"]
    tags += ["config-problem"] if loaded.problems or store_refusal else []
    tags += ["config-warning"] if loaded.warnings else []
    with DAG(
        dag_id=CONFIG_PROBLEMS_DAG_ID,
        description="Refused companies and warnings of the AeroSync companies file",
        schedule=None,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args={
            "owner": "aerosync",
            "retries": 0,
            "execution_timeout": timedelta(minutes=5),
        },
        tags=tags,
        doc_md=_problems_doc(loaded, store_refusal),
    ) as dag:

        @task(task_id="report_problems", retries=0)
        def report_problems(problems: list[str], warnings: list[str]) -> None:
            for warning in warnings:
                print(f"warning: {warning}")
            if problems:
                raise ValueError("refused companies:\n" + "\n".join(problems))

        refused = [f"every company refused: {store_refusal}"] if store_refusal else []
        report_problems(
            [*refused, *(str(p) for p in loaded.problems)], [str(w) for w in loaded.warnings]
        )
    return dag


def build_all_dags(dag_file: str | Path | None = None) -> dict[str, DAG]:
    """Every company's DAGs (schedule upload; training sync and readiness where configured), in
    sorted order, and the `aerosync_maintenance` DAG where a companies file was found (its
    retention rules); only the running task's own DAG when in a task.

    `dag_file` is the DAG file calling (its `__file__`): the companies file may lie beside it
    (`aerosync_companies.yaml`) when `AEROSYNC_CONFIG` is not set."""
    wanted = get_parsing_context().dag_id
    only = None
    for prefix in (UPLOAD_DAG_PREFIX, CREW_DAG_PREFIX, READINESS_DAG_PREFIX):
        if wanted and wanted.startswith(prefix):
            only = wanted.removeprefix(prefix)
    if wanted == MAINTENANCE_DAG_ID:
        only = "*"  # no company id: the task needs the file's retention rules only
    dag_folder = Path(dag_file).resolve().parent if dag_file is not None else None
    loaded = load_config(only=only, dag_folder=dag_folder)
    for problem in loaded.problems:
        log.error("AeroSync configuration: %s", problem)
    for warning in loaded.warnings:
        log.warning("AeroSync configuration: %s", warning)
    # A task's parse of a company DAG skips what only the folder's parse may ask Airflow (the
    # task refuses an unshared store itself); the problems DAG's own task must see its refusal.
    store_refusal = None
    if wanted in (None, CONFIG_PROBLEMS_DAG_ID) or loaded.companies:
        store_refusal = parse_time_refusal(whole_folder=wanted in (None, CONFIG_PROBLEMS_DAG_ID))
    if store_refusal:
        log.error("AeroSync: no company DAG: %s", store_refusal)
    dags: dict[str, DAG] = {}
    # 10,000 companies' DAGs are millions of objects: the garbage collector walking them again
    # and again cost a quarter of the folder's parse (benchmarks/RESULTS.md).
    with collector_paused():
        for company in [] if store_refusal else loaded.companies:
            if wanted is None or wanted == company.dag_id:
                dags[company.dag_id] = build_upload_dag(company)
            if wanted is None or wanted == company.crew_dag_id:
                training = build_training_dag(company)  # None without training.records
                if training is not None:
                    dags[training.dag_id] = training
            if wanted is None or wanted == company.readiness_dag_id:
                readiness = build_readiness_dag(company)  # None without records.readiness
                if readiness is not None:
                    dags[readiness.dag_id] = readiness
    # The maintenance DAG writes the store too: refused with the companies' DAGs.
    if wanted in (None, MAINTENANCE_DAG_ID) and loaded.path is not None and not store_refusal:
        dags[MAINTENANCE_DAG_ID] = build_maintenance_dag(loaded.retention)
    if wanted in (None, CONFIG_PROBLEMS_DAG_ID):
        problems = config_problems_dag(loaded, store_refusal)
        if problems is not None:
            dags[problems.dag_id] = problems
    return dags
