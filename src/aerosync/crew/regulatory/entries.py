"""Each person's training, checking and qualification records as entries with a date and a
validity, the common ground of the EASA record (`easa`) and the expiring report (`expiring`).

- an LMS result (`training_records`): a `training` entry, dated its completion, valid until its
  expiry (the catalog's validity);
- an EBT session (`training_ebt_gradings`): a `check` entry, valid through the day before
  12 calendar months after it (ORO.FC.231, as readiness counts it);
- a qualification (`training_qualifications`): a `check` for a proficiency or line check, else a
  `qualification`, valid through its expiry. Medicals are left out: a medical certificate is
  aeromedical, not a training, checking or qualification record, and its dates are health data
  (`aerosync.crew.classification`).

Only what was known on the day counts: entries dated after it are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine

from aerosync.crew.classification import is_medical
from aerosync.crew.readiness.days import add_months
from aerosync.crew.regulatory.provenance import Stored, with_provenance
from aerosync.crew.retention import too_old
from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import COURSES, GRADINGS, QUALIFICATIONS, RECORDS

# Qualification codes that are checks (licence and operator proficiency checks, line checks).
CHECK_CODES = ("LPC", "OPC", "LINE_CHECK", "PROFICIENCY_CHECK")
TYPE_RATING = "TYPE_RATING:"


@dataclass(frozen=True)
class Entry:
    employee_id: str
    kind: str  # training, check, qualification
    item: str  # what it is: a course (and module), a qualification code, an EBT session
    title: str | None
    aircraft_type: str | None
    on: date
    valid_until: date | None  # the last day it is valid; None: no expiry
    result: str | None
    stored: Stored

    @property
    def lineage(self) -> str:
        """What a later entry of the same kind renews: a course, a code, the EBT module."""
        return "EBT module" if self.stored.spec is GRADINGS else self.item.split("/")[0]

    def kept_from(self, first_kept: date) -> bool:
        """In the retention period: what the retention purge keeps (`too_old`: the latest of
        its table's retention dates on or after the first day kept; an EBT session by its
        date, not its validity)."""
        return not too_old(self.stored.row, self.stored.spec, first_kept.isoformat())


def _day(value: object) -> date | None:
    return None if value is None else date.fromisoformat(str(value)[:10])


def _training(stored: Stored, titles: dict[str, str | None]) -> Entry:
    course = str(stored["course_id"])
    module = stored["module_id"]
    on = _day(stored["completed_at"])
    assert on is not None
    return Entry(
        str(stored["employee_id"]), "training", f"{course}/{module}" if module else course,
        titles.get(course), None, on, _day(stored["expires_at"]), stored["verb"], stored,
    )  # fmt: skip


def _session(stored: Stored) -> Entry:
    on = _day(stored["session_date"])
    assert on is not None
    until = add_months(on, 12) - timedelta(days=1)
    return Entry(
        str(stored["employee_id"]), "check", f"EBT session {stored['session_id']}",
        stored["event_category"], stored["type_code"], on, until, stored["result"], stored,
    )  # fmt: skip


def _qualification(stored: Stored) -> Entry:
    code = str(stored["qualification"])
    on = _day(stored["issued_on"])
    assert on is not None
    kind = "check" if code.split(":")[0] in CHECK_CODES else "qualification"
    rated = code[len(TYPE_RATING) :] if code.startswith(TYPE_RATING) else None
    return Entry(
        str(stored["employee_id"]), kind, code, None, rated, on, _day(stored["expires_on"]),
        None, stored,
    )  # fmt: skip


def entries_as_of(engine: Engine, company: str, day: date) -> list[Entry]:
    """Every entry of every person dated on or before `day`, in (person, date, item) order."""
    store = TrainingStore(engine)
    titles = {str(c["course_id"]): c["title"] for c in store.rows(company, COURSES)}
    by_day = {"day": day.isoformat()}
    records = store.rows(company, RECORDS, "AND SUBSTR(completed_at, 1, 10) <= :day", **by_day)
    quals = store.rows(company, QUALIFICATIONS, "AND issued_on <= :day", **by_day)
    sessions = store.rows(company, GRADINGS, "AND session_date <= :day", **by_day)
    quals = [q for q in quals if not is_medical(q["qualification"])]
    entries = [_training(s, titles) for s in with_provenance(engine, company, RECORDS, records)]
    entries += [_qualification(s) for s in with_provenance(engine, company, QUALIFICATIONS, quals)]
    entries += [_session(s) for s in with_provenance(engine, company, GRADINGS, sessions)]
    return sorted(entries, key=lambda e: (e.employee_id, e.on, e.item, e.stored.source_row))
