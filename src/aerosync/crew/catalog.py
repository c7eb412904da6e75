"""The LMS's course catalog (`training_courses`) and the expiry it gives completions.

A catalog row (CSV column or REST field of the same name): `course_id`, `title`, `category`,
`validity_days` (a whole number of days; empty: a completion never expires), `ebt_module` (true
when completing the course is an EBT module; empty: false) and `active` (empty: true). The
catalog is master data: every run reads it whole and loading it again changes nothing; a course
missing from a later export stays as last delivered (nothing is deleted on a source's silence).

The expiry of a completion (`training_records.expires_at`), first that applies:
1. the `expires_at` the LMS gave with the completion (a CSV column);
2. `training.records.course_validity_days` of the companies file: an override, applied when the
   completion is mapped;
3. the catalog's `validity_days`, applied when the completion is loaded, from the catalog as
   loaded by this run (courses load before statements) or an earlier one;
4. none: a course unknown to both, or one whose validity is empty, never expires.
A failed result never expires. Every run reads the whole catalog, so a backfill of any window, in
any order, gives a completion the same expiry; if the catalog changes a course's validity, a
re-run of a window recomputes the expiry of its completions (an audited update).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, text

from aerosync.crew.mapping import Mapped, _Reader, expiry
from aerosync.crew.tables import COURSES
from aerosync.crew.values import read_bool, read_int


def _flag(default: int) -> Any:
    """A reader of a true/false field as 0 or 1, `default` when empty."""

    def read(value: Any) -> int:
        flag = read_bool(value)
        return default if flag is None else int(flag == "true")

    return read


def map_course(raw: Mapping[str, Any], row_ref: str) -> Mapped:
    """A row of the LMS's catalog export."""
    r = _Reader(raw)
    record = {
        "course_id": r.get("course_id"),
        "title": r.get("title"),
        "category": r.get("category"),
        # A negative number is read as given: the gate refuses it by its own rule.
        "validity_days": r.get("validity_days", read_int),
        "ebt_module": r.get("ebt_module", _flag(0)),
        "active": r.get("active", _flag(1)),
    }
    return Mapped(COURSES.source, row_ref, dict(raw), record, r.unreadable)


def course_ids(engine: Engine, company: str) -> set[str]:
    """Every course of the company's stored catalog."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT course_id FROM training_courses WHERE company = :company"),
            {"company": company},
        ).all()
    return {str(row.course_id) for row in rows}


def catalog_validity(engine: Engine, company: str) -> dict[str, int]:
    """Validity in days of every stored course that has one."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT course_id, validity_days FROM training_courses "
                "WHERE company = :company AND validity_days IS NOT NULL"
            ),
            {"company": company},
        ).all()
    return {str(row.course_id): int(row.validity_days) for row in rows}


def with_catalog_expiry(
    rows: Sequence[dict[str, Any]], validity_days: Mapping[str, int]
) -> list[dict[str, Any]]:
    """Training records whose expiry neither the LMS nor the override gave, with the catalog's
    (`expires_at` stays empty for a course without validity, and for a failed result)."""
    out = []
    for row in rows:
        if row.get("expires_at") is None:
            given = expiry(
                row.get("course_id"),
                row.get("completed_at"),
                row.get("success"),
                row.get("verb"),
                validity_days,
            )
            row = {**row, "expires_at": given}
        out.append(row)
    return out
