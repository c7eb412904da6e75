"""Task callables of the schedule-upload DAG; heavy imports stay inside them (parse-time cost)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

from airflow.sdk import get_current_context
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from aerosync.airflow.connections import aerosync_engine, engine_for_connection
from aerosync.config import load_config
from aerosync.guards import Currency, run_currency

EXTRACT_TASK_ID = "extract_normalise"


def _currency(context: Any) -> Currency:
    dag_run = context["dag_run"]
    run_type = str(getattr(dag_run.run_type, "value", dag_run.run_type))
    return run_currency(run_type, dag_run.logical_date, datetime.now(UTC))


def _as_of(context: Any) -> datetime:
    """The moment this run's schedule is read "as of": the extract's start, shared by all steps."""
    value = context["ti"].xcom_pull(task_ids=EXTRACT_TASK_ID, key="as_of")
    return datetime.fromisoformat(value) if value else datetime.now(UTC)


def extract_normalise(company_id: str) -> dict[str, Any]:
    """Read the sources and normalise what they gave in one task: the raw extract (46 MB of JSON
    for 400 aircraft) never leaves memory. A failing source is recorded and reported here, not
    raised: it holds the aircraft it feeds, and `record_status` fails the run for it."""
    from aerosync.airflow.lms_transport import bookings_reader
    from aerosync.pipeline import Stores, step_extract, step_normalise

    context = get_current_context()
    currency = _currency(context)
    if not currency.current:
        # Rule 4: a backfilled or late run sends nothing, and says why.
        raise AirflowSkipException(f"{company_id}: nothing uploaded: {currency.reason}")
    company = load_config(only=company_id).company(company_id)
    now = datetime.now(UTC)
    context["ti"].xcom_push(key="as_of", value=now.isoformat())
    stores = Stores.on(aerosync_engine())
    extracted = step_extract(
        company,
        lambda: engine_for_connection(company.fms.conn_id),
        stores,
        context["run_id"],
        now,
        bookings_reader(company),
    )
    summary = extracted.summary
    if "training_bookings" in summary:
        print(f"{company_id}: training bookings from the LMS: {summary['training_bookings']}")
    if summary["failed_sources"]:
        failed = ", ".join(summary["failed_sources"])
        print(f"{company_id}: source failed ({failed}); the aircraft it feeds will be held")
    normalised = step_normalise(company, stores, context["run_id"], now, extracted)
    print(f"{company_id}: extracted {summary}; normalised {normalised}")
    return {"extracted": summary, "normalised": normalised}


def validate(company_id: str) -> dict[str, Any]:
    from aerosync.pipeline import Stores, step_validate

    context = get_current_context()
    company = load_config(only=company_id).company(company_id)
    # Forked from a scheduler that preloaded it (aerosync.preload), or imported here (~2.6 s).
    inherited = "great_expectations" in sys.modules
    print(
        f"{company_id}: Great Expectations "
        + ("inherited from the scheduler" if inherited else "imported by this task")
    )
    summary = step_validate(
        company, Stores.on(aerosync_engine()), context["run_id"], _as_of(context)
    )
    if summary["outside_fleet"]:
        print(
            f"{company_id}: {summary['outside_fleet']} source row(s) concern aircraft that are not "
            "in this company's marketed fleet and were not sent:"
        )
        for message in summary["outside_fleet_findings"]:
            print(f"{company_id}:   {message}")
    return summary


def record_status(company_id: str) -> dict[str, Any]:
    """Held aircraft get their record with every reason; the run fails if anything failed."""
    from aerosync.pipeline import Stores, step_record_status

    context = get_current_context()
    currency = _currency(context)
    if not currency.current:
        print(f"{company_id}: nothing uploaded: {currency.reason}")
        return {"current": False, "reason": currency.reason}
    stores = Stores.on(aerosync_engine())
    summary = step_record_status(company_id, stores, context["run_id"])
    print(f"{company_id}: {summary.table()}")
    company = load_config(only=company_id).company(company_id)
    if company.alerts is not None:
        from aerosync.airflow.alert_notifier import send_alerts
        from aerosync.alerts import state_changes

        previous = stores.status.previous_outcomes(company_id, context["run_id"])
        events = state_changes(previous, summary.records)
        sent = send_alerts(company, events, context)
        print(f"{company_id}: {sent} of {len(events)} alert(s) sent")
    if summary.problems:
        raise AirflowFailException(f"{company_id}: " + "; ".join(summary.problems))
    return summary.counts
