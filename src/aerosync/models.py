"""Canonical records that every source is normalised into and every later step reads.

An `Activity` is one line of an aircraft's marketplace schedule, already in UTC with ICAO
airports. `Finding` is anything a step noticed about an activity or an aircraft: blocking
findings hold the aircraft's upload back, warnings are sent on and shown to the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"


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


@dataclass(slots=True)
class Activity:
    """One schedule line of one aircraft, normalised: UTC datetimes, ICAO airports."""

    activity_id: str
    tail: str
    kind: str
    activity_type: str
    start_airport: str
    end_airport: str
    start: datetime
    end: datetime
    source: str = "fms"
    external_trip_id: str | None = None
    trip_id: str | None = None
    flight_number: str | None = None
    pax_count: int | None = None
    note: str | None = None
    flight_regulations: str | None = None
    flight_regulations_description: str | None = None
    price: float | None = None
    currency: str | None = None
    marketing_start: datetime | None = None
    marketing_end: datetime | None = None
    marketing_verified: bool | None = None
    marketing_message: str | None = None
    services: list[Service] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Field by field: `dataclasses.asdict` deep-copies every value, 40 µs an activity."""
        data = {name: getattr(self, name) for name in _ACTIVITY_SCALARS}
        for key in _ACTIVITY_TIMES:
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        data["services"] = [
            {name: getattr(service, name) for name in _SERVICE_FIELDS} for service in self.services
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Activity:
        values = dict(data)
        for key in ("start", "end", "marketing_start", "marketing_end"):
            raw = values.get(key)
            values[key] = _parse_utc(raw) if raw is not None else None
        values["services"] = [Service(**s) for s in values.get("services") or []]
        return cls(**values)


_ACTIVITY_SCALARS = tuple(f.name for f in fields(Activity) if f.name != "services")
_ACTIVITY_TIMES = ("start", "end", "marketing_start", "marketing_end")
_SERVICE_FIELDS = tuple(f.name for f in fields(Service))


def _parse_utc(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(UTC)
