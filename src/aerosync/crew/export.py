"""Out to crew management: the training status of one window as CSV, and the EBT results of one
window as xAPI statements for the LMS.

Both are read back from the database, not from the run's input, so re-running a window writes
the same file and posts the same statements (whose ids the LRS already has).

The CSV leaves medicals out: crew management is where they come from, and their dates are
health data (`aerosync.crew.classification`) that this file, dropped in a folder, need not carry.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from aerosync.crew.classification import (
    CREW_MANAGEMENT,
    INTERNAL,
    PERSONAL,
    ExportDeclaration,
    is_medical,
)
from aerosync.crew.sources import Window
from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import COMPETENCIES, GRADINGS, QUALIFICATIONS, RECORDS, SESSION_REPORT
from aerosync.crew.values import moment_of
from aerosync.crew.xapi import grading_statement

EXPORT_COLUMNS = (
    "change",
    "employee_id",
    "item",
    "module_id",
    "result",
    "score",
    "date",
    "expires_on",
)

# `date` and `expires_on` are a qualification's or a record's dates: internal once medicals are
# left out; `result` and `score` are a person's results.
DECLARATION = ExportDeclaration(
    "training_status",
    CREW_MANAGEMENT,
    {
        "change": INTERNAL,
        "employee_id": INTERNAL,
        "item": INTERNAL,
        "module_id": INTERNAL,
        "result": PERSONAL,
        "score": PERSONAL,
        "date": INTERNAL,
        "expires_on": INTERNAL,
    },
)


def export_name(company: str, window: Window) -> str:
    return f"training_status__{company}__{window.start:%Y%m%dT%H%M}_{window.end:%Y%m%dT%H%M}.csv"


def export_piece(window: Window, exported_until: datetime | None) -> Window | None:
    """The part of a run's window still to write out: from where other runs' exports of it end
    (`TrainingRunLog.exported_until`) to its end; None when nothing is left. Event-started runs
    write the current window out piece by piece, and its scheduled run the rest: crew
    management and the LRS get every change once."""
    if exported_until is None or exported_until <= window.start:
        return window
    return Window(exported_until, window.end) if exported_until < window.end else None


def _in(value: Any, window: Window, *, end_inclusive: bool = False) -> bool:
    moment = moment_of(None if value is None else str(value))
    if moment is None:
        return False
    if end_inclusive:
        return window.start < moment <= window.end
    return window.start <= moment < window.end


def _late(row: dict[str, Any], date_column: str, window: Window, run_id: str | None) -> bool:
    """A row dated before the window that this run loaded or changed: crew management and the LMS
    hear of a qualification or grading entered late in the run that brought it."""
    moment = moment_of(None if row[date_column] is None else str(row[date_column]))
    return (
        run_id is not None
        and row["last_run_id"] == run_id
        and moment is not None
        and moment < window.start
    )


def status_rows(
    store: TrainingStore, company: str, window: Window, run_id: str | None = None
) -> list[dict[str, Any]]:
    """Completions and results delivered in the window, qualifications issued in it, either
    entered late and loaded by run `run_id` (certification updates; a completion stored before a
    piece of the window that arrived after the earlier piece went out), and training records and
    qualifications that expire in it."""
    records = store.rows(company, RECORDS)
    quals = [q for q in store.rows(company, QUALIFICATIONS) if not is_medical(q["qualification"])]
    out = []
    for r in records:
        if _in(r["stored_at"], window, end_inclusive=True) or _late(r, "stored_at", window, run_id):
            out.append(
                {
                    "change": "completion",
                    "employee_id": r["employee_id"],
                    "item": r["course_id"],
                    "module_id": r["module_id"],
                    "result": r["verb"],
                    "score": r["score"],
                    "date": r["completed_at"][:10],
                    "expires_on": r["expires_at"],
                }
            )
        if _in(r["expires_at"], window):
            out.append(
                {
                    "change": "expiry",
                    "employee_id": r["employee_id"],
                    "item": r["course_id"],
                    "module_id": r["module_id"],
                    "result": r["verb"],
                    "score": r["score"],
                    "date": r["expires_at"],
                    "expires_on": r["expires_at"],
                }
            )
    for q in quals:
        if _in(q["issued_on"], window) or _late(q, "issued_on", window, run_id):
            out.append(
                {
                    "change": "certification",
                    "employee_id": q["employee_id"],
                    "item": q["qualification"],
                    "module_id": None,
                    "result": "issued",
                    "score": None,
                    "date": q["issued_on"],
                    "expires_on": q["expires_on"],
                }
            )
        if _in(q["expires_on"], window):
            out.append(
                {
                    "change": "expiry",
                    "employee_id": q["employee_id"],
                    "item": q["qualification"],
                    "module_id": None,
                    "result": "expired",
                    "score": None,
                    "date": q["expires_on"],
                    "expires_on": q["expires_on"],
                }
            )
    return sorted(out, key=lambda row: tuple(str(row[c] or "") for c in EXPORT_COLUMNS))


def status_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row[k] is None else row[k] for k in EXPORT_COLUMNS})
    return buffer.getvalue()


def ebt_statements(
    store: TrainingStore, company: str, window: Window, home_page: str, run_id: str | None = None
) -> list[dict[str, Any]]:
    """One xAPI statement per EBT grading of a session in the window, or of an earlier session
    entered late and loaded (or changed) by run `run_id`; a statement's id follows its content,
    so a changed grading is a new statement. The session's report for the regulators
    (`SESSION_REPORT`: result, failed tasks, the check pilot's comments) is not sent: the
    statement carries the grades, and its id stays what it was before those columns existed."""
    graded = [c for c in GRADINGS.columns if c not in SESSION_REPORT]
    return [
        grading_statement({k: g[k] for k in graded}, company, home_page, COMPETENCIES)
        for g in store.rows(company, GRADINGS)
        if _in(g["session_date"], window) or _late(g, "session_date", window, run_id)
    ]
