"""FAA Pilot Records Database training events (14 CFR 111.225) of a window.

One row per EBT session (an instructor's or check pilot's training or checking event of one
pilot) dated in the window: the date, aircraft type, duty position, the training program's part
and subpart and its curriculum (the company's, `training.records.regulatory`), the event's
category, the result (SAT or UNSAT), the check pilot's comments and, for UNSAT, the failed
tasks. Never flight, duty or rest records, medical records or recency: those are not PRD data,
and no column here can hold them (the suite `regulatory_prd` holds the columns to this set).

What a session does not say (a type, a seat, a result) stays empty here and the suite names the
pilot and the field: a regulator's record is never guessed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from aerosync.config.training import RegulatoryExport
from aerosync.crew.classification import FAA_PRD, INTERNAL, PERSONAL, PUBLIC, ExportDeclaration
from aerosync.crew.regulatory.files import ExportTable
from aerosync.crew.regulatory.provenance import with_provenance
from aerosync.crew.sources import Window
from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import GRADINGS
from aerosync.crew.values import moment_of

DECLARATION = ExportDeclaration(
    "faa_prd_training_events",
    FAA_PRD,
    {
        "employee_id": INTERNAL,
        "event_date": INTERNAL,
        "aircraft_type": PUBLIC,
        "duty_position": INTERNAL,
        "program_part": PUBLIC,
        "program_subpart": PUBLIC,
        "curriculum": INTERNAL,
        "category": INTERNAL,
        "result": PERSONAL,
        "failed_tasks": PERSONAL,
        "check_pilot_comments": PERSONAL,
        "event_id": INTERNAL,
        "source_row": INTERNAL,
        "run_id": INTERNAL,
        "audit_id": INTERNAL,
    },
)


def in_window(day: Any, window: Window) -> bool:
    """A date belongs to the window whose span holds its midnight (`aerosync.crew.export`)."""
    moment = moment_of(None if day is None else str(day))
    return moment is not None and window.start <= moment < window.end


def _tasks(value: Any) -> str | None:
    """Failed tasks as the EBT system listed them, trimmed, one `;` between them."""
    tasks = [t.strip() for t in str(value or "").split(";") if t.strip()]
    return "; ".join(tasks) or None


def prd_events(
    engine: Engine, company: str, window: Window, config: RegulatoryExport
) -> ExportTable:
    gradings = [
        g
        for g in TrainingStore(engine).rows(company, GRADINGS)
        if in_window(g["session_date"], window)
    ]
    rows = []
    for stored in with_provenance(engine, company, GRADINGS, gradings):
        rows.append(
            {
                "employee_id": stored["employee_id"],
                "event_date": stored["session_date"],
                "aircraft_type": stored["type_code"],
                "duty_position": stored["duty_position"],
                "program_part": config.program_part,
                "program_subpart": config.program_subpart,
                "curriculum": config.curriculum,
                "category": stored["event_category"],
                "result": stored["result"],
                "failed_tasks": _tasks(stored["failed_tasks"]),
                "check_pilot_comments": stored["check_comments"],
                "event_id": stored["session_id"],
                "source_row": stored.source_row,
                "run_id": stored.run_id,
                "audit_id": stored.audit_id,
            }
        )
    rows.sort(key=lambda r: (r["event_date"], r["employee_id"], r["event_id"]))
    stem = (
        f"faa_prd_training_events__{company}__{window.start:%Y%m%dT%H%M}_{window.end:%Y%m%dT%H%M}"
    )
    about = {"company": company, "window": window.to_dict()}
    return ExportTable(DECLARATION, stem, rows, about)
