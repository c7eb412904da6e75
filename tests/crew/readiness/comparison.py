"""The project's readiness and the reference's, side by side in one shape, with what differs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Engine

from aerosync.config.readiness import DEFAULT_QUALIFICATIONS, ReadinessRules
from aerosync.crew.readiness.days import AsOf
from aerosync.crew.readiness.report import compute_readiness
from aerosync.crew.readiness.states import (
    EbtModuleState,
    EmploymentState,
    FlightTimeState,
    QualificationState,
    ReadinessReport,
    RecencyState,
)
from tests.crew.readiness.crew_generator import COMPANY, stamp
from tests.crew.readiness.reference import RefRules, reference_readiness

CAPTAIN = [*DEFAULT_QUALIFICATIONS, "LPC"]
RULES = ReadinessRules(qualifications={"CPT": CAPTAIN})
REFERENCE_RULES = RefRules(qualifications={"CPT": CAPTAIN})


def project_view(report: ReadinessReport) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for pilot in report.pilots:
        rules: dict[str, dict[str, Any]] = {}
        for rule in pilot.rules:
            state: dict[str, Any] = {
                "holds": rule.holds,
                "lapses_on": rule.lapses_on,
                "required": rule.required,
            }
            if isinstance(rule, RecencyState):
                state.update(takeoffs=rule.takeoffs, landings=rule.landings)
            elif isinstance(rule, FlightTimeState):
                state["minutes"] = (
                    rule.minutes_28_days,
                    rule.minutes_calendar_year,
                    rule.minutes_12_months,
                )
                state["left"] = (rule.left_28_days, rule.left_calendar_year, rule.left_12_months)
            elif isinstance(rule, EbtModuleState):
                state["last_module_on"] = rule.last_module_on
            elif isinstance(rule, QualificationState):
                state["code"] = rule.code
            elif isinstance(rule, EmploymentState):
                state.update(status=rule.status, left_on=rule.left_on)
            rules[rule.rule] = state
        out[(pilot.employee_id, pilot.type_code)] = {
            "role": pilot.role,
            "ready": pilot.ready,
            "failing": pilot.failing,
            "lapses_on": pilot.lapses_on,
            "rules": rules,
        }
    return out


def differences(
    ours: dict[tuple[str, str], dict[str, Any]], theirs: dict[tuple[str, str], dict[str, Any]]
) -> list[str]:
    """Every pilot, type, rule and figure that differs, in words."""
    found = [f"{key}: only in the project" for key in sorted(set(ours) - set(theirs))]
    found += [f"{key}: only in the reference" for key in sorted(set(theirs) - set(ours))]
    for key in sorted(set(ours) & set(theirs)):
        mine, ref = ours[key], theirs[key]
        for field in ("role", "ready", "failing", "lapses_on"):
            if mine[field] != ref[field]:
                found.append(f"{key} {field}: project {mine[field]!r}, reference {ref[field]!r}")
        if list(mine["rules"]) != list(ref["rules"]):
            found.append(f"{key} rules: {list(mine['rules'])} against {list(ref['rules'])}")
            continue
        for rule, state in mine["rules"].items():
            if state != ref["rules"][rule]:
                found.append(f"{key} {rule}: project {state}, reference {ref['rules'][rule]}")
    return found


def window_end(day: date) -> datetime:
    """The end of the daily window (03:00 UTC) whose last day is `day`."""
    return datetime.combine(day, time(3, 0), tzinfo=UTC)


def both(engine: Engine, day: date) -> tuple[ReadinessReport, dict[tuple[str, str], Any]]:
    end = window_end(day)
    as_of = AsOf.window_end(end)
    assert as_of.day == day
    report = compute_readiness(engine, COMPANY, as_of, RULES)
    expected = reference_readiness(engine, COMPANY, day, stamp(end), REFERENCE_RULES)
    return report, expected
