"""Reading readiness's inputs from the aerosync database as of a moment, aggregated in SQL.

Legs flown (`training_leg_crew`, millions of rows) never reach Python one by one: the database
sums them per person and type (flight time here, recency in `aerosync.crew.readiness.recency`).
What does reach Python is small: per person and type, a handful of numbers; HRIS versions,
qualifications and the latest EBT module per person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, text

from aerosync.config.readiness import TYPE_RATING_PREFIX, ReadinessRules
from aerosync.crew.readiness.days import AsOf
from aerosync.crew.readiness.facts import (
    EmployeeVersion,
    FlightMinutes,
    QualificationRecord,
    ReadinessInputs,
)
from aerosync.crew.readiness.flight_time import Limits, over_limits_since, period_starts
from aerosync.crew.readiness.recency import FLOWN as _FLOWN
from aerosync.crew.readiness.recency import read_recency

_CHUNK = 500
# PostgreSQL's work memory for the sorts and hashes of this read (SET LOCAL: its transaction
# only); the default 4 MB makes a big crew's aggregation spill to disk.
WORK_MEM = "256MB"


def _flown(as_of: AsOf, company: str) -> dict[str, Any]:
    return {"company": company, "day": as_of.day.isoformat(), "moment": as_of.moment_text}


_FLIGHT_MINUTES = f"""
SELECT employee_id, type_code,
       SUM(CASE WHEN flown_on >= :start_28 THEN block_minutes ELSE 0 END) AS days_28,
       SUM(CASE WHEN flown_on >= :start_year THEN block_minutes ELSE 0 END) AS calendar_year,
       SUM(block_minutes) AS months_12
FROM training_leg_crew
WHERE {_FLOWN} AND role IN :roles AND flown_on >= :start_12
GROUP BY employee_id, type_code
"""


def read_flight_minutes(
    conn: Connection, company: str, as_of: AsOf, rules: ReadinessRules
) -> tuple[dict[str, FlightMinutes], dict[str, frozenset[str]]]:
    """Block minutes per person over each period, and the types each flew in 12 months."""
    start_28, start_year, start_12 = period_starts(as_of.day)
    statement = text(_FLIGHT_MINUTES).bindparams(bindparam("roles", expanding=True))
    params = {
        **_flown(as_of, company),
        "roles": list(rules.flight_time.roles),
        "start_28": start_28.isoformat(),
        "start_year": start_year.isoformat(),
        "start_12": start_12.isoformat(),
    }
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    types: dict[str, set[str]] = defaultdict(set)
    for r in conn.execute(statement, params):
        total = sums[r.employee_id]
        total[0] += int(r.days_28)
        total[1] += int(r.calendar_year)
        total[2] += int(r.months_12)
        if r.type_code is not None:
            types[r.employee_id].add(r.type_code)
    minutes = {employee: FlightMinutes(*total) for employee, total in sums.items()}
    return minutes, {employee: frozenset(flown) for employee, flown in types.items()}


_DAILY_MINUTES = f"""
SELECT employee_id, flown_on, SUM(block_minutes) AS minutes
FROM training_leg_crew
WHERE {_FLOWN} AND role IN :roles AND employee_id IN :ids
GROUP BY employee_id, flown_on
"""


def read_over_limits_since(
    conn: Connection,
    company: str,
    as_of: AsOf,
    rules: ReadinessRules,
    over: Iterable[str],
) -> dict[str, date]:
    """For each person over a flight-time limit on the day: since when (their own daily sums)."""
    statement = text(_DAILY_MINUTES).bindparams(
        bindparam("roles", expanding=True), bindparam("ids", expanding=True)
    )
    limits = Limits.of(rules.flight_time)
    ids = sorted(over)
    daily: dict[str, dict[date, int]] = defaultdict(dict)
    for start in range(0, len(ids), _CHUNK):
        params = {
            **_flown(as_of, company),
            "roles": list(rules.flight_time.roles),
            "ids": ids[start : start + _CHUNK],
        }
        for r in conn.execute(statement, params):
            daily[r.employee_id][date.fromisoformat(r.flown_on)] = int(r.minutes)
    return {employee: over_limits_since(daily[employee], as_of.day, limits) for employee in ids}


def _date(value: Any) -> date | None:
    return None if value is None or value == "" else date.fromisoformat(str(value)[:10])


def read_versions(conn: Connection, company: str, as_of: AsOf) -> dict[str, list[EmployeeVersion]]:
    rows = conn.execute(
        text(
            "SELECT employee_id, effective_from, effective_to, role, employment_status, left_on "
            "FROM training_employee_versions WHERE company = :company AND effective_from <= :day "
            "ORDER BY employee_id, effective_from"
        ),
        {"company": company, "day": as_of.day.isoformat()},
    )
    versions: dict[str, list[EmployeeVersion]] = defaultdict(list)
    for r in rows:
        start = _date(r.effective_from)
        assert start is not None
        versions[r.employee_id].append(
            EmployeeVersion(
                start,
                _date(r.effective_to),
                r.role,
                str(r.employment_status or "").lower(),
                _date(r.left_on),
            )
        )
    return versions


def read_qualifications(
    conn: Connection, company: str, as_of: AsOf
) -> dict[str, dict[str, list[QualificationRecord]]]:
    rows = conn.execute(
        text(
            "SELECT employee_id, qualification, issued_on, expires_on "
            "FROM training_qualifications WHERE company = :company AND issued_on <= :day"
        ),
        {"company": company, "day": as_of.day.isoformat()},
    )
    held: dict[str, dict[str, list[QualificationRecord]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        issued = _date(r.issued_on)
        assert issued is not None
        held[r.employee_id][r.qualification].append(
            QualificationRecord(issued, _date(r.expires_on))
        )
    return held


def read_last_ebt_module(conn: Connection, company: str, as_of: AsOf) -> dict[str, date]:
    """The latest EBT grading session, or LMS completion (completed or passed, not failed) of a
    course the catalog marks as an EBT module, per person."""
    params = _flown(as_of, company)
    sessions = list(
        conn.execute(
            text(
                "SELECT employee_id, MAX(session_date) AS last FROM training_ebt_gradings "
                "WHERE company = :company AND session_date <= :day GROUP BY employee_id"
            ),
            params,
        )
    )
    completions = list(
        conn.execute(
            text(
                "SELECT r.employee_id, MAX(r.completed_at) AS last FROM training_records r "
                "JOIN training_courses c ON c.company = r.company AND c.course_id = r.course_id "
                "WHERE r.company = :company AND c.ebt_module = 1 "
                "AND r.verb IN ('completed', 'passed') "
                "AND (r.success IS NULL OR r.success <> 'false') "
                "AND r.completed_at <= :moment GROUP BY r.employee_id"
            ),
            params,
        )
    )
    latest: dict[str, date] = {}
    for r in [*sessions, *completions]:
        last = _date(r.last)
        if last is not None and last <= as_of.day:
            latest[r.employee_id] = max(last, latest.get(r.employee_id, last))
    return latest


def rated_or_flown(
    types_flown: Mapping[str, Iterable[str]],
    qualifications: Mapping[str, Mapping[str, Sequence[QualificationRecord]]],
) -> set[tuple[str, str]]:
    """Every (employee, type) with a type rating or legs in the last 12 months."""
    pairs = {(employee, t) for employee, types in types_flown.items() for t in types}
    for employee, held in qualifications.items():
        for code in held:
            if code.startswith(TYPE_RATING_PREFIX) and code[len(TYPE_RATING_PREFIX) :].strip():
                pairs.add((employee, code[len(TYPE_RATING_PREFIX) :]))
    return pairs


def read_inputs(
    engine: Engine, company: str, as_of: AsOf, rules: ReadinessRules
) -> ReadinessInputs:
    """Every input, read in one transaction: on PostgreSQL a repeatable-read one, so that a load
    committing meanwhile cannot give half old, half new inputs."""
    limits = Limits.of(rules.flight_time)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
        minutes, types_flown = read_flight_minutes(conn, company, as_of, rules)
        qualifications = read_qualifications(conn, company, as_of)
        over: Sequence[str] = [e for e, m in minutes.items() if not limits.hold(m)]
        pairs = rated_or_flown(types_flown, qualifications)
        return ReadinessInputs(
            recency=read_recency(conn, company, as_of, rules, pairs),
            flight_minutes=minutes,
            types_flown=types_flown,
            versions=read_versions(conn, company, as_of),
            qualifications=qualifications,
            last_ebt_module=read_last_ebt_module(conn, company, as_of),
            flight_time_lapsed_on=read_over_limits_since(conn, company, as_of, rules, over),
        )
