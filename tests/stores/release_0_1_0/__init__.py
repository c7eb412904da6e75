"""A database as AeroSync 0.1.0 (main before schema migrations) made it: its own DDL files, copied
here unchanged (`schema.sql`, `training.sql`), run as its `ensure_tables` ran them, and a row in
every table. The migration tests build one, migrate it, and count every table before and after.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from aerosync.config.dialects import split_statements

RELEASE_0_1_0 = Path(__file__).resolve().parent
FILES = ("schema.sql", "training.sql")
T = "2026-11-24T12:00:00.000000Z"
OLD = "2025-01-02T12:00:00.000000Z"
# One row or more per table, as the release's tasks wrote them (every NOT NULL column set).
ROWS: dict[str, list[dict[str, object]]] = {
    "upload_status": [
        {"attempt_id": "a1", "company": "skyway", "tail": "N1SW", "run_id": "r1",
         "attempted_at": T, "outcome": "uploaded", "http_status": 200, "activities_sent": 4,
         "last_success_at": T, "validation_id": "v1", "upload_map_index": 0},
        {"attempt_id": "a0", "company": "skyway", "tail": "N1SW", "run_id": "r0",
         "attempted_at": OLD, "outcome": "failed", "http_status": 500},
    ],
    "staged_data": [
        {"company": "skyway", "run_id": "r1", "stage": "decisions", "tail": "N1SW",
         "staged_at": T, "data": "{}"},
    ],
    "validation_results": [
        {"validation_id": "v1", "company": "skyway", "run_id": "r1", "validated_at": T,
         "suite": "activities", "expectation": "not_null(start)", "severity": "blocking",
         "success": True, "element_count": 4, "unexpected_count": 0},
    ],
    "training_employee_versions": [
        {"company": "alpine", "employee_id": "E1", "effective_from": "2026-01-01",
         "name": "Ada", "employment_status": "active", "source": "hris", "last_run_id": "c1",
         "last_changed_at": T},
    ],
    "training_records": [
        {"company": "alpine", "record_id": "R1", "employee_id": "E1", "course_id": "CRM",
         "verb": "completed", "score": 0.9, "completed_at": T, "stored_at": T,
         "source": "statements", "last_run_id": "c1", "last_changed_at": T},
    ],
    "training_qualifications": [
        {"company": "alpine", "employee_id": "E1", "qualification": "LPC",
         "issued_on": "2026-01-01", "source": "qualifications", "last_run_id": "c1",
         "last_changed_at": T},
    ],
    "training_ebt_gradings": [
        {"company": "alpine", "session_id": "S1", "employee_id": "E1",
         "session_date": "2026-02-01", "apk": 4, "source": "ebt_gradings", "last_run_id": "c1",
         "last_changed_at": T},
    ],
    "training_quarantine": [
        {"company": "alpine", "source": "hris", "fingerprint": "f1", "row_ref": "line 3",
         "reason_codes": "[]", "reasons": "[]", "row_data": "{}", "first_run_id": "c1",
         "quarantined_at": T},
    ],
    "training_audit": [
        {"audit_id": "au1", "company": "alpine", "run_id": "c1", "source": "hris",
         "table_name": "training_employee_versions", "record_key": "{}", "action": "insert",
         "changed_at": T},
    ],
    "training_sync_runs": [
        {"company": "alpine", "run_id": "c1", "source": "hris", "window_start": T,
         "window_end": T, "started_at": T, "updated_at": T, "rows_read": 1},
    ],
    "training_sync_exports": [
        {"company": "alpine", "run_id": "c1", "export": "training_status", "window_start": T,
         "window_end": T, "location": "/tmp/x.csv", "row_count": 1, "written_at": T},
    ],
}  # fmt: skip


def make_release_database(engine: sa.Engine, files: tuple[str, ...] = FILES) -> None:
    """The release's tables (its `ensure_tables(engine, *files)`), without any version table."""
    with engine.begin() as conn:
        for name in files:
            ddl = (RELEASE_0_1_0 / name).read_text(encoding="utf-8")
            for statement in split_statements(ddl):
                conn.execute(sa.text(statement))


def fill(engine: sa.Engine, tables: set[str] | None = None) -> None:
    """`ROWS` into every table (of `tables`, if given)."""
    with engine.begin() as conn:
        for table, rows in ROWS.items():
            if tables is not None and table not in tables:
                continue
            for row in rows:
                columns = ", ".join(row)
                values = ", ".join(f":{c}" for c in row)
                conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row)


def counts(engine: sa.Engine) -> dict[str, int]:
    """Rows per table of the release's tables that are there."""
    present = set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {
            table: int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar() or 0)
            for table in ROWS
            if table in present
        }


def columns(engine: sa.Engine) -> dict[str, list[tuple[str, str, bool]]]:
    """Table -> (column, type, nullable) in order, and its indexes, for comparing schemas."""
    inspector = sa.inspect(engine)
    shape: dict[str, list[tuple[str, str, bool]]] = {}
    for table in sorted(inspector.get_table_names()):
        shape[table] = [
            (c["name"], str(c["type"]), bool(c["nullable"])) for c in inspector.get_columns(table)
        ]
        shape[table] += [
            (f"index {i['name']}", ",".join(str(n) for n in i["column_names"]), False)
            for i in inspector.get_indexes(table)
        ]
        primary = inspector.get_pk_constraint(table)["constrained_columns"]
        shape[table].append(("primary key", ",".join(primary), False))
    return shape
