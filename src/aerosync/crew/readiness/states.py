"""What readiness says per pilot and type: each rule's state, and the verdict.

`lapses_on` of a rule is always the first day on which it fails: for a rule that holds on the day,
the day it will lapse if nothing new is recorded (None: it never lapses by itself, e.g. a
qualification without expiry, or flight time, whose sums only fall); for a rule that fails, the
first day of the stretch of failing days that includes the day (None: it never held).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

RECENCY, NIGHT_RECENCY, FLIGHT_TIME = "recency", "night_recency", "flight_time"
EBT_MODULE, EMPLOYMENT, QUALIFICATION = "ebt_module", "employment", "qualification"


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True, kw_only=True)
class RuleState:
    rule: str  # recency, night_recency, flight_time, ebt_module, employment, qualification:<code>
    holds: bool
    required: bool
    lapses_on: date | None

    def details(self) -> dict[str, Any]:
        """The figures behind the state (counts, sums, dates), for the export."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "holds": self.holds,
            "required": self.required,
            "lapses_on": _day(self.lapses_on),
            **self.details(),
        }


@dataclass(frozen=True, kw_only=True)
class RecencyState(RuleState):
    """Take-offs and landings as pilot flying in the type over the rule's days to the day."""

    takeoffs: int
    landings: int

    def details(self) -> dict[str, Any]:
        return {"takeoffs": self.takeoffs, "landings": self.landings}


@dataclass(frozen=True, kw_only=True)
class FlightTimeState(RuleState):
    """Block minutes over each period, and the minutes left under each limit (negative: over)."""

    minutes_28_days: int
    minutes_calendar_year: int
    minutes_12_months: int
    left_28_days: int
    left_calendar_year: int
    left_12_months: int

    def details(self) -> dict[str, Any]:
        return {
            "hours_28_days": round(self.minutes_28_days / 60, 2),
            "hours_calendar_year": round(self.minutes_calendar_year / 60, 2),
            "hours_12_months": round(self.minutes_12_months / 60, 2),
            "hours_left_28_days": round(self.left_28_days / 60, 2),
            "hours_left_calendar_year": round(self.left_calendar_year / 60, 2),
            "hours_left_12_months": round(self.left_12_months / 60, 2),
        }


@dataclass(frozen=True, kw_only=True)
class EbtModuleState(RuleState):
    last_module_on: date | None

    def details(self) -> dict[str, Any]:
        return {"last_module_on": _day(self.last_module_on)}


@dataclass(frozen=True, kw_only=True)
class QualificationState(RuleState):
    code: str  # the required code with the row's type filled in
    template: str  # as configured (`TYPE_RATING:<type_code>`): the same for every type

    def details(self) -> dict[str, Any]:
        return {"code": self.code}


@dataclass(frozen=True, kw_only=True)
class EmploymentState(RuleState):
    status: str | None  # the HRIS version's status on the day (None: no version then)
    left_on: date | None

    def details(self) -> dict[str, Any]:
        return {"status": self.status, "left_on": _day(self.left_on)}


@dataclass(frozen=True)
class PilotReadiness:
    """One pilot and one type on the day."""

    employee_id: str
    type_code: str
    role: str
    rules: tuple[RuleState, ...]

    @property
    def ready(self) -> bool:
        return all(rule.holds for rule in self.rules if rule.required)

    @property
    def failing(self) -> tuple[str, ...]:
        return tuple(rule.rule for rule in self.rules if rule.required and not rule.holds)

    @property
    def lapses_on(self) -> date | None:
        """Ready: the first day a required rule will fail if nothing new is recorded (None:
        none will). Not ready: the earliest day one of the failing rules lapsed (None: none of
        them ever held)."""
        chosen = [r for r in self.rules if r.required and r.holds == self.ready]
        dates = [r.lapses_on for r in chosen if r.lapses_on is not None]
        return min(dates) if dates else None

    def lapses_within(self, day: date, horizon_days: int) -> bool:
        """Ready on the day, and lapsing by the end of the horizon."""
        lapses = self.lapses_on
        return self.ready and lapses is not None and lapses <= day + timedelta(days=horizon_days)

    def rule(self, name: str) -> RuleState:
        return next(rule for rule in self.rules if rule.rule == name)


@dataclass(frozen=True)
class ReadinessReport:
    company: str
    day: date
    horizon_days: int
    pilots: tuple[PilotReadiness, ...] = field(default_factory=tuple)

    def lapsing(self) -> list[PilotReadiness]:
        """Who is ready on the day but lapses within the horizon (soonest first)."""
        soon = [p for p in self.pilots if p.lapses_within(self.day, self.horizon_days)]
        return sorted(soon, key=lambda p: (p.lapses_on, p.employee_id, p.type_code))
