"""One crew readiness DAG per company with `training.records.readiness`, run when its inputs
change: scheduled on the crew-table assets readiness reads (`assets.readiness_schedule`), not on a
clock.

    [crew table loads of the training-sync DAG] ─(any)─> export_readiness ─> [readiness asset]

A run computes readiness as of the end of every window its triggering asset events name (the
`window_end` of their `extra`, written by the crew DAG's `load`), once per distinct end, oldest
first: Airflow gathers every event since the DAG's previous asset-triggered run into the next run
(a backfill's runs emit events like any other, so 30 backfilled windows may arrive as a handful of
readiness runs), and each window's end still gets its own readiness, in date order. Asset-
triggered runs have no data interval, hence the window from the events. Events emitted while this
DAG is paused queue nothing, but the next run after the unpause gathers them too (its events are
all those since the previous asset-triggered run). A manual run without events computes as of the
last complete window. Only the config is read at parse time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import DAG, get_current_context

from aerosync.airflow import assets
from aerosync.airflow.crew_dag import TRAINING_START_DATE
from aerosync.airflow.crew_operator import CrewStepOperator
from aerosync.config.companies import CompanyConfig
from aerosync.crew.tables import BY_SOURCE, configured_sources

if TYPE_CHECKING:
    from pydantic import JsonValue


def _doc(company: CompanyConfig, inputs: list[str]) -> str:
    records = company.training.records if company.training else None
    readiness = records.readiness if records else None
    assert readiness is not None
    tables = ", ".join(f"`{BY_SOURCE[s].table}`" for s in inputs)
    post = (
        f" and `POST`s it page by page to connection `{readiness.post_to.conn_id}`"
        if readiness.post_to
        else ""
    )
    return f"""
### Crew readiness: {company.name}

Runs when the training-sync DAG `{company.crew_dag_id}` loads any of {tables} (the crew tables
readiness reads, as Airflow assets `aerosync://{company.id}/crew/<table>`), not on a clock.
`export_readiness` computes readiness per pilot and type on the last day of each window those
loads were for (from the store as of the window's end, so a backfilled window reproduces what
held then), oldest first, writes CSV and JSON to `{readiness.export_to}`{post}, and records each
export on the Crew sync page. Never retried: a failed window stops the run; clearing it computes
its windows again (each export replaces its day's). A manual run computes the last complete
window. Its output is the asset `aerosync://{company.id}/exports/readiness`.
"""


def build_readiness_dag(company: CompanyConfig) -> DAG | None:
    records = company.training.records if company.training else None
    if records is None or records.readiness is None:
        return None
    sources = configured_sources(records)
    inputs = assets.readiness_input_sources(records, sources)
    with DAG(
        dag_id=company.readiness_dag_id,
        description=f"Export {company.name}'s crew readiness when its crew tables are loaded",
        schedule=assets.readiness_schedule(company.id, records, sources),
        start_date=TRAINING_START_DATE,
        catchup=False,
        max_active_runs=1,  # window ends in date order, one run after the other
        default_args={
            "owner": company.owner,
            "retries": 0,
            "execution_timeout": timedelta(minutes=records.task_timeout_minutes),
            **company.crew_task_placement(),  # queue, pool, priority_weight
        },
        tags=["aerosync", "training-sync", "readiness", f"company:{company.id}"],
        doc_md=_doc(company, inputs),
    ) as dag:
        CrewStepOperator(
            task_id="export_readiness",
            python_callable=export_readiness,
            op_kwargs={"company_id": company.id},
            retries=0,
            outlets=[assets.readiness_asset(company.id)],
        )
    return dag


def event_windows(extras: Iterable[Mapping[str, Any]]) -> list[tuple[datetime, datetime]]:
    """(start, end) of each distinct window end the events name, oldest first; an event without
    a readable window (one posted through the REST API by hand) names none."""
    found: dict[datetime, datetime] = {}
    for extra in extras:
        try:
            start = datetime.fromisoformat(str(extra[assets.WINDOW_START])).astimezone(UTC)
            end = datetime.fromisoformat(str(extra[assets.WINDOW_END])).astimezone(UTC)
        except (KeyError, TypeError, ValueError):
            continue
        if start < end:
            found[end] = min(found.get(end, start), start)
    return [(found[end], end) for end in sorted(found)]


def _triggering_extras(context: Any) -> list[Mapping[str, Any]]:
    events = context.get("triggering_asset_events") or {}
    return [event.extra or {} for asset in events for event in events[asset]]


def export_readiness(company_id: str) -> dict[str, Any]:
    """Readiness as of each window end of the triggering events (`event_windows`), or of the last
    complete window; its asset event's `extra` gives the days and counts, never an employee."""
    from aerosync.airflow.crew_tasks import TRAINING_CRON, records_of, training_stores
    from aerosync.airflow.readiness_task import run_readiness_export
    from aerosync.crew.sources import Window, last_complete_window

    context = get_current_context()
    records = records_of(company_id)
    found = event_windows(_triggering_extras(context))
    windows = [Window(start, end) for start, end in found] or [
        last_complete_window(TRAINING_CRON, datetime.now(UTC))
    ]
    print(f"{company_id}: readiness for {len(windows)} window end(s), oldest first")
    run_log = training_stores().run_log
    exported = []
    for window in windows:  # a failure stops here: a later day never goes out before an earlier
        summary = run_readiness_export(company_id, records, window, run_log, context["run_id"])
        exported.append(summary)
    days: list[JsonValue] = [str(summary["as_of"]) for summary in exported]
    extra: dict[str, JsonValue] = {
        **assets.window_extra(windows[-1]),
        "days": days,
        **assets.counts_extra({"listed": exported[-1].get("listed", 0)}),
    }
    context["outlet_events"][assets.readiness_asset(company_id)].extra = extra
    return {"windows": len(exported), "days": days, "exports": exported}
