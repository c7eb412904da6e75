"""What the Crew sync page shows of a company's training sync, as plain typed records: its last
run of each source (`SourceRun`), its last export of each kind (`ExportRun`) and the rows still in
quarantine (`QuarantinedRow`), gathered per company (`CrewSyncStatus`).

They live here, in the stores, because the crew wing fills them (`aerosync.crew.run_log`) and the
status wing renders them (`aerosync.status.crew_page`), and those two wings never import each
other. They carry no row data: a quarantined row is named by where it came from (file and line,
page and item, statement id) and its employee id, and its reasons are the checks' descriptions,
never the values that failed them (a name, a date of birth, an e-mail address).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SourceRun:
    """One run's outcome for one source. A count is None when the run never reached the step
    that counts it (the source failed, or an earlier task did)."""

    company: str
    source: str
    run_id: str
    window_start: datetime
    window_end: datetime
    started_at: datetime
    updated_at: datetime
    read: int | None = None
    in_window: int | None = None
    good: int | None = None
    quarantined: int | None = None
    inserted: int | None = None
    updated: int | None = None
    unchanged: int | None = None
    failure: str | None = None

    @property
    def loaded(self) -> int | None:
        """Rows of the window the load step upserted (new, changed or already equal)."""
        if self.inserted is None:
            return None
        return self.inserted + (self.updated or 0) + (self.unchanged or 0)


@dataclass(frozen=True, slots=True)
class ExportRun:
    """One run's export of one kind: `training_status` (a CSV file) or `ebt_statements` (xAPI
    statements posted to the LMS); `location` is the file's path or the connection and endpoint."""

    company: str
    export: str
    run_id: str
    window_start: datetime
    window_end: datetime
    location: str
    rows: int | None
    written_at: datetime
    failure: str | None = None


@dataclass(frozen=True, slots=True)
class QuarantineReason:
    """A check a quarantined row failed: its code, the field it concerns, and what it means in
    words (the expectation's description, without the row's values)."""

    code: str
    field: str | None
    text: str


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    source: str
    row_ref: str  # "employees.csv line 7", "employees page 2 item 3", "statement <id>"
    employee_id: str | None
    reasons: tuple[QuarantineReason, ...]
    first_run_id: str
    quarantined_at: datetime


@dataclass(frozen=True, slots=True)
class CrewSyncStatus:
    """A company's training sync as the page shows it. `quarantined` lists the first rows still
    in quarantine (oldest first); `still_quarantined` counts them all, per source."""

    company: str
    sources: tuple[SourceRun, ...] = ()
    exports: tuple[ExportRun, ...] = ()
    quarantined: tuple[QuarantinedRow, ...] = ()
    still_quarantined: dict[str, int] = field(default_factory=dict)
