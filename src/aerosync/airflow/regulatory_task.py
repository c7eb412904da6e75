"""The task `export_regulatory` of the training-sync DAG (after `load`, with
`training.records.regulatory`): the FAA PRD's training events of the window, each person's EASA
training record and the expiring report, checked by their suites and only then written
(`aerosync.crew.regulatory`). A refusal names the export, employee id, field and stored row, on
the Crew sync page and in the task's failure; the log and XCom get counts and paths, never a
name or a value."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airflow.sdk import get_current_context
from airflow.sdk.exceptions import AirflowFailException

from aerosync.airflow.assets import counts_extra, regulatory_export_assets, window_extra
from aerosync.airflow.crew_tasks import (
    log_safely,
    records_of,
    started_by_event,
    training_stores,
    window_of,
)
from aerosync.airflow.task_config import data_docs_kept, task_config

REGULATORY = "regulatory"


def export_regulatory(company_id: str) -> dict[str, Any]:
    from aerosync.airflow.crew_io import write_text
    from aerosync.crew.regulatory.checks import ExportRefused
    from aerosync.crew.regulatory.run import export_window
    from aerosync.redaction import safe_error

    context = get_current_context()
    records = records_of(company_id)
    config = records.regulatory
    assert config is not None
    window, run_id, stores = window_of(context), context["run_id"], training_stores()
    if started_by_event(context):
        # A regulator's record is of whole windows: the daily run of this window writes it, with
        # what this incremental sync loaded.
        print(
            f"{company_id}: no regulatory export from an event run ({window.label()} is not a "
            "complete window); the daily run writes it"
        )
        for asset in regulatory_export_assets(company_id):
            context["outlet_events"][asset].extra = {**window_extra(window), "files": 0}
        return {"folder": config.export_to, "files": 0}

    def failed(reason: str) -> AirflowFailException:
        where = config.export_to
        log_safely(
            lambda log: log.exported(
                company_id, run_id, REGULATORY, window, where, None, datetime.now(UTC), reason
            )
        )
        return AirflowFailException(reason)

    try:
        # The regulatory suites' results join the run's Data Docs (a `data_docs:` section).
        with data_docs_kept(task_config(company_id, context), company_id, context):
            written = export_window(
                stores.run_log.engine,
                company_id,
                window,
                config,
                records.retention_days,
                write_text,
            )
    except ExportRefused as exc:
        raise failed(str(exc)) from None
    except Exception as exc:
        raise failed(
            f"company {company_id}: the regulatory exports of {window.label()} could not be "
            f"written to {config.export_to}: {safe_error(exc)}"
        ) from None
    summary = written.summary()
    rows = summary["prd_events"] + summary["easa_rows"] + summary["expiring"]
    now = datetime.now(UTC)
    stores.run_log.exported(company_id, run_id, REGULATORY, window, config.export_to, rows, now)
    print(f"{company_id}: regulatory exports of {window.label()} in {config.export_to}: {summary}")
    for asset in regulatory_export_assets(company_id):
        context["outlet_events"][asset].extra = {**window_extra(window), **counts_extra(summary)}
    return {"folder": config.export_to, **summary}
