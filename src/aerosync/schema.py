"""Creating the aerosync database's tables from the DDL files of `include/sql/aerosync/`.

Every task makes sure the tables exist before it touches them, and a run's tasks (and many
companies' runs) start together: on PostgreSQL two concurrent `CREATE TABLE IF NOT EXISTS` of
one table collide on its catalogue entry, so creation holds a transaction-scoped advisory lock.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from aerosync.sql_files import read_sql, split_statements

SCHEMA_LOCK = 7_413_002  # any constant shared by every AeroSync process


def ensure_tables(engine: Engine, *ddl_files: str) -> None:
    """Run the named DDL files of `include/sql/aerosync/` (idempotent statements), serialised."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        for name in ddl_files:
            for statement in split_statements(read_sql("aerosync", name)):
                conn.execute(text(statement))
