"""What the crew tables store, each column's class (`aerosync.crew.classification`) and how long
it is kept, as the README's "What is stored, and for how long" table. The README's copy is
generated from here, and a test fails when the two differ, so neither drifts from the
classification or the retention defaults."""

from __future__ import annotations

from aerosync.config.retention import Retention
from aerosync.config.training import DEFAULT_RETENTION_DAYS, OWN_RETENTION_DAYS
from aerosync.crew.classification import COLUMNS, PERSONAL, SENSITIVE

START, END = "<!-- stored-data:start -->", "<!-- stored-data:end -->"
_RECORDS = f"{DEFAULT_RETENTION_DAYS} days after its latest date (`retention_days`)"
_DEFAULTS = Retention()
HOLDS: dict[str, tuple[str, str]] = {
    "training_employee_versions": (
        "HRIS master data per version",
        f"{DEFAULT_RETENTION_DAYS} days after the version was superseded (`retention_days`); "
        "the current version stays",
    ),
    "training_records": ("LMS completions and results", _RECORDS),
    "training_qualifications": ("qualifications and their validity (medicals too)", _RECORDS),
    "training_ebt_gradings": ("EBT sessions: grades, result, the check pilot's report", _RECORDS),
    "training_enrolments": ("LMS enrolments and progress", _RECORDS),
    "training_leg_crew": (
        "legs flown per crew member",
        f"{OWN_RETENTION_DAYS['flights']} days after the flight (`flights.retention_days`)",
    ),
    "training_roster": (
        "roster duties",
        f"{OWN_RETENTION_DAYS['roster']} days after the duty (`roster.retention_days`)",
    ),
    "training_courses": ("the LMS's course catalog", "master data: not purged"),
    "training_readiness": (
        "the log of readiness changes",
        f"superseded rows {DEFAULT_RETENTION_DAYS} days (`retention_days`)",
    ),
    "training_quarantine": (
        "refused rows as read, with reasons",
        f"{_DEFAULTS.quarantine_days} days (`retention.quarantine_days`)",
    ),
    "training_audit": (
        "every change: old and new values",
        f"{_DEFAULTS.audit_days} days (`retention.audit_days`)",
    ),
    "training_sync_runs": (
        "the run log: counts, failures",
        f"runs that ran {DEFAULT_RETENTION_DAYS} days ago (`retention_days`)",
    ),
    "training_sync_exports": (
        "what each run wrote out",
        f"runs that ran {DEFAULT_RETENTION_DAYS} days ago (`retention_days`)",
    ),
}


def _listed(table: str, wanted: int) -> str:
    names = []
    for column, classified in COLUMNS[table].items():
        if classified.level == wanted:
            names.append(f"`{column}`")
        elif wanted == SENSITIVE and classified.sensitive_when:
            names.append(f"`{column}` (of a medical)")
    return ", ".join(names) or "none"


def stored_data_markdown() -> str:
    """The README's table, between its markers."""
    lines = [
        START,
        "| table | holds | personal | sensitive | kept (default) |",
        "|---|---|---|---|---|",
    ]
    for table in sorted(COLUMNS):
        holds, kept = HOLDS[table]
        lines.append(
            f"| `{table}` | {holds} | {_listed(table, PERSONAL)} | "
            f"{_listed(table, SENSITIVE)} | {kept} |"
        )
    lines.append(END)
    return "\n".join(lines)
