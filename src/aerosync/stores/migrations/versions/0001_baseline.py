"""The schema of AeroSync 0.1.0, the first release: status, staging, validation results and the
training tables.

It runs the release's own DDL (`../baseline/*.sql`, frozen), not a translation of it, so a
database this revision creates is the one 0.1.0 made, on SQLite and PostgreSQL alike. Every
statement is `IF NOT EXISTS`: on a database 0.1.0 made (its tables, no version table; the status
tables alone where no training sync ever ran) the same revision fills in what is missing and
leaves every existing table and row as it is (`aerosync.stores.migrate` checks their columns
first).

Revision ID: 0001_baseline
Revises: -
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

from aerosync.config.dialects import split_statements
from aerosync.stores.database import compress_staging_with_lz4

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

BASELINE = Path(__file__).resolve().parent.parent / "baseline"
FILES = ("schema.sql", "training.sql")
TABLES = (
    "upload_status", "staged_data", "validation_results", "training_employee_versions",
    "training_records", "training_qualifications", "training_ebt_gradings",
    "training_quarantine", "training_audit", "training_sync_runs", "training_sync_exports",
)  # fmt: skip


def upgrade() -> None:
    for name in FILES:
        for statement in split_statements((BASELINE / name).read_text(encoding="utf-8")):
            op.execute(statement)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        compress_staging_with_lz4(bind)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE IF EXISTS {table}")
