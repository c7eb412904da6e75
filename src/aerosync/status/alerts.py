"""Which aircraft changed state in a run, for the alerts: one message per aircraft per change
(failed, held, unknown, not attempted, uploaded with the marketplace's errors, no longer marketed,
recovered), never one per run while a state lasts.

Pure: the Airflow side (`aerosync.airflow.alert_notifier`) sends the messages through the SMTP
and HTTP providers' notifiers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aerosync.models import Outcome
from aerosync.stores.status_records import StatusRecord

# Failure-like states: each alerts when an aircraft enters it. `unknown` (the call may have
# reached the marketplace) and `not_attempted` (a task crashed) are failures to the dispatcher.
# `not_marketed` is recorded once, by the run that finds the aircraft gone from the FMS.
BAD = {
    Outcome.FAILED.value,
    Outcome.HELD.value,
    Outcome.UNKNOWN.value,
    Outcome.NOT_ATTEMPTED.value,
    Outcome.NOT_MARKETED.value,
}
# Accepted, but the marketplace reported errors and replaced what it could not take: alerts when
# an aircraft enters it, and a clean upload after it is a recovery.
WITH_ERRORS = Outcome.UPLOADED_WITH_ERRORS.value


@dataclass(frozen=True)
class AlertEvent:
    company: str
    tail: str
    # "failed", "held", "unknown", "not_attempted", "uploaded_with_errors", "not_marketed" or
    # "recovered"
    change: str
    record: StatusRecord

    @property
    def about(self) -> str:
        """What the alert is about, for the task log."""
        return f"{self.tail} ({self.change.replace('_', ' ')})"

    @property
    def subject(self) -> str:
        verb = {
            "failed": "upload FAILED",
            "held": "upload HELD",
            "unknown": "upload outcome UNKNOWN",
            "not_attempted": "upload NOT ATTEMPTED (a task crashed)",
            "uploaded_with_errors": "uploaded WITH ERRORS (the marketplace changed part of it)",
            "not_marketed": "no longer marketed (the marketplace keeps its last schedule)",
            "recovered": "recovered",
        }
        return f"[AeroSync] {self.company} {self.tail}: {verb[self.change]}"

    def text(self) -> str:
        """The message body, in words a dispatcher understands (plain text)."""
        record = self.record
        lines = [f"{self.tail} ({self.company}): {self.change.replace('_', ' ')}."]
        if self.change == "recovered":
            lines.append(f"The marketplace accepted its schedule at {_utc(record.attempted_at)}.")
        elif self.change == "unknown":
            lines.append(
                f"Its schedule was sent at {_utc(record.attempted_at)} and no answer was "
                "recorded: the marketplace may hold the new schedule or the previous one."
            )
        elif self.change == "uploaded_with_errors":
            lines.append(
                f"The marketplace accepted its schedule at {_utc(record.attempted_at)} but "
                "reported the errors below and replaced what it could not take (an unknown "
                "airport becomes the aircraft's homebase): brokers see the replaced values "
                "until the activity is corrected in the FMS."
            )
        elif self.change == "not_marketed":
            lines += _not_marketed(self.company, self.tail, record)
        else:
            lines.append(
                "Its previous marketplace schedule stays as it was"
                + (
                    f" (last accepted {_utc(record.last_success_at)})."
                    if record.last_success_at
                    else " (no upload has been accepted yet)."
                )
            )
        if self.change not in ("recovered", "not_marketed"):
            if record.http_status:
                lines.append(f"HTTP status: {record.http_status}.")
            for item in [*record.reasons, *record.messages]:
                words = item.get("message") or item.get("title") or ""
                code = item.get("code") or ""
                activity = item.get("activity_id")
                lines.append(f"- {code}: {words}" + (f" (activity {activity})" if activity else ""))
        lines.append(f"Run: {record.run_id}. See the Schedule uploads page in Airflow.")
        return "\n".join(lines)


def _not_marketed(company: str, tail: str, record: StatusRecord) -> list[str]:
    """What stays on the marketplace, and the only ways the public API leaves to clear it: a
    `PUT /schedules` replaces an aircraft's whole schedule, so one with no activities deletes
    it; there is no delete call."""
    if record.last_success_at is None:
        kept = (
            "AeroSync never had a schedule of it accepted, so nothing of AeroSync's stays on "
            "the marketplace (another system may have sent one)."
        )
    else:
        kept = (
            "The marketplace keeps the schedule it last accepted "
            f"({_utc(record.last_success_at)}), and brokers still see it."
        )
    return [
        f"{tail} is no longer marketed in {company}'s FMS, so AeroSync sends nothing more for it "
        "(this alert is sent once).",
        kept,
        f"To clear it there, send the marketplace an empty schedule for {tail}: a PUT "
        f'/schedules with lift.aircraftTail "{tail}" and "activities": [] through the '
        "aircraft's API connection (the marketplace deletes every activity a call leaves out; "
        "its API has no delete call), or ask Avinode to remove it. AeroSync never sends an "
        "empty schedule by itself (safety rule 1). If the aircraft is marketed again, the next "
        "run uploads its complete schedule.",
    ]


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def state_changes(previous: Mapping[str, str], records: Sequence[StatusRecord]) -> list[AlertEvent]:
    """Events for this run's records against each aircraft's outcome before the run.

    A failure, hold, unknown outcome, crash, upload with errors or loss of marketing alerts when
    the aircraft was not already in that same state; a clean upload alerts as a recovery only
    after one of them. Skips change nothing (nor does a run that records nothing for an aircraft,
    such as the runs after the one that found it no longer marketed).
    """
    events: list[AlertEvent] = []
    for record in sorted(records, key=lambda r: (r.tail, r.attempted_at)):
        outcome = record.outcome.value
        before = previous.get(record.tail)
        if (outcome in BAD or outcome == WITH_ERRORS) and before != outcome:
            events.append(AlertEvent(record.company, record.tail, outcome, record))
        elif outcome == Outcome.UPLOADED.value and (before in BAD or before == WITH_ERRORS):
            events.append(AlertEvent(record.company, record.tail, "recovered", record))
    return events
