"""Enrolments and progress per person and course (`training_enrolments`), from two feeds.

- The statements source (the LRS, or the LMS's statements CSV): a statement about a course itself
  (its object is the course, not one of its modules) with verb `registered` (status
  `registered`), `progressed` (`in_progress`, with the statement's progress, see
  `aerosync.crew.xapi`), or `completed`, `passed`, `failed` (the result, which stays a training
  record as well, ends the enrolment: progress 1 for completed and passed). The enrolment is the
  statement's `context.registration` (CSV: `registration`), else the one of that employee and
  course (`enrolment_id_of`). The statement's timestamp is when this happened.
- The `enrolments` source (CSV or REST): the LMS's view of an enrolment, in the table's columns
  (`enrolment_id` empty: the one of that employee and course); times ISO 8601 with their offset,
  `progress` 0 to 1, `status` one of `STATUSES`, `completed_at` when (and only when) it ended.

Every row is an observation of an enrolment; the stored row is the join of all of them (`join`),
so the order they arrive in does not matter (statements out of order, windows backfilled in any
order) and an observation read again changes nothing:
- `registered_at` is the earliest, `updated_at` the latest, `progress` the highest (it never goes
  back);
- once an observation has ended the enrolment, the ending with the latest `completed_at` is its
  status (at the same instant: passed, completed, failed, withdrawn, in that order) and nothing
  earlier or unended undoes it: a `progressed` that arrives after a `completed` leaves it
  completed. Before that, `in_progress` once any observation says so, else `registered`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sqlalchemy import Engine, bindparam, text

from aerosync.crew.mapping import Mapped, _Reader
from aerosync.crew.tables import ENROLMENTS
from aerosync.crew.values import read_float, read_time
from aerosync.crew.xapi import statement_row

# Enrolments that have not ended, in the order they move on.
OPEN = ("registered", "in_progress")
# Endings, from the one that yields at the same instant to the one that wins.
ENDED = ("withdrawn", "failed", "completed", "passed")
STATUSES = frozenset(OPEN + ENDED)
VERB_STATUS = {
    "registered": "registered",
    "progressed": "in_progress",
    "completed": "completed",
    "passed": "passed",
    "failed": "failed",
}
_NAMESPACE = uuid.UUID("8d3f2a61-5b7c-4e0a-9c1d-2f6e4b8a7c35")
_CHUNK = 500


def enrolment_id_of(employee_id: str | None, course_id: str | None) -> str | None:
    """The stable id of an employee's enrolment in a course, when the LMS names none."""
    if employee_id is None or course_id is None:
        return None
    return str(uuid.uuid5(_NAMESPACE, f"{employee_id}\n{course_id}"))


def _status(value: Any) -> str | None:
    """Lower case, `in progress` and `in-progress` read as `in_progress`."""
    if value is None:
        return None
    return str(value).lower().replace(" ", "_").replace("-", "_")


def map_enrolment(raw: Mapping[str, Any], row_ref: str) -> Mapped:
    """A row of the LMS's enrolments export."""
    r = _Reader(raw)
    employee, course = r.get("employee_id"), r.get("course_id")
    record = {
        "enrolment_id": r.get("enrolment_id") or enrolment_id_of(employee, course),
        "employee_id": employee,
        "course_id": course,
        "status": _status(r.get("status")),
        "progress": r.get("progress", read_float),
        "registered_at": r.get("registered_at", read_time),
        "updated_at": r.get("updated_at", read_time),
        "completed_at": r.get("completed_at", read_time),
    }
    return Mapped(ENROLMENTS.source, row_ref, dict(raw), record, r.unreadable)


def _flat(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """A staged statement's row as the CSV export has it: an LRS statement (its actor is an
    object, which no CSV value is) is flattened again; a CSV row already is flat."""
    return statement_row(raw) if isinstance(raw.get("actor"), Mapping) else raw


def statement_event(statement: Mapped) -> Mapped | None:
    """The enrolment observation of a staged statement, if it is about a course's enrolment."""
    r = statement.record
    status = VERB_STATUS.get(r.get("verb") or "")
    if status is None or r.get("module_id") is not None:
        return None
    reader = _Reader(_flat(statement.raw))
    registration = reader.get("registration")
    progress = None
    if status == "in_progress":
        progress = reader.get("progress", read_float)
    elif status in ("completed", "passed"):
        progress = 1.0
    at = r.get("completed_at")  # the statement's timestamp
    unreadable = dict(reader.unreadable)
    if "completed_at" in statement.unreadable:
        unreadable["updated_at"] = statement.unreadable["completed_at"]
    record = {
        "enrolment_id": registration or enrolment_id_of(r.get("employee_id"), r.get("course_id")),
        "employee_id": r.get("employee_id"),
        "course_id": r.get("course_id"),
        "status": status,
        "progress": progress,
        "registered_at": at if status == "registered" else None,
        "updated_at": at,
        "completed_at": at if status in ENDED else None,
    }
    return Mapped(ENROLMENTS.source, statement.row_ref, statement.raw, record, unreadable)


def _ending(row: Mapping[str, Any]) -> tuple[str, int]:
    return str(row["completed_at"] or ""), ENDED.index(row["status"])


def _least(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else min(a, b)


def _most(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else max(a, b)


def join(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """What two observations of one enrolment say together (in either order: the same). The
    employee and course are `a`'s: the gate refuses an observation that names others."""
    ended = [x for x in (a, b) if x["status"] in ENDED]
    if ended:
        last = max(ended, key=_ending)
        status, completed_at = last["status"], last["completed_at"]
    else:
        status, completed_at = max(a["status"], b["status"], key=OPEN.index), None
    return {
        "enrolment_id": a["enrolment_id"],
        "employee_id": a["employee_id"],
        "course_id": a["course_id"],
        "status": status,
        "progress": _most(a["progress"], b["progress"]),
        "registered_at": _least(a["registered_at"], b["registered_at"]),
        "updated_at": _most(a["updated_at"], b["updated_at"]),
        "completed_at": completed_at,
    }


def fold(parts: Iterable[Iterable[Mapping[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Every observation of a run's parts joined per enrolment: one row per enrolment, so the
    run changes (and audits) each enrolment once, whatever parts its observations fell in."""
    folded: dict[str, dict[str, Any]] = {}
    for part in parts:
        for row in part:
            key = str(row["enrolment_id"])
            folded[key] = join(folded[key], row) if key in folded else dict(row)
    return folded


def _stored(engine: Engine, company: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    statement = text(
        "SELECT * FROM training_enrolments WHERE company = :company AND enrolment_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    with engine.connect() as conn:
        rows = conn.execute(statement, {"company": company, "ids": ids}).mappings()
        return {str(row["enrolment_id"]): dict(row) for row in rows}


def joined_with_stored(
    engine: Engine, company: str, parts: Iterable[Iterable[Mapping[str, Any]]]
) -> Iterator[list[dict[str, Any]]]:
    """A run's observations folded per enrolment and joined with the stored enrolment, in
    parts of `_CHUNK` enrolments: the rows to upsert. Memory holds one row per enrolment of the
    run, not one per observation."""
    folded = fold(parts)
    ids = sorted(folded)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        stored = _stored(engine, company, chunk)
        yield [join(stored[i], folded[i]) if i in stored else folded[i] for i in chunk]


def enrolment_owners(engine: Engine, company: str) -> dict[str, tuple[str, str]]:
    """The employee and course of every stored enrolment."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT enrolment_id, employee_id, course_id FROM training_enrolments "
                "WHERE company = :company"
            ),
            {"company": company},
        ).all()
    return {str(r.enrolment_id): (str(r.employee_id), str(r.course_id)) for r in rows}
