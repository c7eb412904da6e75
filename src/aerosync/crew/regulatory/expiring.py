"""What expires within N days of a window's last day: each person's training, checks and
qualifications whose latest validity ends on the day or within the next N days, so the training
department books the renewal in time. A record renewed by a later one of the same course, code or
EBT module is not expiring; medicals are not listed (flight operations learn a medical's lapse
from the readiness export, `aerosync.crew.classification`)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine

from aerosync.crew.classification import (
    INTERNAL,
    PERSONAL,
    TRAINING_DEPARTMENT,
    ExportDeclaration,
)
from aerosync.crew.regulatory.entries import Entry, entries_as_of
from aerosync.crew.regulatory.files import ExportTable
from aerosync.crew.tables import GRADINGS

DECLARATION = ExportDeclaration(
    "expiring",
    TRAINING_DEPARTMENT,
    {
        "employee_id": INTERNAL,
        "kind": INTERNAL,
        "item": INTERNAL,
        "valid_until": INTERNAL,
        "days_left": PERSONAL,
        "source_row": INTERNAL,
        "run_id": INTERNAL,
        "audit_id": INTERNAL,
    },
)


def _latest(entries: list[Entry]) -> list[Entry]:
    """Per person and lineage, the entry valid longest (a failed result renews nothing)."""
    latest: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        if entry.valid_until is None or str(entry.result or "").lower() == "failed":
            continue
        key = (entry.employee_id, entry.lineage)
        held = latest.get(key)
        if held is None or (held.valid_until is not None and entry.valid_until > held.valid_until):
            latest[key] = entry
    return list(latest.values())


def expiring(engine: Engine, company: str, day: date, within_days: int) -> ExportTable:
    last = day + timedelta(days=within_days)
    rows = []
    for entry in _latest(entries_as_of(engine, company, day)):
        assert entry.valid_until is not None
        if day <= entry.valid_until <= last:
            rows.append(
                {
                    "employee_id": entry.employee_id,
                    "kind": entry.kind,
                    "item": entry.lineage if entry.stored.spec is GRADINGS else entry.item,
                    "valid_until": entry.valid_until.isoformat(),
                    "days_left": (entry.valid_until - day).days,
                    "source_row": entry.stored.source_row,
                    "run_id": entry.stored.run_id,
                    "audit_id": entry.stored.audit_id,
                }
            )
    rows.sort(key=lambda r: (str(r["valid_until"]), str(r["employee_id"]), str(r["item"])))
    about = {"company": company, "as_of": day.isoformat(), "within_days": within_days}
    return ExportTable(DECLARATION, f"expiring__{company}__{day:%Y%m%d}", rows, about)
