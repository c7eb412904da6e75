"""Which aircraft changed state in a run, for the alert e-mails: one message per aircraft per
change (failed, held, recovered), never one per run while a problem lasts.

Pure: the Airflow side (`aerosync.airflow.alert_notifier`) sends the messages through the SMTP
provider's notifier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aerosync.models import Outcome
from aerosync.stores.status_records import StatusRecord

# Failure-like states: each alerts when an aircraft enters it. `unknown` (the call may have
# reached the marketplace) and `not_attempted` (a task crashed) are failures to the dispatcher.
BAD = {
    Outcome.FAILED.value,
    Outcome.HELD.value,
    Outcome.UNKNOWN.value,
    Outcome.NOT_ATTEMPTED.value,
    Outcome.NOT_MARKETED.value,
}
GOOD = {Outcome.UPLOADED.value, Outcome.UPLOADED_WITH_ERRORS.value}


@dataclass(frozen=True)
class AlertEvent:
    company: str
    tail: str
    change: str  # "failed", "held", "unknown", "not_attempted", "not_marketed" or "recovered"
    record: StatusRecord

    @property
    def subject(self) -> str:
        verb = {
            "failed": "upload FAILED",
            "held": "upload HELD",
            "unknown": "upload outcome UNKNOWN",
            "not_attempted": "upload NOT ATTEMPTED (a task crashed)",
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
        if self.change not in ("recovered", "unknown"):
            lines.append(
                "Its previous marketplace schedule stays as it was"
                + (
                    f" (last accepted {_utc(record.last_success_at)})."
                    if record.last_success_at
                    else " (no upload has been accepted yet)."
                )
            )
        if self.change != "recovered":
            if record.http_status:
                lines.append(f"HTTP status: {record.http_status}.")
            for item in [*record.reasons, *record.messages]:
                words = item.get("message") or item.get("title") or ""
                code = item.get("code") or ""
                activity = item.get("activity_id")
                lines.append(f"- {code}: {words}" + (f" (activity {activity})" if activity else ""))
        lines.append(f"Run: {record.run_id}. See the Schedule uploads page in Airflow.")
        return "\n".join(lines)


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def state_changes(previous: Mapping[str, str], records: Sequence[StatusRecord]) -> list[AlertEvent]:
    """Events for this run's records against each aircraft's outcome before the run.

    A failure or hold alerts when the aircraft was not already in that same state; a success
    alerts as a recovery only after a failure or hold. Skips change nothing.
    """
    events: list[AlertEvent] = []
    for record in sorted(records, key=lambda r: (r.tail, r.attempted_at)):
        outcome = record.outcome.value
        before = previous.get(record.tail)
        if outcome in BAD and before != outcome:
            events.append(AlertEvent(record.company, record.tail, outcome, record))
        elif outcome in GOOD and before in BAD:
            events.append(AlertEvent(record.company, record.tail, "recovered", record))
    return events
