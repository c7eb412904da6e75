"""Task callables of the schedule-upload DAG; heavy imports stay inside them (parse-time cost)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk import get_current_context
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from aerosync.airflow.assets import schedules_asset
from aerosync.airflow.connections import aerosync_engine
from aerosync.airflow.task_config import task_company
from aerosync.schedule.guards import Currency, run_currency

if TYPE_CHECKING:
    from aerosync.schedule.record import TaskCrashes

# The XCom key under which a crashed task leaves its one-line error for `record_status`.
TASK_ERROR_KEY = "error"


def currency_of(context: Any) -> Currency:
    """Whether this run is current (scheduled on time, or manual) or a backfill or late run,
    which uploads nothing (safety rule 4)."""
    dag_run = context["dag_run"]
    run_type = str(getattr(dag_run.run_type, "value", dag_run.run_type))
    return run_currency(run_type, dag_run.logical_date, datetime.now(UTC))


@contextlib.contextmanager
def error_left_for_record_status(context: Any, company_id: str) -> Iterator[None]:
    """A task that raises leaves its error (one safe line, `task_error_text`, redacted of every
    secret of the company's connections) in XCom for `record_status`, then raises it as it was.
    A skip is not an error."""
    try:
        yield
    except AirflowSkipException:
        raise
    except Exception as exc:
        from aerosync.schedule.record import task_error_text

        with contextlib.suppress(Exception):  # never hide the error itself
            secrets = _company_secrets(company_id, context)
            context["ti"].xcom_push(key=TASK_ERROR_KEY, value=task_error_text(exc, secrets))
        raise


def _company_secrets(company_id: str, context: Any) -> list[str]:
    from aerosync.airflow.masking import company_secrets

    try:
        return company_secrets(task_company(company_id, context))
    except Exception:  # a connection that cannot be read has no secret to redact here
        return []


def task_crashes(context: Any) -> TaskCrashes:
    """The run's upstream tasks that failed or were upstream_failed (`record.crashes_of`),
    from Airflow's task states and the errors the tasks left in XCom."""
    from aerosync.models import Batch
    from aerosync.schedule.record import UPSTREAM_TASKS, crashes_of

    ti = context["ti"]
    states = ti.get_task_states(
        dag_id=ti.dag_id, run_ids=[ti.run_id], task_ids=list(UPSTREAM_TASKS)
    ).get(ti.run_id, {})
    return crashes_of(
        states,
        lambda: [
            Batch.from_dict(batch)
            for batch in ti.xcom_pull(task_ids="build_schedules", map_indexes=-1, default=None)
            or []
        ],
        lambda task_id, index: ti.xcom_pull(
            task_ids=task_id, key=TASK_ERROR_KEY, map_indexes=index, default=None
        ),
    )


def record_status(company_id: str) -> dict[str, Any]:
    """Every aircraft gets its record, whatever happened upstream; the run fails if any aircraft
    failed or has an unknown outcome, a source failed, or a task crashed (safety rule 7)."""
    from aerosync.schedule.record import step_record_status, task_error_text
    from aerosync.schedule.stages import Stores
    from aerosync.stores.database import where

    context = get_current_context()
    currency = currency_of(context)
    schedules = context["outlet_events"][schedules_asset(company_id)]
    if not currency.current:
        print(f"{company_id}: nothing uploaded: {currency.reason}")
        schedules.extra = {"current": False, "sent": 0}  # the event cannot be withheld
        return {"current": False, "reason": currency.reason}
    crashes = task_crashes(context)
    for problem in crashes.problems():
        print(f"{company_id}: {problem}")
    company = task_company(company_id, context)
    store = "the aerosync database"
    try:
        engine = aerosync_engine()
        store = f"the aerosync database {where(engine)}"
        stores = Stores.on(engine)
        summary = step_record_status(
            company_id, stores, context["run_id"], crashes, company.request_timeout_seconds
        )
    except Exception as exc:  # the run must fail loudly, with what it knows
        raise AirflowFailException(
            f"{company_id}: the aircraft of this run could not be recorded in {store} "
            f"({task_error_text(exc, _company_secrets(company_id, context))}); "
            "`aerosync status` does not show this run"
            + "".join(f"; {p}" for p in crashes.problems())
        ) from None
    print(f"{company_id}: {summary.table()}")
    if company.alerts is not None:
        from aerosync.airflow.alert_notifier import send_alerts
        from aerosync.status.alerts import state_changes

        previous = stores.status.previous_outcomes(company_id, context["run_id"])
        events = state_changes(previous, summary.records)
        channels = ", ".join(company.alerts.channels)
        print(f"{company_id}: sending {len(events)} alert(s) by {channels}")
        sent = send_alerts(company, events, context)
        print(f"{company_id}: {sent} of {len(events)} alert(s) sent")
    if summary.problems:
        raise AirflowFailException(f"{company_id}: " + "; ".join(summary.problems))
    schedules.extra = {"current": True, "sent": sent_count(summary.counts), **summary.counts}
    return summary.counts


def sent_count(counts: dict[str, int]) -> int:
    """Aircraft whose schedule the marketplace accepted in the run (with or without errors)."""
    return counts.get("uploaded", 0) + counts.get("uploaded_with_errors", 0)
