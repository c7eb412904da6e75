"""Which source field each crew-table column comes from, as `mapping` (and `catalog`,
`enrolments`) read them: the column lineage the crew sync's lineage events carry.

Only where it is known from the code: a CSV file or a REST item is read field by field (the same
names either way, `map_rows` and `iter_mapped` share the readers). An xAPI statement from an LRS
is flattened first (`xapi.statement_row`) and a roster XML drop is a tree: neither has a field
per column here, so they get none rather than a guess. A column computed from others (a
completion's expiry from the catalog, a leg's block minutes) has none either.
tests/crew/test_field_lineage.py holds this to the mappings: each field changed alone moves
exactly the columns claimed here.
"""

from __future__ import annotations

from aerosync.crew.tables import COMPETENCIES, SESSION_REPORT

# source -> {table column: source field}; only the transports read as flat fields (csv, rest).
FLAT_FIELDS: dict[str, dict[str, str]] = {
    "hris": {
        column: column
        for column in (
            "employee_id",
            "effective_from",
            "name",
            "role",
            "base",
            "employment_status",
            "hired_on",
            "left_on",
        )
    },
    "statements": {
        "record_id": "statement_id",
        **{
            column: column
            for column in (
                "employee_id",
                "course_id",
                "module_id",
                "verb",
                "success",
                "score",
                "completed_at",
                "stored_at",
            )
        },
    },
    "qualifications": {
        column: column for column in ("employee_id", "qualification", "issued_on", "expires_on")
    },
    "ebt_gradings": {
        "session_id": "session_id",
        "employee_id": "pilot_id",
        "session_date": "session_date",
        "instructor_id": "instructor_id",
        **{competency: competency.upper() for competency in COMPETENCIES},
        **{column: column for column in SESSION_REPORT},  # optional: the regulatory exports'
    },
    "courses": {
        column: column
        for column in ("course_id", "title", "category", "validity_days", "ebt_module", "active")
    },
    "enrolments": {
        column: column
        for column in (
            "employee_id",
            "course_id",
            "status",
            "progress",
            "registered_at",
            "updated_at",
            "completed_at",
        )
    },
}
FLAT_TRANSPORTS = frozenset({"csv", "rest"})


def source_fields(source: str, transport: str) -> dict[str, str]:
    """{column: source field} of a source read through `transport` (csv, rest, lrs, xml, fms);
    empty where the field behind a column is not known."""
    if transport not in FLAT_TRANSPORTS:
        return {}
    return dict(FLAT_FIELDS.get(source, {}))
