"""Every column of the crew tables (`training_*`) with its class, in one place, and who may
receive which class.

Classes, least to most guarded:
- `public`: could be published without harm (an ICAO type designator, a registration).
- `internal`: the operator's business, not about a person beyond an id: keys, employee ids (the
  pseudonymous id by which errors and logs name a person), qualification codes, run ids, counts.
- `personal`: says something about a person: names, e-mail addresses, dates of birth, hire and
  leaving dates, results, grades, a check pilot's comments, what a person flew and when.
- `sensitive`: health data, chiefly a medical certificate's dates, and anything that may hold
  them (a refused row as read, an audit entry's old and new values, a readiness lapse date).

A qualification's dates are `internal`, except on a medical's row (`MEDICAL`, `MEDICAL:<class>`),
where they are `sensitive`: one column, two classes, told apart by `sensitive_when`.

Logs, XCom, alerts and lineage events take `internal` at most. Each export declares its columns'
classes and its recipient (`aerosync.crew.export`, `aerosync.crew.readiness.export`,
`aerosync.crew.regulatory`), and a test holds every declaration to its recipient's entitlement.

Decided: the readiness export's `MEDICAL` lapse date (`qualification:MEDICAL.lapses_on`, and the
pair's `lapses_on` when the medical lapses first) goes to flight operations and crew management.
It is a medical date, so `sensitive`; it goes because dispatchers plan crews on when a pilot may
no longer fly, and a readiness export that hid it would tell them "ready" up to the day a
pilot is grounded. Only the lapse date goes (never the issue date, the medical's class or any
other health data), only to the crew systems that export is configured for, and no other export
carries a medical date: the regulators' exports and the expiring report leave medicals out (a
medical certificate is aeromedical, not a training, checking or qualification record of
ORO.MLR.115, nor PRD data under 14 CFR 111.225).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class Level(IntEnum):
    PUBLIC = 0
    INTERNAL = 1
    PERSONAL = 2
    SENSITIVE = 3

    def __str__(self) -> str:
        return self.name.lower()


PUBLIC, INTERNAL, PERSONAL, SENSITIVE = (
    Level.PUBLIC,
    Level.INTERNAL,
    Level.PERSONAL,
    Level.SENSITIVE,
)


def is_medical(qualification: Any) -> bool:
    """A medical certificate's row: its dates are health data."""
    code = str(qualification or "").upper()
    return code == "MEDICAL" or code.startswith("MEDICAL:")


@dataclass(frozen=True)
class Classified:
    level: Level
    # `sensitive` on rows where this holds (a medical's dates), `level` elsewhere.
    sensitive_when: str | None = None

    def of_row(self, row: Mapping[str, Any]) -> Level:
        if self.sensitive_when == "medical" and is_medical(row.get("qualification")):
            return SENSITIVE
        return self.level

    @property
    def highest(self) -> Level:
        return SENSITIVE if self.sensitive_when else self.level


_I, _P, _S = Classified(INTERNAL), Classified(PERSONAL), Classified(SENSITIVE)
_MEDICAL_DATE = Classified(INTERNAL, sensitive_when="medical")
# Every crew table names its company and says where each row came from and which run changed it.
_PROVENANCE = {"company": _I, "source": _I, "last_run_id": _I, "last_changed_at": _I}
_GRADES = dict.fromkeys(("apk", "com", "fpa", "fpm", "ltw", "psd", "saw", "wlm", "kno"), _P)

COLUMNS: dict[str, dict[str, Classified]] = {
    "training_employee_versions": {
        **_PROVENANCE,
        "employee_id": _I, "effective_from": _I, "effective_to": _I,
        "name": _P, "role": _I, "base": _I, "employment_status": _P,
        "hired_on": _P, "left_on": _P,
    },
    "training_records": {
        **_PROVENANCE,
        "record_id": _I, "employee_id": _I, "course_id": _I, "module_id": _I, "verb": _P,
        "success": _P, "score": _P, "completed_at": _I, "expires_at": _I, "stored_at": _I,
    },
    "training_qualifications": {
        **_PROVENANCE,
        "employee_id": _I, "qualification": _I,
        "issued_on": _MEDICAL_DATE, "expires_on": _MEDICAL_DATE,
    },
    "training_ebt_gradings": {
        **_PROVENANCE, **_GRADES,
        "session_id": _I, "employee_id": _I, "session_date": _I, "instructor_id": _I,
        "type_code": Classified(PUBLIC), "duty_position": _I, "event_category": _I,
        "result": _P, "failed_tasks": _P, "check_comments": _P,
    },
    "training_leg_crew": {
        **_PROVENANCE,
        "leg_id": _I, "employee_id": _I, "aircraft_id": _I, "tail_number": Classified(PUBLIC),
        "type_code": Classified(PUBLIC), "off_block": _I, "on_block": _I, "flown_on": _I,
        "block_minutes": _P, "role": _I, "pilot_flying": _P, "takeoffs_day": _P,
        "takeoffs_night": _P, "landings_day": _P, "landings_night": _P, "counts": _I,
    },
    "training_roster": {
        **_PROVENANCE,
        "employee_id": _I, "starts_at": _P, "ends_at": _P, "duty_date": _P,
        # A duty's type and code may be sick leave: health data.
        "duty_type": _S, "duty_code": _S, "base": _I,
    },
    "training_courses": {
        **_PROVENANCE,
        "course_id": _I, "title": _I, "category": _I, "validity_days": _I,
        "ebt_module": _I, "active": _I,
    },
    "training_enrolments": {
        **_PROVENANCE,
        "enrolment_id": _I, "employee_id": _I, "course_id": _I, "status": _P, "progress": _P,
        "registered_at": _I, "updated_at": _I, "completed_at": _I,
    },
    "training_readiness": {
        "company": _I, "as_of": _I, "employee_id": _I, "type_code": Classified(PUBLIC),
        "ready": _P, "failing": _P,
        # The earliest lapse may be the medical's; `rules` holds every rule's lapse date.
        "lapses_on": _S, "rules": _S, "run_id": _I, "exported_at": _I,
    },
    # A refused row as read, and what it was mapped to: any source's columns, medicals included.
    "training_quarantine": {
        "company": _I, "source": _I, "fingerprint": _I, "row_ref": _I, "employee_id": _I,
        "reason_codes": _I, "reasons": _I, "row_data": _S, "record": _S, "first_run_id": _I,
        "quarantined_at": _I, "resolved_at": _I, "resolved_run_id": _I,
    },
    # Every change's old and new values: a medical's dates among them.
    "training_audit": {
        "audit_id": _I, "company": _I, "run_id": _I, "source": _I, "table_name": _I,
        "record_key": _S, "action": _I, "old_values": _S, "new_values": _S, "changed_at": _I,
    },
    # Counts and redacted failure messages, never row data (`aerosync.crew.run_log`).
    "training_sync_runs": {
        "company": _I, "run_id": _I, "source": _I, "window_start": _I, "window_end": _I,
        "started_at": _I, "updated_at": _I, "rows_read": _I, "rows_in_window": _I,
        "rows_good": _I, "rows_quarantined": _I, "rows_inserted": _I, "rows_updated": _I,
        "rows_unchanged": _I, "failure": _I,
    },
    "training_sync_exports": {
        "company": _I, "run_id": _I, "export": _I, "window_start": _I, "window_end": _I,
        "location": _I, "row_count": _I, "written_at": _I, "failure": _I,
    },
}  # fmt: skip


def level_of(table: str, column: str, row: Mapping[str, Any] | None = None) -> Level:
    """The class of one column (on one row, for a column whose class depends on it)."""
    classified = COLUMNS[table][column]
    return classified.highest if row is None else classified.of_row(row)


def medical_lapse_date(column: str) -> bool:
    """A readiness column that is, or may be, a medical's lapse date: a medical rule's
    (`qualification:MEDICAL.lapses_on`, `qualification:MEDICAL:1.lapses_on`) or the pair's
    first lapse (`lapses_on`)."""
    if column == "lapses_on":
        return True
    rule, _, figure = column.rpartition(".")
    code = rule.removeprefix("qualification:")
    return figure == "lapses_on" and rule.startswith("qualification:") and is_medical(code)


def _none(column: str) -> bool:
    return False


@dataclass(frozen=True)
class Recipient:
    """Who receives an export: the highest class it may receive, and which sensitive columns it
    is entitled to all the same (`sensitive_allowed`; each argued in this module's docstring)."""

    name: str
    entitled: Level
    sensitive_allowed: Callable[[str], bool] = _none

    def refuses(self, column: str, level: Level) -> bool:
        return level > self.entitled and not (level == SENSITIVE and self.sensitive_allowed(column))


CREW_MANAGEMENT = Recipient("crew management (training-status CSV)", PERSONAL)
FLIGHT_OPERATIONS = Recipient(
    "flight operations and crew management (readiness)", PERSONAL, medical_lapse_date
)
FAA_PRD = Recipient("the FAA Pilot Records Database", PERSONAL)
EASA_RECORD = Recipient("the EASA crew training record (the authority, the crew member)", PERSONAL)
TRAINING_DEPARTMENT = Recipient("the training department (expiring report)", PERSONAL)
# Task logs, XCom, alerts, lineage events, error messages.
OBSERVERS = Recipient("logs, XCom, alerts and lineage", INTERNAL)


@dataclass(frozen=True)
class ExportDeclaration:
    """An export's columns, each with its class, and who receives it."""

    export: str
    recipient: Recipient
    columns: Mapping[str, Level]

    def refused(self) -> list[str]:
        """The columns its recipient is not entitled to (a test keeps this empty)."""
        return [c for c, level in self.columns.items() if self.recipient.refuses(c, level)]


def crew_tables() -> list[str]:
    return sorted(COLUMNS)


def columns_for(recipient: Recipient, table: str) -> list[str]:
    """The columns of a crew table `recipient` may see, on any row (e.g. the columns a lineage
    event's column-level facet may name: `columns_for(OBSERVERS, table)`)."""
    return [
        column
        for column, classified in COLUMNS[table].items()
        if not recipient.refuses(column, classified.highest)
    ]
