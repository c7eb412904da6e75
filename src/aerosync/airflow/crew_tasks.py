"""Task callables of the training-sync DAG; heavy imports stay inside them (parse-time cost).

Every task reads its company's entry of the companies file, works on the run's data interval
(the window) and returns a small summary; rows go through the aerosync database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from airflow.sdk import get_current_context
from airflow.sdk.exceptions import AirflowFailException
from sqlalchemy.exc import SQLAlchemyError

from aerosync.airflow.connections import aerosync_engine
from aerosync.airflow.task_config import data_docs_kept, task_company, task_config
from aerosync.config.training import RecordsSync

TRAINING_CRON = "0 3 * * *"
# The run type of a run started by an asset event (Airflow's DagRunType.ASSET_TRIGGERED).
ASSET_TRIGGERED = "asset_triggered"
# The XCom key under which a failed extract leaves its one-line, redacted error for `alert`.
ERROR_KEY = "error"
# The tasks whose failure the run's alert reports: each source's extract, and the quality gate.
VALIDATE = "validate"


def records_of(company_id: str) -> RecordsSync:
    company = task_company(company_id, get_current_context())
    if company.training is None or company.training.records is None:
        raise AirflowFailException(f"company {company_id}: no training.records in the config")
    return company.training.records


def started_by_event(context: Any) -> bool:
    """Whether the run is an incremental sync started by a crew event (asset-triggered)."""
    run_type = getattr(context.get("dag_run"), "run_type", None)
    return bool(getattr(run_type, "value", run_type) == ASSET_TRIGGERED)


def window_of(context: Any) -> Any:
    """The run's window. A run started by a crew event (asset-triggered: no logical date, no data
    interval) is the company's incremental sync: from the last 03:00 UTC to the moment of the
    event that started it (`run_after`), the same for every task of the run."""
    from aerosync.crew.sources import Window, current_window, last_complete_window

    dag_run = context.get("dag_run")
    if started_by_event(context) and dag_run.run_after is not None:
        return current_window(TRAINING_CRON, dag_run.run_after.astimezone(UTC))
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None and end is not None and start < end:
        return Window(start.astimezone(UTC), end.astimezone(UTC))
    # A manual run without a logical date: the last window that has ended.
    return last_complete_window(TRAINING_CRON, datetime.now(UTC))


def training_stores() -> Any:
    from aerosync.crew.steps import TrainingStores

    return TrainingStores.on(aerosync_engine())


def _kept(records: RecordsSync) -> tuple[int, dict[str, int]]:
    """Days records are kept: the company's, and those of sources with their own (flights)."""
    return records.retention_days, records.source_retention_days()


def _where(records: RecordsSync, source: str) -> str:
    transport = getattr(records, source)
    location = getattr(transport, "csv", None) or getattr(transport, "xml", None)
    if location:
        return str(location)
    remote = getattr(transport, "rest", None) or getattr(transport, "lrs", None)
    return f"connection {remote.conn_id}, endpoint {remote.endpoint}" if remote else "?"


def _secrets_of(transport: Any) -> list[str]:
    """The secrets of a source's connection (REST or LRS; a CSV drop has none here)."""
    from aerosync.airflow.masking import mask_connection

    remote = getattr(transport, "rest", None) or getattr(transport, "lrs", None)
    try:
        return mask_connection(remote.conn_id) if remote is not None else []
    except Exception:  # a connection that cannot be read has no secret to redact here
        return []


def _leave_error(context: Any, message: str) -> None:
    """The error in XCom for the run's alert; never hides the error itself."""
    with contextlib.suppress(Exception):
        context["ti"].xcom_push(key=ERROR_KEY, value=message)


def log_safely(write: Callable[[Any], None]) -> None:
    """Write to the run log for the Crew sync page; a store that cannot take it must not hide
    the failure being raised, so its own error is printed instead."""
    from aerosync.crew.run_log import TrainingRunLog
    from aerosync.stores.database import StoreUnavailable
    from aerosync.stores.migrate import ensure_migrated

    try:
        engine = aerosync_engine()
        ensure_migrated(engine)  # a source that failed first, on a fresh install: tables first
        write(TrainingRunLog(engine))
    except (SQLAlchemyError, StoreUnavailable) as exc:
        print(f"the run log of the Crew sync page could not be written: {type(exc).__name__}")


def extract(company_id: str, source: str) -> dict[str, Any]:
    """Read one source (CSV or roster XML drop, REST API, LRS, or the FMS for flights) and stage
    its rows of this window. A CSV or XML file is read row by row while it is staged, in parts: a
    file of any size in bounded memory. A roster XML file that cannot be read (malformed, a
    DOCTYPE) fails the source, naming the file and line; nothing of the source is staged. Flights
    are the legs whose on-block time lies in the window widened by the source's `lookback_days`."""
    from aerosync.airflow import crew_fms, crew_io
    from aerosync.crew.legs_flown import legs_window
    from aerosync.crew.mapping import Mapped
    from aerosync.crew.roster_xml import roster_items
    from aerosync.crew.sources import csv_items, iter_mapped, map_rows, map_statements
    from aerosync.crew.steps import stage_source
    from aerosync.redaction import safe_error

    context = get_current_context()
    records = records_of(company_id)
    window = window_of(context)
    transport = getattr(records, source)
    validity = records.course_validity_days
    rows: Iterable[Mapped]
    if source == "flights":
        company = task_company(company_id, context)
        window = legs_window(window, transport.lookback_days)
    try:
        if source == "flights":
            rows = crew_fms.crew_on_legs(company, window)  # read while staged
        elif source == "statements" and transport.lrs is not None:
            rows = map_statements(crew_io.lrs_statements(transport.lrs, window), validity)
        elif source == "roster" and transport.xml is not None:
            xml_files = crew_io.xml_files(transport.xml)
            rows = iter_mapped(source, roster_items(xml_files), validity)  # read while staged
        elif transport.csv is not None:
            files = crew_io.csv_files(transport.csv)
            rows = iter_mapped(source, csv_items(files), validity)  # read while staged
        else:
            rows = map_rows(source, list(crew_io.rest_items(transport.rest)), validity)
        summary = stage_source(
            company_id, source, rows, window, training_stores(), context["run_id"]
        )
    except SQLAlchemyError:
        raise  # the aerosync store, not the source
    except Exception as exc:  # any transport error: say where, never the secrets
        where, secrets = (
            (crew_fms.fms_place(company), crew_fms.fms_secrets(company))
            if source == "flights"
            else (_where(records, source), _secrets_of(transport))
        )
        reason = (
            f"company {company_id}, source {source} ({where}): "
            f"cannot be read: {safe_error(exc, secrets)}"
        )
        _leave_error(context, reason)
        log_safely(
            lambda log: log.source_failed(
                company_id, context["run_id"], source, window, reason, datetime.now(UTC)
            )
        )
        raise AirflowFailException(reason) from None
    staged = summary.to_dict()
    print(f"{company_id}: {source} for {window.label()}: {staged}")
    return staged


def validate(company_id: str, sources: list[str]) -> dict[str, Any]:
    from aerosync.crew.steps import step_validate

    context = get_current_context()
    window = window_of(context)
    with data_docs_kept(task_config(company_id, context), company_id, context):
        summary = step_validate(
            company_id, sources, training_stores(), context["run_id"], window, datetime.now(UTC)
        )
    for line in summary.quarantine_examples:
        print(f"quarantined: {line}")
    print(f"{company_id}: validated {window.label()}: {summary.sources}")
    return summary.to_dict()


def load(company_id: str, sources: list[str]) -> dict[str, Any]:
    """Upsert the gated rows; each table's asset event (`aerosync.airflow.assets`) says which
    window it was loaded for, with counts. A table that loaded nothing new still gets its event:
    the event means "loaded up to this window's end", and what depends on it (readiness as of
    that end) changes with the day even when no row did."""
    from aerosync.airflow.assets import counts_extra, crew_table_asset, loaded_tables, window_extra
    from aerosync.crew.steps import step_load

    context = get_current_context()
    records = records_of(company_id)
    now = datetime.now(UTC)
    summary = step_load(
        company_id, sources, training_stores(), context["run_id"], now, now.date(), *_kept(records)
    )
    loaded = summary.to_dict()
    window = window_extra(window_of(context))
    events = context["outlet_events"]
    for source, table in loaded_tables(sources).items():
        counts = counts_extra(loaded.get(source) or {})
        events[crew_table_asset(company_id, table)].extra = {**window, "source": source, **counts}
    print(f"{company_id}: loaded: {loaded}")
    return loaded


def retention(company_id: str) -> dict[str, Any]:
    from aerosync.crew.steps import step_retention

    context = get_current_context()
    records = records_of(company_id)
    now = datetime.now(UTC)
    summary = step_retention(
        company_id, training_stores(), context["run_id"], now, now.date(), *_kept(records)
    )
    print(f"{company_id}: retention (keeping from {summary.first_kept}): {summary.purged}")
    return summary.to_dict()


def finish(company_id: str, sources: list[str]) -> dict[str, Any]:
    from aerosync.crew.steps import step_finish

    context = get_current_context()
    summary = step_finish(company_id, sources, training_stores(), context["run_id"])
    print(f"{company_id}: changes audited in this run: {summary.changes or 'none'}")
    return summary.to_dict()


def alert(company_id: str, sources: list[str]) -> dict[str, Any]:
    """The run's alert on the company's channels (`aerosync.crew.alerts`): once per run that
    could not read a source, whose quality gate failed, or that put new rows into the
    quarantine. Runs whatever happened before it (trigger rule `all_done`) and never fails the
    run: a channel that fails is logged (the run's state comes from its other tasks)."""
    from aerosync.airflow.alert_notifier import send_alerts
    from aerosync.crew.alerts import crew_sync_alert
    from aerosync.redaction import safe_error

    context = get_current_context()
    company = task_company(company_id, context)
    ti = context["ti"]
    extracts = {f"extract_{source}": source for source in sources}
    states = ti.get_task_states(
        dag_id=ti.dag_id, run_ids=[ti.run_id], task_ids=[*extracts, VALIDATE]
    ).get(ti.run_id, {})
    failed = {task: _error_left(ti, task) for task, state in states.items() if state == "failed"}
    quarantined = []
    try:
        quarantined = training_stores().quarantine.first_quarantined_in(company_id, ti.run_id)
    except Exception as exc:  # still alert on the failures
        failed.setdefault(VALIDATE, f"the quarantine could not be read: {safe_error(exc)}")
    found = crew_sync_alert(
        company=company_id,
        company_name=company.name,
        dag_id=ti.dag_id,
        run_id=ti.run_id,
        window=window_of(context).label(),
        failed_sources={extracts[t]: error for t, error in failed.items() if t in extracts},
        failed_steps={t: error for t, error in failed.items() if t not in extracts},
        quarantined=quarantined,
    )
    if found is None:
        print(f"{company_id}: nothing to alert about in this run")
        return {"alerts": 0, "sent": 0}
    channels = ", ".join(company.alerts.channels if company.alerts else [])
    print(f"{company_id}: alerting by {channels}: {found.subject}")
    sent = send_alerts(company, [found], context)
    print(f"{company_id}: {sent} of 1 alert(s) sent")
    return {"alerts": 1, "sent": sent}


def _error_left(ti: Any, task_id: str) -> str:
    error = ti.xcom_pull(task_ids=task_id, key=ERROR_KEY, default=None)
    return str(error) if error else "it stopped without reporting an error (see its task log)"
