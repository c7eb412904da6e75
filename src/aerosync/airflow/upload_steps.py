"""Task callables of the schedule-upload DAG; heavy imports stay inside them (parse-time cost)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airflow.sdk import get_current_context
from airflow.sdk.exceptions import AirflowFailException

from aerosync.airflow.connections import aerosync_engine
from aerosync.config import load_config
from aerosync.guards import Currency, run_currency


def currency_of(context: Any) -> Currency:
    """Whether this run is current (scheduled on time, or manual) or a backfill or late run,
    which uploads nothing (safety rule 4)."""
    dag_run = context["dag_run"]
    run_type = str(getattr(dag_run.run_type, "value", dag_run.run_type))
    return run_currency(run_type, dag_run.logical_date, datetime.now(UTC))


def record_status(company_id: str) -> dict[str, Any]:
    """Held aircraft get their record with every reason; the run fails if anything failed."""
    from aerosync.pipeline import Stores, step_record_status

    context = get_current_context()
    currency = currency_of(context)
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
