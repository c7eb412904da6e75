"""The check columns of the LMS's course catalog and enrolments (suites
`expectations/training_courses.json` and `training_enrolments.json`), and the one the catalog
adds to completions (`course_in_catalog`, a warning in `training_statements.json`).

They compare a row with reference data the way `aerosync.crew.checks` compares one with the
known employees: the catalog's courses (stored, and those of this run that passed the gate, since
courses are gated before statements) and the employee and course each enrolment belongs to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from aerosync.crew.enrolments import ENDED, STATUSES
from aerosync.crew.mapping import Mapped
from aerosync.crew.values import moment_of

LMS_SOURCES = ("courses", "enrolments")


@dataclass
class LmsReferences:
    """`courses`: the catalog's course ids, None when the company configures no catalog (then
    no completion is warned about). `owners`: (employee, course) of each enrolment, stored or
    passed earlier in the batch."""

    courses: set[str] | None = None
    owners: dict[str, tuple[str, str]] = field(default_factory=dict)

    def knows_course(self, course_id: str | None) -> bool:
        return self.courses is None or course_id is None or course_id in self.courses

    def owner_matches(self, m: Mapped) -> bool:
        r = m.record
        owner = self.owners.get(str(r["enrolment_id"]))
        return owner is None or owner == (r["employee_id"], r["course_id"])

    def passed(self, m: Mapped) -> None:
        """A row the gate let through becomes reference data for the rows after it."""
        r = m.record
        if m.source == "courses" and self.courses is not None and r["course_id"] is not None:
            self.courses.add(str(r["course_id"]))
        elif m.source == "enrolments" and r["enrolment_id"] is not None:
            self.owners.setdefault(
                str(r["enrolment_id"]), (str(r["employee_id"]), str(r["course_id"]))
            )


def _future(value: str | None, window_end: datetime) -> bool:
    moment = moment_of(value)
    return moment is not None and moment > window_end


def _course_checks(m: Mapped, not_unique: bool) -> dict[str, bool]:
    r = m.record
    return {
        "course_id_present": r["course_id"] is not None,
        "validity_not_negative": r["validity_days"] is None or r["validity_days"] >= 0,
        "key_unique": not not_unique,
        "title_present": r["title"] is not None,
    }


def _completion_matches_status(m: Mapped) -> bool:
    r = m.record
    if r["status"] not in STATUSES or "completed_at" in m.unreadable:
        return True  # refused for the status or the time itself
    return (r["status"] in ENDED) == (r["completed_at"] is not None)


def _enrolment_checks(
    m: Mapped, known: set[str], window_end: datetime, references: LmsReferences
) -> dict[str, bool]:
    r = m.record
    completed, registered = r["completed_at"], r["registered_at"]
    return {
        "employee_known": r["employee_id"] in known,
        "course_present": r["course_id"] is not None,
        "enrolment_status_known": r["status"] in STATUSES,
        "progress_in_range": r["progress"] is None or 0 <= r["progress"] <= 1,
        "updated_at_present": r["updated_at"] is not None or "updated_at" in m.unreadable,
        "updated_not_in_future": not _future(r["updated_at"], window_end),
        "completed_after_registered": completed is None
        or registered is None
        or completed >= registered,
        "completion_matches_status": _completion_matches_status(m),
        "enrolment_owner_consistent": r["enrolment_id"] is None or references.owner_matches(m),
        "course_in_catalog": references.knows_course(r["course_id"]),
    }


def lms_row_checks(
    source: str,
    m: Mapped,
    known: set[str],
    window_end: datetime,
    not_unique: bool,
    references: LmsReferences,
) -> dict[str, bool]:
    """The check columns of one catalog or enrolment row; `not_unique`: another course of the
    batch has its id with other content (an enrolment's observations share their id)."""
    checks = {"fields_readable": not m.unreadable}
    if source == "courses":
        return checks | _course_checks(m, not_unique)
    return checks | _enrolment_checks(m, known, window_end, references)


def _owner(m: Mapped) -> tuple[str | None, str]:
    return (
        "employee_id",
        f"enrolment {m.record['enrolment_id']} belongs to another employee or course than "
        f"employee {m.record['employee_id']!r}, course {m.record['course_id']!r}",
    )


DETAILS: dict[str, Callable[[Mapped], tuple[str | None, str]]] = {
    "validity_not_negative": lambda m: (
        "validity_days",
        f"course {m.record['course_id']!r}: {m.record['validity_days']} is negative (days a "
        "completion stays valid; empty: never expires)",
    ),
    "enrolment_status_known": lambda m: (
        "status",
        f"{m.record['status']!r} is not one of {', '.join(sorted(STATUSES))}",
    ),
    "progress_in_range": lambda m: ("progress", f"{m.record['progress']} is outside 0..1"),
    "updated_not_in_future": lambda m: (
        "updated_at",
        f"{m.record['updated_at']} is after the end of the window it was delivered in",
    ),
    "completed_after_registered": lambda m: (
        "completed_at",
        f"{m.record['completed_at']} is before registered_at {m.record['registered_at']}",
    ),
    "completion_matches_status": lambda m: (
        "completed_at",
        f"status {m.record['status']!r} with completed_at "
        f"{m.record['completed_at'] or 'empty'} (an ended enrolment says when it ended; an "
        "open one does not)",
    ),
    "enrolment_owner_consistent": _owner,
    "course_in_catalog": lambda m: (
        "course_id",
        f"course {m.record['course_id']!r} is not in the LMS's course catalog",
    ),
}
