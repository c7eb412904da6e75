"""What the store says that readiness is computed from, already aggregated: the typed inputs of
`aerosync.crew.readiness.verdicts` (read by `aerosync.crew.readiness.queries`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Recency:
    """Take-offs and landings as pilot flying in one type: counted over the rule's days to D, and
    the first day the rule fails if nothing new is flown (None: it never held)."""

    takeoffs: int
    landings: int
    lapses_on: date | None


@dataclass(frozen=True)
class TypeRecency:
    day: Recency
    night: Recency


@dataclass(frozen=True)
class FlightMinutes:
    """Block minutes of the legs a person operated (in the flight-time roles) over each period."""

    days_28: int = 0
    calendar_year: int = 0
    months_12: int = 0


@dataclass(frozen=True)
class EmployeeVersion:
    """One effective-dated HRIS version of an employee (`effective_to` exclusive, None: current)."""

    effective_from: date
    effective_to: date | None
    role: str | None
    employment_status: str
    left_on: date | None


@dataclass(frozen=True)
class QualificationRecord:
    issued_on: date
    expires_on: date | None  # None: no expiry


@dataclass(frozen=True)
class ReadinessInputs:
    """Everything the store knew as of the moment, for one company.

    `recency` by (employee, type) of legs flown as pilot flying; `flight_minutes` by employee;
    `types_flown` by employee: the types of legs operated in the last 12 calendar months;
    `versions` oldest first; `qualifications` by employee, then code; `last_ebt_module` by
    employee: the latest EBT grading session or LMS completion of an EBT-module course.
    """

    recency: Mapping[tuple[str, str], TypeRecency]
    flight_minutes: Mapping[str, FlightMinutes]
    types_flown: Mapping[str, frozenset[str]]
    versions: Mapping[str, Sequence[EmployeeVersion]]
    qualifications: Mapping[str, Mapping[str, Sequence[QualificationRecord]]]
    last_ebt_module: Mapping[str, date]
    # The first day of the current stretch over a flight-time limit, for those over one now.
    flight_time_lapsed_on: Mapping[str, date] = field(default_factory=dict)
