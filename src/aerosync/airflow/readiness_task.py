"""One window's readiness export, for the task `export_readiness` of the company's readiness DAG
(`aerosync.airflow.readiness_dag`, with `readiness:`), once per window end it computes.

Readiness on the window's last day, from the store as of the window's end, so a backfilled window
reproduces what held then; flagged against the exports before that day; written as CSV and JSON
into `export_to` and, with `post_to`, posted page by page. The run log (`training_sync_exports`)
gets the files (`readiness`) and the post (`readiness_post`, written before each page goes out).
XCom and the task log get counts only, never an employee id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from aerosync.config.training import RecordsSync
from aerosync.crew.readiness.days import AsOf
from aerosync.crew.readiness.export import pages
from aerosync.crew.readiness.history import purge_history, record_export
from aerosync.crew.readiness.report import PreparedExport, prepare_export
from aerosync.crew.retention import cutoff
from aerosync.crew.run_log import TrainingRunLog
from aerosync.crew.sources import Window
from aerosync.redaction import safe_error

READINESS, READINESS_POST = "readiness", "readiness_post"


def _failed(log: Callable[[str], None], reason: str) -> AirflowFailException:
    """Record the failure (if the store takes it) and return the task's failure to raise."""
    try:
        log(reason)
    except Exception as exc:  # the failure being raised must not be hidden by the store's
        print(f"the run log could not be written: {type(exc).__name__}")
    return AirflowFailException(reason)


def _write(records: RecordsSync, prepared: PreparedExport) -> tuple[str, str]:
    from aerosync.airflow.crew_io import write_text

    assert records.readiness is not None
    folder = records.readiness.export_to
    csv_path = write_text(folder, prepared.names.csv, prepared.csv_text)
    json_path = write_text(folder, prepared.names.json, prepared.json_text)
    return csv_path, json_path


def _post(
    company: str,
    records: RecordsSync,
    prepared: PreparedExport,
    window: Window,
    run_log: TrainingRunLog,
    run_id: str,
) -> int:
    from aerosync.airflow.readiness_post import PostFailed, post_pages

    assert records.readiness is not None and records.readiness.post_to is not None
    target = records.readiness.post_to
    where = f"connection {target.conn_id}, endpoint {target.endpoint}"
    size = target.page_size
    bodies = list(pages(prepared.report, prepared.rows, size))
    counts = [len(prepared.rows[i * size : (i + 1) * size]) for i in range(len(bodies))]

    def log(rows: int | None, failure: str | None) -> None:
        run_log.exported(
            company, run_id, READINESS_POST, window, where, rows, datetime.now(UTC), failure
        )

    def before_call(page: int, of: int, accepted: int) -> None:
        log(accepted, f"page {page} of {of} sent, no answer yet: the endpoint may hold it")

    try:
        posted = post_pages(target, bodies, counts, before_call)
    except PostFailed as exc:
        reason = f"company {company}: posting the readiness to {where} failed: {exc}"
        accepted = exc.accepted_rows
        raise _failed(lambda text: log(accepted, text), reason) from None
    except Exception as exc:  # the connection cannot be read, ...: never its secrets
        reason = f"company {company}: posting the readiness to {where} failed: {safe_error(exc)}"
        raise _failed(lambda text: log(None, text), reason) from None
    log(posted, None)
    return posted


def run_readiness_export(
    company: str, records: RecordsSync, window: Window, run_log: TrainingRunLog, run_id: str
) -> dict[str, Any]:
    config = records.readiness
    assert config is not None
    engine = run_log.engine
    as_of = AsOf.window_end(window.end)
    prepared = prepare_export(engine, company, as_of, config)
    try:
        csv_path, json_path = _write(records, prepared)
    except Exception as exc:
        reason = (
            f"company {company}: the readiness of {as_of.day} could not be written to "
            f"{config.export_to}: {safe_error(exc)}"
        )
        location = f"{config.export_to}/{prepared.names.csv}"
        raise _failed(
            lambda text: run_log.exported(
                company, run_id, READINESS, window, location, None, datetime.now(UTC), text
            ),
            reason,
        ) from None
    now = datetime.now(UTC)
    record_export(engine, company, as_of.day, prepared.rows, run_id, now)
    run_log.exported(company, run_id, READINESS, window, csv_path, len(prepared.rows), now)
    purge_history(engine, company, cutoff(now.date(), records.retention_days))
    summary: dict[str, Any] = {**prepared.summary(), "csv": csv_path, "json": json_path}
    print(f"{company}: readiness on {as_of.day} written to {csv_path} and {json_path}: {summary}")
    if config.post_to is not None:
        summary["posted_rows"] = _post(company, records, prepared, window, run_log, run_id)
        print(f"{company}: {summary['posted_rows']} readiness row(s) posted")
    return summary
