"""The maintenance audit (`aerosync_audit`: one row per table a retention purge touched, with
its cutoff and how many rows went) and an index on `validation_results.validated_at`, which
that purge selects by.

Revision ID: 0002_maintenance_audit
Revises: 0001_baseline
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_maintenance_audit"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "aerosync_audit",
        sa.Column("audit_id", sa.Text(), primary_key=True),
        sa.Column("recorded_at", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("rows_affected", sa.Integer(), nullable=False),
        sa.Column("cutoff", sa.Text()),
        sa.Column("detail", sa.Text()),
    )
    op.create_index("aerosync_audit_recorded", "aerosync_audit", ["recorded_at"])
    op.create_index("validation_results_validated_at", "validation_results", ["validated_at"])


def downgrade() -> None:
    op.drop_index("validation_results_validated_at", table_name="validation_results")
    op.drop_index("aerosync_audit_recorded", table_name="aerosync_audit")
    op.drop_table("aerosync_audit")
