"""Calls that went out and were never answered: an `in_flight` attempt whose task died.

The upload records each attempt (`in_flight`) before its call goes out and settles it when the
answer arrives (safety rule 3). An attempt still `in_flight` once its task is over, or once no
call could still be waiting for its answer, is settled as `unknown`: the marketplace may hold the
new schedule or the old one, and the next run sends the complete schedule again. It is never
"nothing was sent".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aerosync.models import Finding, Outcome
from aerosync.schedule.guards import next_allowed
from aerosync.stores.status import StatusStore
from aerosync.stores.status_records import StatusRecord

# A call's answer may still arrive a little after its request timeout (connect, then read).
ANSWER_MARGIN = timedelta(seconds=60)


def unknown_reason(record: StatusRecord, why: str) -> Finding:
    allowed = next_allowed(record.attempted_at) or record.attempted_at
    return Finding.holding(
        record.tail,
        "OUTCOME_UNKNOWN",
        f"the schedule of {record.tail} was sent to the marketplace at "
        f"{record.attempted_at.astimezone(UTC):%H:%M:%S} UTC and no answer was recorded "
        f"({why}): the call may have reached the marketplace; the next run sends the "
        f"complete schedule again from {allowed.astimezone(UTC):%H:%M:%S} UTC",
    )


def settle_as_unknown(status: StatusStore, record: StatusRecord, why: str) -> StatusRecord:
    record.outcome = Outcome.UNKNOWN
    record.next_allowed_at = next_allowed(record.attempted_at)
    record.reasons = [unknown_reason(record, why).to_dict(), *record.reasons]
    status.settle(record)
    return record


def settle_lost_calls(
    status: StatusStore,
    company: str,
    *,
    run_id: str | None = None,
    other_runs_before: datetime | None = None,
) -> list[StatusRecord]:
    """Settle as `unknown` the company's `in_flight` attempts of `run_id` (its upload tasks are
    over) and those of other runs made before `other_runs_before` (no answer can still come:
    their run died before recording them). Returns the records settled."""
    settled = []
    for record in status.in_flight(company):
        if record.run_id == run_id:
            why = "the upload task stopped before the answer arrived"
        elif other_runs_before is not None and record.attempted_at < other_runs_before:
            why = f"its run {record.run_id} ended without recording the answer"
        else:
            continue
        settled.append(settle_as_unknown(status, record, why))
    return settled
