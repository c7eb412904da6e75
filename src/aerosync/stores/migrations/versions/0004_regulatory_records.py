"""Regulatory records (issue 19): what an EBT session needs so it can be reported to the FAA's
Pilot Records Database (14 CFR 111.225) and listed in the EASA crew training record
(ORO.MLR.115), which the grades alone do not say.

`training_ebt_gradings` gains, each nullable (rows loaded before, and EBT systems that do not
send them, leave them NULL; the regulatory exports' suite then names the pilot and the missing
field instead of inventing a value):
- `type_code`: the aircraft type (ICAO Doc 8643 designator) the session was flown in;
- `duty_position`: the seat the pilot was graded in (`PIC`, `SIC`);
- `event_category`: the curriculum's category of the event (`recurrent`, `initial`, `upgrade`,
  `transition`, `requalification`, `proficiency_check`, ...);
- `result`: `SAT` or `UNSAT`, the instructor's (check pilot's) verdict on the session;
- `failed_tasks`: for UNSAT, the tasks or manoeuvres failed, separated by `;`;
- `check_comments`: the check pilot's comments (personal data, `aerosync.crew.classification`).

The training program's part and subpart and its curriculum are the company's
(`training.records.regulatory`), not a session's.

Revision ID: 0004_regulatory_records
Revises: 0003_crew_operations
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_regulatory_records"
down_revision = "0003_crew_operations"
branch_labels = None
depends_on = None

COLUMNS = (
    "type_code",
    "duty_position",
    "event_category",
    "result",
    "failed_tasks",
    "check_comments",
)


def upgrade() -> None:
    with op.batch_alter_table("training_ebt_gradings") as batch:
        for column in COLUMNS:
            batch.add_column(sa.Column(column, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("training_ebt_gradings") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
