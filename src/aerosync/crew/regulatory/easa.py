"""The EASA crew training record of each person (ORO.MLR.115): every training, check and
qualification with its date and validity over the retention period, as of a window's last day.

One export per person. The period is the company's `retention_days` back from the day, counted as
the retention purge counts it: an entry is listed while its latest date (its date, or its
validity's end) is on or after the first day kept, so the extract lists exactly what the store
must still keep. No names: the person is their employee id; no medicals (`entries`).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine

from aerosync.crew.classification import EASA_RECORD, INTERNAL, PERSONAL, PUBLIC, ExportDeclaration
from aerosync.crew.regulatory.entries import Entry, entries_as_of
from aerosync.crew.regulatory.files import ExportTable

DECLARATION = ExportDeclaration(
    "easa_training_record",
    EASA_RECORD,
    {
        "employee_id": INTERNAL,
        "kind": INTERNAL,
        "item": INTERNAL,
        "title": INTERNAL,
        "aircraft_type": PUBLIC,
        "date": INTERNAL,
        "valid_until": INTERNAL,
        "result": PERSONAL,
        "source_row": INTERNAL,
        "run_id": INTERNAL,
        "audit_id": INTERNAL,
    },
)


def first_kept(day: date, retention_days: int) -> date:
    """The first day of the retention period ending on `day` (`aerosync.crew.retention.cutoff`)."""
    return day - timedelta(days=retention_days)


def _row(entry: Entry) -> dict[str, object]:
    return {
        "employee_id": entry.employee_id,
        "kind": entry.kind,
        "item": entry.item,
        "title": entry.title,
        "aircraft_type": entry.aircraft_type,
        "date": entry.on.isoformat(),
        "valid_until": None if entry.valid_until is None else entry.valid_until.isoformat(),
        "result": entry.result,
        "source_row": entry.stored.source_row,
        "run_id": entry.stored.run_id,
        "audit_id": entry.stored.audit_id,
    }


def easa_records(
    engine: Engine, company: str, day: date, retention_days: int
) -> dict[str, ExportTable]:
    """Employee id -> that person's record as of `day`, for every person with an entry in the
    period."""
    kept = first_kept(day, retention_days)
    people: dict[str, list[dict[str, object]]] = {}
    for entry in entries_as_of(engine, company, day):
        if entry.kept_from(kept):
            people.setdefault(entry.employee_id, []).append(_row(entry))
    about = {
        "company": company,
        "as_of": day.isoformat(),
        "retention_days": retention_days,
        "first_day_kept": kept.isoformat(),
    }
    return {
        employee: ExportTable(
            DECLARATION,
            f"easa_training_record__{company}__{employee}__{day:%Y%m%d}",
            rows,
            {**about, "employee_id": employee},
        )
        for employee, rows in sorted(people.items())
    }
