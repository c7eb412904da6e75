"""What each source becomes: its table, natural key, value columns and dates.

A source's rows are canonical dicts with exactly the key and value columns of its table; they are
what staging holds between tasks, what the store upserts and what the audit trail records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aerosync.config.training import RecordsSync

# The order sources are extracted, gated and loaded in: HRIS first, since every other record
# belongs to an employee the HRIS must know; the LMS's course catalog before the completions
# whose expiry it gives; the statements before the enrolments they also feed
# (`aerosync.crew.lms_flow`).
SOURCE_ORDER = (
    "hris",
    "courses",
    "statements",
    "enrolments",
    "qualifications",
    "ebt_gradings",
    "flights",
    "roster",
)


def configured_sources(records: RecordsSync) -> list[str]:
    """The sources a company's `training.records` configures, in `SOURCE_ORDER`."""
    return [s for s in SOURCE_ORDER if getattr(records, s) is not None]


COMPETENCIES = ("apk", "com", "fpa", "fpm", "ltw", "psd", "saw", "wlm", "kno")


@dataclass(frozen=True)
class TableSpec:
    source: str  # the key of the source in `training.records`
    table: str
    keys: tuple[str, ...]
    values: tuple[str, ...]
    # The date that puts a row into a data interval (window) of the DAG; "" for master data
    # read whole by every run (the course catalog).
    window_date: str
    # The dates whose latest decides when a row is older than the retention period.
    retention_dates: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.keys + self.values

    def key_of(self, row: dict[str, object]) -> tuple[str, ...]:
        return tuple(str(row[k]) for k in self.keys)


EMPLOYEES = TableSpec(
    source="hris",
    table="training_employee_versions",
    keys=("employee_id", "effective_from"),
    values=("name", "role", "base", "employment_status", "hired_on", "left_on"),
    window_date="effective_from",
    retention_dates=("effective_to",),
)
RECORDS = TableSpec(
    source="statements",
    table="training_records",
    keys=("record_id",),
    values=(
        "employee_id",
        "course_id",
        "module_id",
        "verb",
        "success",
        "score",
        "completed_at",
        "expires_at",
        "stored_at",
    ),
    window_date="stored_at",
    retention_dates=("completed_at", "expires_at"),
)
QUALIFICATIONS = TableSpec(
    source="qualifications",
    table="training_qualifications",
    keys=("employee_id", "qualification", "issued_on"),
    values=("expires_on",),
    window_date="issued_on",
    retention_dates=("issued_on", "expires_on"),
)
# What an EBT session says beyond its grades, for the regulatory exports (migration
# 0004_regulatory_records); each optional in the EBT source.
SESSION_REPORT = (
    "type_code",
    "duty_position",
    "event_category",
    "result",
    "failed_tasks",
    "check_comments",
)
GRADINGS = TableSpec(
    source="ebt_gradings",
    table="training_ebt_gradings",
    keys=("session_id", "employee_id"),
    values=("session_date", "instructor_id", *COMPETENCIES, *SESSION_REPORT),
    window_date="session_date",
    retention_dates=("session_date",),
)
ROSTER = TableSpec(
    source="roster",
    table="training_roster",
    # The table's primary key is (company, employee_id, starts_at); `starts_at` comes first here
    # because the store looks stored rows up by the first key: a window's start times find that
    # window's duties, where its employee ids would fetch each person's whole 24 months.
    keys=("starts_at", "employee_id"),
    values=("ends_at", "duty_date", "duty_type", "duty_code", "base"),
    window_date="duty_date",
    retention_dates=("duty_date", "ends_at"),
)
# The crew on each leg flown, from the FMS (`crew.legs_flown`); a row is kept for its flight date.
LEG_CREW = TableSpec(
    source="flights",
    table="training_leg_crew",
    keys=("leg_id", "employee_id"),
    values=(
        "aircraft_id",
        "tail_number",
        "type_code",
        "off_block",
        "on_block",
        "flown_on",
        "block_minutes",
        "role",
        "pilot_flying",
        "takeoffs_day",
        "takeoffs_night",
        "landings_day",
        "landings_night",
        "counts",
    ),
    window_date="on_block",
    retention_dates=("flown_on",),
)
COURSES = TableSpec(
    source="courses",
    table="training_courses",
    keys=("course_id",),
    values=("title", "category", "validity_days", "ebt_module", "active"),
    window_date="",
    retention_dates=(),  # master data: a course stays while its completions may need it
)
ENROLMENTS = TableSpec(
    source="enrolments",
    table="training_enrolments",
    keys=("enrolment_id",),
    values=(
        "employee_id",
        "course_id",
        "status",
        "progress",
        "registered_at",
        "updated_at",
        "completed_at",
    ),
    window_date="updated_at",
    retention_dates=("registered_at", "updated_at", "completed_at"),
)
# Load order matters only for the unknown-employee check: employees first.
SPECS: tuple[TableSpec, ...] = (
    EMPLOYEES,
    RECORDS,
    QUALIFICATIONS,
    GRADINGS,
    COURSES,
    ENROLMENTS,
    LEG_CREW,
    ROSTER,
)
BY_SOURCE = {spec.source: spec for spec in SPECS}
