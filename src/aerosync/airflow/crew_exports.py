"""The crew sync's tasks that write out of the aerosync database, each when configured: the
window's training status as a CSV for crew management, and its EBT gradings as xAPI statements
posted to the LMS's LRS. A failure is on the Crew sync page's run log before the task fails.
(Readiness goes out through its own DAG, `aerosync.airflow.readiness_dag`.) Each task's
asset event carries its window and counts (`aerosync.airflow.assets`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airflow.sdk import get_current_context
from airflow.sdk.exceptions import AirflowFailException

from aerosync.airflow.assets import (
    counts_extra,
    ebt_results_asset,
    training_status_asset,
    window_extra,
)
from aerosync.airflow.crew_tasks import log_safely, records_of, training_stores, window_of


def _still_to_write(
    stores: Any, company_id: str, export: str, window: Any, context: Any
) -> Any | None:
    """The piece of the run's window not yet written out by another run (an event-started run
    of the same window before it), or None: then nothing goes out twice."""
    from aerosync.crew.export import export_piece

    until = stores.run_log.exported_until(company_id, export, window, context["run_id"])
    piece = export_piece(window, until)
    if piece is None:
        print(
            f"{company_id}: {export} of {window.label()} already written out by earlier runs "
            "of this window; nothing new to write"
        )
    elif piece != window:
        print(f"{company_id}: {export}: earlier runs wrote out up to {until:%Y-%m-%dT%H:%M:%SZ}")
    return piece


def export_status(company_id: str) -> dict[str, Any]:
    """The window's training status as CSV, to crew management's folder or bucket."""
    from aerosync.airflow.crew_io import write_text
    from aerosync.crew.export import export_name, status_csv, status_rows
    from aerosync.crew.run_log import TRAINING_STATUS
    from aerosync.redaction import safe_error

    context = get_current_context()
    records = records_of(company_id)
    assert records.export_to is not None
    stores = training_stores()
    window = _still_to_write(stores, company_id, TRAINING_STATUS, window_of(context), context)
    if window is None:
        return {"path": None, "rows": 0, "changes": {}}
    rows = status_rows(stores.records, company_id, window, context["run_id"])
    name = export_name(company_id, window)
    try:
        path = write_text(records.export_to, name, status_csv(rows))
    except Exception as exc:
        reason = (
            f"company {company_id}: the training status of {window.label()} could not be "
            f"written to {records.export_to}: {safe_error(exc)}"
        )
        log_safely(
            lambda log: log.exported(
                company_id,
                context["run_id"],
                TRAINING_STATUS,
                window,
                f"{records.export_to}/{name}",
                None,
                datetime.now(UTC),
                failure=reason,
            )
        )
        raise AirflowFailException(reason) from None
    stores.run_log.exported(
        company_id, context["run_id"], TRAINING_STATUS, window, path, len(rows), datetime.now(UTC)
    )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["change"]] = counts.get(row["change"], 0) + 1
    print(f"{company_id}: training status of {window.label()} written to {path}: {counts}")
    context["outlet_events"][training_status_asset(company_id)].extra = {
        **window_extra(window),
        "rows": len(rows),
        **counts_extra(counts),
    }
    return {"path": path, "rows": len(rows), "changes": counts}


def post_ebt(company_id: str) -> dict[str, Any]:
    """The window's EBT gradings as xAPI statements, posted to the LMS's LRS."""
    from aerosync.airflow.crew_io import post_statements
    from aerosync.crew.export import ebt_statements
    from aerosync.crew.run_log import EBT_STATEMENTS
    from aerosync.redaction import safe_error

    context = get_current_context()
    records = records_of(company_id)
    assert records.post_ebt_to is not None
    run_id, stores = context["run_id"], training_stores()
    window = _still_to_write(stores, company_id, EBT_STATEMENTS, window_of(context), context)
    if window is None:
        return {"posted": 0}
    statements = ebt_statements(stores.records, company_id, window, records.xapi_home_page, run_id)
    target = records.post_ebt_to
    where = f"connection {target.conn_id}, endpoint {target.endpoint}"
    try:
        sent = post_statements(target, statements)
    except Exception as exc:
        reason = (
            f"company {company_id}: posting {len(statements)} EBT statement(s) to connection "
            f"{target.conn_id} failed: {safe_error(exc)}"
        )
        log_safely(
            lambda log: log.exported(
                company_id,
                run_id,
                EBT_STATEMENTS,
                window,
                where,
                None,
                datetime.now(UTC),
                failure=reason,
            )
        )
        raise AirflowFailException(reason) from None
    stores.run_log.exported(
        company_id, run_id, EBT_STATEMENTS, window, where, sent, datetime.now(UTC)
    )
    print(f"{company_id}: {sent} EBT statement(s) of {window.label()} posted")
    context["outlet_events"][ebt_results_asset(company_id)].extra = {
        **window_extra(window),
        "posted": sent,
    }
    return {"posted": sent}
