"""One daily training-records DAG per company with `training.records` in the companies file.

    extract_<source> ─> validate ─> load ─> export_status     ─> retention ─> finish
    (one per source,    │                    export_regulatory
     extract_flights:   │                    post_ebt (each when configured)
     the FMS's crew     │
     on legs)           │
                        └─> alert (with `alerts:`; whatever happened: a failed source, new
                                   quarantined rows)

`load` has one Airflow asset per crew table it writes as outlets (`aerosync.airflow.assets`), each
export task its export's: the readiness export is a DAG of its own scheduled on those table
assets (`aerosync.airflow.readiness_dag`), so it runs when its inputs change.

The timetable has real data intervals (03:00 UTC to 03:00 UTC): each run reads the rows of its
window, so `airflow backfill create` over months loads every window once. Only the config is read
at parse time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import DAG, AssetOrTimeSchedule, CronDataIntervalTimetable, TriggerRule

from aerosync.airflow import assets, crew_exports, crew_tasks, regulatory_task
from aerosync.airflow.crew_events import crew_events_asset
from aerosync.airflow.crew_operator import CrewStepOperator
from aerosync.config.companies import CompanyConfig
from aerosync.config.training import RecordsSync
from aerosync.crew.tables import configured_sources

# Backfills may reach back this far (rows older than the retention period are not loaded).
TRAINING_START_DATE = datetime(2020, 1, 1, tzinfo=UTC)


def _doc(company: CompanyConfig, records: RecordsSync, sources: list[str]) -> str:
    outs = []
    if records.export_to:
        outs.append(f"a training-status CSV per run to `{records.export_to}`")
    if records.post_ebt_to:
        outs.append(f"EBT results as xAPI statements to connection `{records.post_ebt_to.conn_id}`")
    if records.regulatory:
        outs.append(
            "FAA PRD training events, EASA training records and an expiring report (CSV, JSON) "
            f"to `{records.regulatory.export_to}`"
        )
    flights = ""
    if records.flights is not None:
        flights = (
            f"\n\n`extract_flights` reads the crew on the legs flown from the FMS (connection "
            f"`{company.fms.conn_id}`, dialect `{company.fms.dialect}`'s `crew_legs.sql`): legs "
            f"whose on-block time lies in the window or the {records.flights.lookback_days} "
            "day(s) before it, so crew entered late still arrive, into `training_leg_crew` "
            "(role, pilot flying, block time, take-offs and landings by day and night; a "
            "cancelled leg, or one of a QUOTED, OPTION or CANCELLED trip, counts for nothing). "
            f"They are kept {records.flights.retention_days} days (flight and duty records)."
        )
    alerting = ""
    if company.alerts is not None:
        alerting = (
            "\n\nThe task `alert` tells the company's alert channels "
            f"({', '.join(company.alerts.channels)}) once per run that could not read a source or "
            "quarantined new rows, naming each row by its source and line, never its values."
        )
    events = records.events
    if events is not None:
        starts = []
        if events.redis_conn_id:
            starts.append(
                f"an LMS or HRIS event on Redis channel `{events.channel_of(company.id)}`"
            )
        if events.ready_markers:
            starts.append("a `_READY` marker in a drop folder (deleted; the data files stay)")
        alerting += (
            f"\n\nAlso started within seconds by {' or '.join(starts)}, debounced "
            f"{events.debounce_seconds:g} s: such a run syncs the current window up to the event "
            "and writes out only what earlier runs of the window did not (docs/events.md)."
        )
    return f"""
### Training records sync: {company.name}

Daily, for the window 03:00 UTC to 03:00 UTC before each run: reads {", ".join(sources)}, checks
every row with the Great Expectations suites `expectations/training_*.json` (refused rows go to
the table `training_quarantine` with their reasons; the others load), upserts employees (with
effective-dated history), the LMS's course catalog, training records (their expiry from the
catalog), enrolments, qualifications, EBT gradings, flights flown and roster duties by natural key
into the aerosync database, auditing every change in `training_audit`; then writes
{"; ".join(outs) or "nothing out"}, and purges records older than {records.retention_days} days
(flights flown and roster duties: {records.source_retention_days()["roster"]} days;
audited).{flights}{alerting}{_readiness_doc(company, records)}

Re-running a window changes nothing. Historical load:
`airflow backfill create --dag-id {company.crew_dag_id} --from-date 2026-01-01
--to-date 2026-03-31`.
"""


def _readiness_doc(company: CompanyConfig, records: RecordsSync) -> str:
    if not records.readiness:
        return ""
    return (
        "\n\nCrew readiness per pilot and type (CSV, JSON to "
        f"`{records.readiness.export_to}`) is exported by the DAG `{company.readiness_dag_id}`, "
        "which runs whenever `load` has loaded the crew tables it reads (Airflow assets)."
    )


def _reaching_the_fms(company: CompanyConfig, source: str) -> dict[str, Any]:
    """`extract_flights` reads the FMS: it goes to the company's own queue, whose workers reach
    the FMS, when the sync's tasks go elsewhere (`records.queue`)."""
    return {"queue": company.queue} if source == "flights" and company.queue else {}


def crew_schedule(company: CompanyConfig) -> Any:
    """Daily windows; with `training.records.events`, also whenever the company's crew-events
    asset gets an event (`aerosync.airflow.crew_events`): such a run is the incremental sync of
    the current window (`crew_tasks.window_of`)."""
    daily = CronDataIntervalTimetable(crew_tasks.TRAINING_CRON, timezone="UTC")
    events = crew_events_asset(company)
    return daily if events is None else AssetOrTimeSchedule(timetable=daily, assets=events)


def build_training_dag(company: CompanyConfig) -> DAG | None:
    records = company.training.records if company.training else None
    if records is None:
        return None
    sources = configured_sources(records)
    kwargs: dict[str, Any] = {"company_id": company.id}
    with DAG(
        dag_id=company.crew_dag_id,
        description=f"Sync {company.name}'s crew training records (HRIS, LMS, crew, EBT)",
        schedule=crew_schedule(company),
        start_date=TRAINING_START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args={
            "owner": company.owner,
            "retries": 0,
            "execution_timeout": timedelta(minutes=records.task_timeout_minutes),
            **company.crew_task_placement(),  # queue, pool, priority_weight
        },
        tags=["aerosync", "training-sync", f"company:{company.id}"],
        doc_md=_doc(company, records, sources),
    ) as dag:
        extracts = [
            CrewStepOperator(
                task_id=f"extract_{source}",
                python_callable=crew_tasks.extract,
                op_kwargs={**kwargs, "source": source},
                retries=0,
                **_reaching_the_fms(company, source),
            )
            for source in sources
        ]
        with_sources = {**kwargs, "sources": sources}
        validate = CrewStepOperator(
            task_id="validate",
            python_callable=crew_tasks.validate,
            op_kwargs=with_sources,
            retries=0,
        )
        load = CrewStepOperator(
            task_id="load",
            python_callable=crew_tasks.load,
            op_kwargs=with_sources,
            retries=0,
            outlets=assets.load_assets(company.id, sources),
        )
        retention = CrewStepOperator(
            task_id="retention",
            python_callable=crew_tasks.retention,
            op_kwargs=kwargs,
            retries=0,
        )
        finish = CrewStepOperator(
            task_id="finish",
            python_callable=crew_tasks.finish,
            op_kwargs=with_sources,
            retries=0,
        )
        outs = []
        if records.export_to:
            outs.append(
                CrewStepOperator(
                    task_id="export_status",
                    retries=0,
                    op_kwargs=kwargs,
                    python_callable=crew_exports.export_status,
                    outlets=[assets.training_status_asset(company.id)],
                )
            )
        if records.regulatory:
            outs.append(
                CrewStepOperator(
                    task_id="export_regulatory",
                    retries=0,
                    op_kwargs=kwargs,
                    python_callable=regulatory_task.export_regulatory,
                    outlets=assets.regulatory_export_assets(company.id),
                )
            )
        if records.post_ebt_to and records.ebt_gradings:
            outs.append(
                CrewStepOperator(
                    task_id="post_ebt",
                    retries=0,
                    op_kwargs=kwargs,
                    python_callable=crew_exports.post_ebt,
                    outlets=[assets.ebt_results_asset(company.id)],
                )
            )
        extracts >> validate >> load
        if outs:
            load >> outs >> retention
        else:
            load >> retention
        retention >> finish
        if company.alerts is not None:
            # Beside the chain, not after it: the run's state still comes from `finish`.
            alert = CrewStepOperator(
                task_id="alert",
                python_callable=crew_tasks.alert,
                op_kwargs=with_sources,
                retries=0,
                trigger_rule=TriggerRule.ALL_DONE,
            )
            [*extracts, validate] >> alert
    return dag
