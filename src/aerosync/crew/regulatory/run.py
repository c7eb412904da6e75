"""The regulatory exports of one window: built from the store, checked, then written.

Every export is built and checked before the first file is written: a failing suite writes
nothing at all (a regulator's set of files that is half there would look complete). Files are
written through `write` (the caller's: a folder or bucket through Airflow's object storage, or
a plain folder in tests), each under a name fixed by the company and the window, so a re-run
rewrites the same files with the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from aerosync.config.training import RegulatoryExport
from aerosync.crew.readiness.days import AsOf
from aerosync.crew.regulatory.checks import refuse_unless_clean
from aerosync.crew.regulatory.easa import easa_records
from aerosync.crew.regulatory.expiring import expiring
from aerosync.crew.regulatory.files import ExportTable
from aerosync.crew.regulatory.prd import prd_events
from aerosync.crew.sources import Window

# (folder, file name, content) -> the path written
Writer = Callable[[str, str, str], str]


@dataclass
class Written:
    """What one run wrote: paths, and counts only (no employee ids: this reaches XCom)."""

    paths: list[str] = field(default_factory=list)
    prd_events: int = 0
    unsat_events: int = 0
    people: int = 0
    easa_rows: int = 0
    expiring: int = 0

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.paths),
            "prd_events": self.prd_events,
            "unsat_events": self.unsat_events,
            "people": self.people,
            "easa_rows": self.easa_rows,
            "expiring": self.expiring,
        }


def build(
    engine: Engine, company: str, window: Window, config: RegulatoryExport, retention_days: int
) -> list[ExportTable]:
    """The window's exports: the PRD's events, the expiring report, then each person's record."""
    day = AsOf.window_end(window.end).day
    tables = [
        prd_events(engine, company, window, config),
        expiring(engine, company, day, config.expiring_within_days),
    ]
    return tables + list(easa_records(engine, company, day, retention_days).values())


def export_window(
    engine: Engine,
    company: str,
    window: Window,
    config: RegulatoryExport,
    retention_days: int,
    write: Writer,
) -> Written:
    """Build, check (`ExportRefused` when a suite fails: nothing written), write."""
    tables = build(engine, company, window, config, retention_days)
    refuse_unless_clean(company, tables)
    written = Written()
    for table in tables:
        for name, content in table.files().items():
            written.paths.append(write(config.export_to, name, content))
        if table.name == "faa_prd_training_events":
            written.prd_events = len(table.rows)
            written.unsat_events = sum(1 for r in table.rows if r.get("result") == "UNSAT")
        elif table.name == "expiring":
            written.expiring = len(table.rows)
        else:
            written.people += 1
            written.easa_rows += len(table.rows)
    return written
