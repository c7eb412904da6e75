"""What a run of the schedule upload stages between its tasks, and where.

The `build_schedules` task stages each aircraft's activity bodies (ACTIVITIES), the decisions
(DECISIONS) and the failed sources (SOURCES); `upload` and `record_status` read them by run id.
Tasks pass on only small summaries in XCom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from aerosync.models import Decision
from aerosync.stores.migrate import ensure_migrated
from aerosync.stores.staging import StagingStore
from aerosync.stores.status import StatusStore

ACTIVITIES, DECISIONS, SOURCES = "activities", "decisions", "sources"


@dataclass
class Stores:
    staging: StagingStore
    status: StatusStore

    @classmethod
    def on(cls, engine: Engine) -> Stores:
        """The stores of a task that writes: the database is migrated to head first."""
        ensure_migrated(engine)
        return cls(StagingStore(engine), StatusStore(engine))


def staged_decisions(
    stores: Stores, company_id: str, run_id: str, tails: Sequence[str] | None = None
) -> dict[str, Decision]:
    """The run's decisions as `step_validate` staged them (DECISIONS), of `tails` or all."""
    staged = stores.staging.get(company_id, run_id, DECISIONS, tails)
    return {tail: Decision.from_dict(data) for tail, data in staged.items()}
