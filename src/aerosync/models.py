"""Records the steps hand each other, and the words they share (outcomes, activity kinds).

`Finding` is anything a step noticed about an activity or an aircraft: blocking findings hold
the aircraft's upload back, warnings are sent on and shown to the user. Normalised activities
travel as columns (`NormalisedFleet.columns`), never as one record each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    BLOCKING = "blocking"  # holds the aircraft, refuses the row
    WARNING = "warning"
    INFO = "info"  # reported as information, never holds anything


class Outcome(StrEnum):
    UPLOADED = "uploaded"
    UPLOADED_WITH_ERRORS = "uploaded_with_errors"
    FAILED = "failed"
    HELD = "held"
    SKIPPED = "skipped"
    # Recorded before the call goes out, turned into the outcome when the answer arrives.
    IN_FLIGHT = "in_flight"
    # The call went out and its answer never came back (the task died): the marketplace may hold
    # the new schedule or the old one.
    UNKNOWN = "unknown"
    # No call for the aircraft in this run because a task crashed: nothing was sent.
    NOT_ATTEMPTED = "not_attempted"
    # Marketed at the last run, not any more: nothing is sent, and the marketplace keeps the
    # aircraft's last schedule until someone removes it there (reported once, safety rule 7).
    NOT_MARKETED = "not_marketed"


# The order people read outcomes in (page, CLI): what needs attention first.
ATTENTION_ORDER: dict[str, int] = {
    o.value: i
    for i, o in enumerate(
        (
            Outcome.FAILED,
            Outcome.UNKNOWN,
            Outcome.NOT_ATTEMPTED,
            Outcome.HELD,
            Outcome.IN_FLIGHT,
            Outcome.NOT_MARKETED,
            Outcome.SKIPPED,
            Outcome.UPLOADED_WITH_ERRORS,
            Outcome.UPLOADED,
        )
    )
}
# Outcomes of a request that went out (or may have): they count toward the 5-minute spacing.
CALL_OUTCOMES = (
    Outcome.UPLOADED,
    Outcome.UPLOADED_WITH_ERRORS,
    Outcome.FAILED,
    Outcome.IN_FLIGHT,
    Outcome.UNKNOWN,
)


# Canonical activity kinds, as the FMS dialects' SQL returns them in `activity_kind`.
FLIGHT_KINDS = frozenset({"PAX", "FERRY", "EMPTY_LEG", "OPTION"})
GROUND_KINDS = frozenset({"MAINTENANCE", "AOG", "OWNER_HOLD", "CREW_REST", "OTHER", "TRAINING"})

DEFAULT_ACTIVITY_TYPES: dict[str, str] = {
    "PAX": "PassengerFlight",
    "FERRY": "Positioning",
    "EMPTY_LEG": "EmptyLeg",
    "OPTION": "Option",
    "MAINTENANCE": "Maintenance",
    "AOG": "AOG",
    "OWNER_HOLD": "OwnerHold",
    "CREW_REST": "CrewRest",
    "OTHER": "Unavailable",
    "TRAINING": "Training",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """Something wrong or worth telling about one activity or one whole aircraft.

    A blocking finding is a *reason*: it holds the aircraft (validation's, or one of the upload
    and record steps', made by `holding`). `to_dict`/`from_dict` are its one serialisation, as
    the decisions are staged and the upload records store it."""

    code: str
    message: str
    severity: Severity
    tail: str | None = None
    activity_id: str | None = None
    field: str | None = None

    @classmethod
    def holding(cls, tail: str, code: str, message: str) -> Finding:
        """The reason a step (not validation) gives for holding, skipping or not sending one
        whole aircraft."""
        return cls(code, message, Severity.BLOCKING, tail=tail)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "severity": str(self.severity),
            "tail": self.tail,
            "activity_id": self.activity_id,
            "field": self.field,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], severity: Severity = Severity.BLOCKING) -> Finding:
        """`severity` is the one a dict without its own has (a decision's reasons block)."""
        return cls(
            code=data["code"],
            message=data["message"],
            severity=Severity(data.get("severity", severity)),
            tail=data.get("tail"),
            activity_id=data.get("activity_id"),
            field=data.get("field"),
        )


@dataclass(frozen=True, slots=True)
class Decision:
    """Validation's word on one aircraft: sent (with its warnings) or held (with every reason).
    Staged by `build_schedules` (`to_dict`) for the upload and `record_status` (`from_dict`)."""

    held: bool
    reasons: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    activities: int = 0
    previous_activities: int = 0
    validation_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "held": self.held,
            "reasons": [r.to_dict() for r in self.reasons],
            "warnings": [w.to_dict() for w in self.warnings],
            "activities": self.activities,
            "previous_activities": self.previous_activities,
            "validation_id": self.validation_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        return cls(
            held=bool(data["held"]),
            reasons=tuple(Finding.from_dict(r) for r in data.get("reasons") or ()),
            warnings=tuple(
                Finding.from_dict(w, Severity.WARNING) for w in data.get("warnings") or ()
            ),
            activities=int(data.get("activities", 0)),
            previous_activities=int(data.get("previous_activities", 0)),
            validation_id=data.get("validation_id"),
        )


@dataclass(frozen=True, slots=True)
class Batch:
    """A group of aircraft the plan gives one mapped upload task, with a label people read."""

    batch: int
    tails: tuple[str, ...]
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"batch": self.batch, "tails": list(self.tails), "label": self.label}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Batch:
        return cls(int(data["batch"]), tuple(data["tails"]), str(data["label"]))


@dataclass(frozen=True, slots=True)
class Service:
    provider_id: str
    provider_name: str
    airport: str
    service_type: str
    service_for: str
    data_source: str
    note: str | None = None


class CheckStatus(StrEnum):
    """The word of one set-up check (`aerosync check`, the avinode connection's "Test"):
    a warning is worth reading and does not fail the check; a failure does."""

    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one set-up check concluded about one thing (a connection, a query, a table), in
    words an operator acts on; `detail` never holds a secret."""

    name: str
    status: CheckStatus
    detail: str

    @property
    def ok(self) -> bool:
        return self.status is not CheckStatus.FAILED

    @classmethod
    def passed(cls, name: str, detail: str) -> Verdict:
        return cls(name, CheckStatus.OK, detail)

    @classmethod
    def warned(cls, name: str, detail: str) -> Verdict:
        return cls(name, CheckStatus.WARNING, detail)

    @classmethod
    def failed(cls, name: str, detail: str) -> Verdict:
        return cls(name, CheckStatus.FAILED, detail)
