"""Crew operations (issue 18): what crew flew, their rosters, the LMS's course catalog and
enrolments, and the readiness each export last said.

Conventions as in the baseline's training tables: dates are ISO 8601 text (`YYYY-MM-DD`), times
ISO 8601 UTC text (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), both sorting as text; a boolean is an INTEGER
0/1; every table is keyed by company and the row's natural key, with `source`, `last_run_id` and
`last_changed_at` saying where a row came from and which run last changed it.

- `training_leg_crew`: one row per crew member and leg flown, from the FMS's `leg_crew` through
  the dialect's `crew_legs.sql`. `flown_on` is the UTC date of `on_block` (the day a leg counts
  on); `block_minutes` is `on_block - off_block`; `counts` is 0 for a leg that counts for nothing
  (cancelled, or its trip QUOTED, OPTION or CANCELLED), kept so a leg cancelled after it was
  loaded stops counting instead of lingering.
- `training_roster`: one row per duty of a person (crew management), by its UTC start.
- `training_courses`: the LMS catalog; `validity_days` NULL means a completion never expires;
  `ebt_module` marks a course whose completion is an EBT module.
- `training_enrolments`: enrolments and progress per person and course (xAPI `registered`,
  `progressed`, and the results that end them; or the LMS's CSV).
- `training_readiness`: per company, day (`as_of`), pilot and type, what the readiness export
  said, so the next export flags only what changed; `rules` holds each rule's state as JSON.

Revision ID: 0003_crew_operations
Revises: 0002_maintenance_audit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_crew_operations"
down_revision = "0002_maintenance_audit"
branch_labels = None
depends_on = None


def _provenance() -> list[sa.Column[str]]:
    return [
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("last_run_id", sa.Text(), nullable=False),
        sa.Column("last_changed_at", sa.Text(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "training_leg_crew",
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("leg_id", sa.Text(), nullable=False),
        sa.Column("employee_id", sa.Text(), nullable=False),
        sa.Column("aircraft_id", sa.Text(), nullable=False),
        sa.Column("tail_number", sa.Text()),
        sa.Column("type_code", sa.Text()),
        sa.Column("off_block", sa.Text(), nullable=False),
        sa.Column("on_block", sa.Text(), nullable=False),
        sa.Column("flown_on", sa.Text(), nullable=False),
        sa.Column("block_minutes", sa.Integer(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("pilot_flying", sa.Integer(), nullable=False),
        sa.Column("takeoffs_day", sa.Integer(), nullable=False),
        sa.Column("takeoffs_night", sa.Integer(), nullable=False),
        sa.Column("landings_day", sa.Integer(), nullable=False),
        sa.Column("landings_night", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Integer(), nullable=False),
        *_provenance(),
        sa.PrimaryKeyConstraint("company", "leg_id", "employee_id"),
    )
    op.create_index("training_leg_crew_flown_on", "training_leg_crew", ["company", "flown_on"])
    op.create_index(
        "training_leg_crew_employee", "training_leg_crew", ["company", "employee_id", "flown_on"]
    )
    op.create_table(
        "training_roster",
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("employee_id", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.Text(), nullable=False),
        sa.Column("ends_at", sa.Text(), nullable=False),
        sa.Column("duty_date", sa.Text(), nullable=False),
        sa.Column("duty_type", sa.Text(), nullable=False),
        sa.Column("duty_code", sa.Text()),
        sa.Column("base", sa.Text()),
        *_provenance(),
        sa.PrimaryKeyConstraint("company", "employee_id", "starts_at"),
    )
    op.create_index("training_roster_duty_date", "training_roster", ["company", "duty_date"])
    op.create_table(
        "training_courses",
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("course_id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("category", sa.Text()),
        sa.Column("validity_days", sa.Integer()),
        sa.Column("ebt_module", sa.Integer(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        *_provenance(),
        sa.PrimaryKeyConstraint("company", "course_id"),
    )
    op.create_table(
        "training_enrolments",
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("enrolment_id", sa.Text(), nullable=False),
        sa.Column("employee_id", sa.Text(), nullable=False),
        sa.Column("course_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("progress", sa.Float()),
        sa.Column("registered_at", sa.Text()),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.Column("completed_at", sa.Text()),
        *_provenance(),
        sa.PrimaryKeyConstraint("company", "enrolment_id"),
    )
    op.create_index(
        "training_enrolments_employee", "training_enrolments", ["company", "employee_id"]
    )
    op.create_table(
        "training_readiness",
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Text(), nullable=False),
        sa.Column("employee_id", sa.Text(), nullable=False),
        sa.Column("type_code", sa.Text(), nullable=False),
        sa.Column("ready", sa.Integer(), nullable=False),
        sa.Column("failing", sa.Text(), nullable=False),
        sa.Column("lapses_on", sa.Text()),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("exported_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("company", "as_of", "employee_id", "type_code"),
    )


def downgrade() -> None:
    op.drop_table("training_readiness")
    op.drop_index("training_enrolments_employee", table_name="training_enrolments")
    op.drop_table("training_enrolments")
    op.drop_table("training_courses")
    op.drop_index("training_roster_duty_date", table_name="training_roster")
    op.drop_table("training_roster")
    op.drop_index("training_leg_crew_employee", table_name="training_leg_crew")
    op.drop_index("training_leg_crew_flown_on", table_name="training_leg_crew")
    op.drop_table("training_leg_crew")
