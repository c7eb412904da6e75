"""Each rule's state per pilot and type on the day, from the inputs the store gave
(`aerosync.crew.readiness.queries`): pure functions, no database.

Who is listed: every employee whose HRIS version in effect on the day has one of the configured
pilot roles and who is employed on the day or stopped being employed within the last 12 calendar
months (so a departure is exported, flagged as a change, then ages out). Their types: every type
they hold a `TYPE_RATING:<type>` record for that had not expired 12 calendar months ago, and
every type of the legs they operated (in the flight-time roles) in the last 12 calendar months.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from aerosync.config.readiness import (
    TYPE_PLACEHOLDER,
    TYPE_RATING_PREFIX,
    ReadinessRules,
    RecencyRule,
)
from aerosync.crew.readiness.days import AsOf, add_months, twelve_months_start
from aerosync.crew.readiness.facts import (
    EmployeeVersion,
    FlightMinutes,
    QualificationRecord,
    ReadinessInputs,
    Recency,
)
from aerosync.crew.readiness.flight_time import Limits
from aerosync.crew.readiness.states import (
    EBT_MODULE,
    EMPLOYMENT,
    FLIGHT_TIME,
    NIGHT_RECENCY,
    QUALIFICATION,
    RECENCY,
    EbtModuleState,
    EmploymentState,
    FlightTimeState,
    PilotReadiness,
    QualificationState,
    ReadinessReport,
    RecencyState,
    RuleState,
)

_DAY = timedelta(days=1)


def version_on(versions: Sequence[EmployeeVersion], day: date) -> EmployeeVersion | None:
    for version in versions:
        if version.effective_from <= day and (
            version.effective_to is None or day < version.effective_to
        ):
            return version
    return None


def _last_employed_day(version: EmployeeVersion, before: date, active: list[str]) -> date | None:
    """The last day before `before` on which this version says employed (None: no such day)."""
    if version.employment_status not in active:
        return None
    end = min(version.effective_to or before, before)  # exclusive
    if version.left_on is not None:
        end = min(end, version.left_on + _DAY)
    return end - _DAY if end > version.effective_from else None


def employment_state(
    versions: Sequence[EmployeeVersion], day: date, active: list[str]
) -> EmploymentState:
    current = version_on(versions, day)
    holds = (
        current is not None
        and current.employment_status in active
        and (current.left_on is None or current.left_on >= day)
    )
    if holds:
        assert current is not None
        lapses = None if current.left_on is None else current.left_on + _DAY
    else:
        last = [d for v in versions if (d := _last_employed_day(v, day, active)) is not None]
        lapses = max(last) + _DAY if last else None
    return EmploymentState(
        rule=EMPLOYMENT,
        holds=holds,
        required=True,
        lapses_on=lapses,
        status=None if current is None else current.employment_status,
        left_on=None if current is None else current.left_on,
    )


def qualification_state(
    records: Sequence[QualificationRecord], code: str, template: str, day: date
) -> QualificationState:
    """`records`: the person's records of `code` issued on or before the day."""
    covering = [r for r in records if r.expires_on is None or day <= r.expires_on]
    if covering:
        ends = [r.expires_on for r in covering]
        lapses = None if None in ends else max(e for e in ends if e is not None) + _DAY
    else:
        expired = [r.expires_on for r in records if r.expires_on is not None]
        lapses = max(expired) + _DAY if expired else None
    return QualificationState(
        rule=f"{QUALIFICATION}:{code}",
        holds=bool(covering),
        required=True,
        lapses_on=lapses,
        code=code,
        template=template,
    )


def recency_state(name: str, rule: RecencyRule, facts: Recency | None, day: date) -> RecencyState:
    facts = facts or Recency(0, 0, None)
    return RecencyState(
        rule=name,
        holds=facts.lapses_on is not None and facts.lapses_on > day,
        required=rule.required,
        lapses_on=facts.lapses_on,
        takeoffs=facts.takeoffs,
        landings=facts.landings,
    )


def flight_time_state(
    minutes: FlightMinutes, lapsed_on: date | None, limits: Limits, required: bool
) -> FlightTimeState:
    holds = limits.hold(minutes)
    return FlightTimeState(
        rule=FLIGHT_TIME,
        holds=holds,
        required=required,
        lapses_on=None if holds else lapsed_on,
        minutes_28_days=minutes.days_28,
        minutes_calendar_year=minutes.calendar_year,
        minutes_12_months=minutes.months_12,
        left_28_days=limits.days_28 - minutes.days_28,
        left_calendar_year=limits.calendar_year - minutes.calendar_year,
        left_12_months=limits.months_12 - minutes.months_12,
    )


def ebt_module_state(last: date | None, day: date, months: int, required: bool) -> EbtModuleState:
    lapses = None if last is None else add_months(last, months)
    return EbtModuleState(
        rule=EBT_MODULE,
        holds=lapses is not None and day < lapses,
        required=required,
        lapses_on=lapses,
        last_module_on=last,
    )


def types_of(inputs: ReadinessInputs, employee: str, since: date) -> list[str]:
    """Types rated (a rating not expired before `since`) or flown in the last 12 months."""
    types = set(inputs.types_flown.get(employee, ()))
    for code, records in inputs.qualifications.get(employee, {}).items():
        rated = code.removeprefix(TYPE_RATING_PREFIX)
        current = any(r.expires_on is None or r.expires_on >= since for r in records)
        if code.startswith(TYPE_RATING_PREFIX) and rated.strip() and current:
            types.add(rated)
    return sorted(types)


def _pilot_rules(
    inputs: ReadinessInputs,
    rules: ReadinessRules,
    day: date,
    employee: str,
    role: str,
    type_code: str,
    shared: tuple[RuleState, ...],
) -> tuple[RuleState, ...]:
    held = inputs.qualifications.get(employee, {})
    qualifications = []
    for template in rules.required_for(role):
        code = template.replace(TYPE_PLACEHOLDER, type_code)
        qualifications.append(qualification_state(held.get(code, ()), code, template, day))
    recency = inputs.recency.get((employee, type_code))
    employment, ebt, flight_time = shared
    return (
        employment,
        *qualifications,
        ebt,
        recency_state(RECENCY, rules.recency, None if recency is None else recency.day, day),
        recency_state(
            NIGHT_RECENCY, rules.night_recency, None if recency is None else recency.night, day
        ),
        flight_time,
    )


def compute_report(
    company: str,
    inputs: ReadinessInputs,
    rules: ReadinessRules,
    as_of: AsOf,
    horizon_days: int,
) -> ReadinessReport:
    day = as_of.day
    since = twelve_months_start(day)
    limits = Limits.of(rules.flight_time)
    active = rules.employment.active_statuses
    pilots: list[PilotReadiness] = []
    for employee in sorted(inputs.versions):
        current = version_on(inputs.versions[employee], day)
        if current is None or current.role not in rules.pilot_roles:
            continue
        employment = employment_state(inputs.versions[employee], day, active)
        gone = employment.lapses_on is None or employment.lapses_on < since
        if not employment.holds and gone:
            continue
        shared = (
            employment,
            ebt_module_state(
                inputs.last_ebt_module.get(employee),
                day,
                rules.ebt_module.validity_months,
                rules.ebt_module.required,
            ),
            flight_time_state(
                inputs.flight_minutes.get(employee, FlightMinutes()),
                inputs.flight_time_lapsed_on.get(employee),
                limits,
                rules.flight_time.required,
            ),
        )
        for type_code in types_of(inputs, employee, since):
            pilots.append(
                PilotReadiness(
                    employee,
                    type_code,
                    current.role,
                    _pilot_rules(inputs, rules, day, employee, current.role, type_code, shared),
                )
            )
    return ReadinessReport(company, day, horizon_days, tuple(pilots))
