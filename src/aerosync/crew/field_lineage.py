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

from aerosync.crew.tables import (
    COMPETENCIES,
    COURSES,
    EMPLOYEES,
    ENROLMENTS,
    GRADINGS,
    QUALIFICATIONS,
    RECORDS,
    TableSpec,
)


def _fields(
    spec: TableSpec, renamed: dict[str, str] | None = None, unknown: tuple[str, ...] = ()
) -> dict[str, str]:
    """{column: field} of a table whose columns are read from fields of the same name, except
    those `renamed` and the `unknown` ones (given by a field when present, else computed)."""
    renamed = renamed or {}
    return {c: renamed.get(c, c) for c in spec.columns if c not in unknown}


# source -> {table column: source field}; only the transports read as flat fields (csv, rest).
FLAT_FIELDS: dict[str, dict[str, str]] = {
    "hris": _fields(EMPLOYEES),
    "statements": _fields(RECORDS, {"record_id": "statement_id"}, unknown=("expires_at",)),
    "qualifications": _fields(QUALIFICATIONS),
    "ebt_gradings": _fields(
        GRADINGS, {"employee_id": "pilot_id", **{c: c.upper() for c in COMPETENCIES}}
    ),
    "courses": _fields(COURSES),
    "enrolments": _fields(ENROLMENTS, unknown=("enrolment_id",)),
}
FLAT_TRANSPORTS = frozenset({"csv", "rest"})


def source_fields(source: str, transport: str) -> dict[str, str]:
    """{column: source field} of a source read through `transport` (csv, rest, lrs, xml, fms);
    empty where the field behind a column is not known."""
    if transport not in FLAT_TRANSPORTS:
        return {}
    return dict(FLAT_FIELDS.get(source, {}))
