"""A plain reference implementation of crew readiness, written from the crew-operations design page
and sharing no code with `aerosync.crew.readiness`: it reads every raw row of the store's tables
and evaluates each rule day by day with loops.

A rule's lapse date is found by walking days: if it holds on D, forward from D+1 to the first day
it fails with nothing new recorded (none by the end of the data: None); if it fails on D,
backward to the last day it held (the lapse date is the day after; it never held: None). On a
past day d, a rule sees what was dated up to d; on a future day, only what was recorded by the
store's "as of" moment.

Who is listed (the project's definition, restated here): employees whose HRIS version on D has a
pilot role, employed on D or with an employment lapse date in the 12 calendar months to D; types:
TYPE_RATING:<type> records issued by D that had not expired before those 12 months started, and
types of legs operated as PIC or SIC in those 12 months.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, text

ONE = timedelta(days=1)


@dataclass
class RefRules:
    pilot_roles: tuple[str, ...] = ("CPT", "FO")
    recency_days: int = 90
    takeoffs: int = 3
    landings: int = 3
    night_days: int = 90
    night_takeoffs: int = 3
    night_landings: int = 3
    night_required: bool = False
    hours_28: int = 100
    hours_year: int = 900
    hours_12_months: int = 1000
    ebt_months: int = 12
    active: tuple[str, ...] = ("active",)
    qualifications: dict[str, list[str]] = field(default_factory=dict)
    default_qualifications: tuple[str, ...] = ("TYPE_RATING:<type_code>", "LINE_CHECK", "MEDICAL")


def _d(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return date.fromisoformat(str(value)[:10])


def _rows(engine: Engine, table: str, company: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        result = conn.execute(text(f"SELECT * FROM {table} WHERE company = :c"), {"c": company})
        return [dict(r) for r in result.mappings()]


def plus_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_of_12_months(day: date) -> date:
    month0 = day.month - 1 - 11
    year = day.year + month0 // 12
    return date(year, month0 % 12 + 1, 1)


def walk(holds: Callable[[date], bool], day: date, first: date, last: date) -> date | None:
    if holds(day):
        d = day + ONE
        while d <= last:
            if not holds(d):
                return d
            d += ONE
        return None
    d = day - ONE
    while d >= first:
        if holds(d):
            return d + ONE
        d -= ONE
    return None


def reference_readiness(
    engine: Engine, company: str, day: date, moment: str, rules: RefRules
) -> dict[tuple[str, str], dict[str, Any]]:
    """{(employee, type): {"role", "ready", "lapses_on", "rules": {name: {...}}}} on `day`, with
    the store as of `moment` (ISO text as the store writes times)."""
    legs = [
        r
        for r in _rows(engine, "training_leg_crew", company)
        if r["counts"] == 1 and r["on_block"] <= moment and _d(r["flown_on"]) <= day
    ]
    versions: dict[str, list[dict[str, Any]]] = {}
    for v in _rows(engine, "training_employee_versions", company):
        if _d(v["effective_from"]) <= day:
            versions.setdefault(v["employee_id"], []).append(v)
    quals: dict[str, dict[str, list[tuple[date, date | None]]]] = {}
    for q in _rows(engine, "training_qualifications", company):
        if _d(q["issued_on"]) <= day:
            quals.setdefault(q["employee_id"], {}).setdefault(q["qualification"], []).append(
                (_d(q["issued_on"]), _d(q["expires_on"]))
            )
    modules: dict[str, list[date]] = {}
    for g in _rows(engine, "training_ebt_gradings", company):
        if _d(g["session_date"]) <= day:
            modules.setdefault(g["employee_id"], []).append(_d(g["session_date"]))
    ebt_courses = {
        c["course_id"] for c in _rows(engine, "training_courses", company) if c["ebt_module"] == 1
    }
    for r in _rows(engine, "training_records", company):
        if (
            r["course_id"] in ebt_courses
            and r["verb"] in ("completed", "passed")
            and r["success"] != "false"
            and r["completed_at"] <= moment
        ):
            modules.setdefault(r["employee_id"], []).append(_d(r["completed_at"]))

    every_date = [day]
    every_date += [_d(r["flown_on"]) for r in legs]
    for vs in versions.values():
        every_date += [_d(v["effective_from"]) for v in vs]
        every_date += [_d(v["left_on"]) for v in vs if v["left_on"]]
    for held in quals.values():
        for records in held.values():
            every_date += [d for record in records for d in record if d is not None]
    for dates in modules.values():
        every_date += dates
    first = min(every_date) - timedelta(days=2)
    last = max(every_date) + timedelta(days=400)
    twelve_start = first_of_12_months(day)

    for vs in versions.values():
        vs.sort(key=lambda v: v["effective_from"])
    by_employee: dict[str, list[dict[str, Any]]] = {}
    for r in legs:
        by_employee.setdefault(r["employee_id"], []).append(r)
    size = (day - first).days + 1

    def index(d: date) -> int:
        return (d - first).days

    def between(values: list[int], start: date, end: date) -> int:
        """The sum of a per-day list over the days start ... end (both included)."""
        lo, hi = max(index(start), 0), min(index(end), size - 1)
        return sum(values[lo : hi + 1]) if hi >= lo else 0

    def version_on(employee: str, d: date) -> dict[str, Any] | None:
        found = None
        for v in versions.get(employee, []):
            if _d(v["effective_from"]) <= d:
                found = v
        return found

    def employed(employee: str, d: date) -> bool:
        v = version_on(employee, d)
        if v is None or v["employment_status"] not in rules.active:
            return False
        return not v["left_on"] or _d(v["left_on"]) >= d

    limits = (rules.hours_28 * 60, rules.hours_year * 60, rules.hours_12_months * 60)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for employee in sorted(versions):
        now = version_on(employee, day)
        if now is None or now["role"] not in rules.pilot_roles:
            continue
        employment_holds = employed(employee, day)
        employment_lapse = walk(lambda d, e=employee: employed(e, d), day, first, last)
        if not employment_holds and (employment_lapse is None or employment_lapse < twelve_start):
            continue
        mine = by_employee.get(employee, [])
        types = set()
        for code, records in quals.get(employee, {}).items():
            rated = code.startswith("TYPE_RATING:") and code[len("TYPE_RATING:") :].strip()
            if rated and any(exp is None or exp >= twelve_start for _, exp in records):
                types.add(code[len("TYPE_RATING:") :])
        for r in mine:
            if (
                r["role"] in ("PIC", "SIC")
                and r["type_code"] is not None
                and _d(r["flown_on"]) >= twelve_start
            ):
                types.add(r["type_code"])

        # flight time: minutes per day of legs as PIC or SIC, any type
        minutes = [0] * size
        for r in mine:
            if r["role"] in ("PIC", "SIC"):
                minutes[index(_d(r["flown_on"]))] += r["block_minutes"]

        def sums(d: date, minutes: list[int] = minutes) -> tuple[int, int, int]:
            return (
                between(minutes, d - timedelta(days=27), d),
                between(minutes, date(d.year, 1, 1), d),
                between(minutes, first_of_12_months(d), d),
            )

        def flight_time_holds(d: date) -> bool:
            return all(s < limit for s, limit in zip(sums(d), limits, strict=True))

        ft_now = sums(day)
        ft_holds = flight_time_holds(day)
        ft_lapse = walk(flight_time_holds, day, first, day + timedelta(days=400))

        def module_holds(d: date, employee: str = employee) -> bool:
            done = [s for s in modules.get(employee, []) if s <= d]
            return bool(done) and d < plus_months(max(done), rules.ebt_months)

        done_by_day = [s for s in modules.get(employee, []) if s <= day]
        ebt = {
            "holds": module_holds(day),
            "lapses_on": walk(module_holds, day, first, last),
            "last_module_on": max(done_by_day) if done_by_day else None,
            "required": True,
        }

        for type_code in sorted(types):
            takeoffs, landings = [0] * size, [0] * size
            night_takeoffs, night_landings = [0] * size, [0] * size
            for r in mine:
                if r["pilot_flying"] == 1 and r["type_code"] == type_code:
                    i = index(_d(r["flown_on"]))
                    takeoffs[i] += r["takeoffs_day"] + r["takeoffs_night"]
                    landings[i] += r["landings_day"] + r["landings_night"]
                    night_takeoffs[i] += r["takeoffs_night"]
                    night_landings[i] += r["landings_night"]

            def window(d: date, days: int, values: list[int]) -> int:
                return between(values, d - timedelta(days=days - 1), d)

            def recent(d: date, t: list[int] = takeoffs, lg: list[int] = landings) -> bool:
                w = rules.recency_days
                return window(d, w, t) >= rules.takeoffs and window(d, w, lg) >= rules.landings

            def night(
                d: date, t: list[int] = night_takeoffs, lg: list[int] = night_landings
            ) -> bool:
                w = rules.night_days
                return (
                    window(d, w, t) >= rules.night_takeoffs
                    and window(d, w, lg) >= rules.night_landings
                )

            rule_states: dict[str, dict[str, Any]] = {
                "employment": {
                    "holds": employment_holds,
                    "lapses_on": employment_lapse,
                    "required": True,
                    "status": now["employment_status"],
                    "left_on": _d(now["left_on"]),
                },
            }
            for template in rules.qualifications.get(now["role"], rules.default_qualifications):
                code = template.replace("<type_code>", type_code)
                records = quals.get(employee, {}).get(code, [])

                def valid(d: date, records: list[tuple[date, date | None]] = records) -> bool:
                    return any(i <= d and (e is None or d <= e) for i, e in records)

                rule_states[f"qualification:{code}"] = {
                    "holds": valid(day),
                    "lapses_on": walk(valid, day, first, last),
                    "required": True,
                    "code": code,
                }
            rule_states["ebt_module"] = dict(ebt)
            rule_states["recency"] = {
                "holds": recent(day),
                "lapses_on": walk(recent, day, first, last),
                "required": True,
                "takeoffs": window(day, rules.recency_days, takeoffs),
                "landings": window(day, rules.recency_days, landings),
            }
            rule_states["night_recency"] = {
                "holds": night(day),
                "lapses_on": walk(night, day, first, last),
                "required": rules.night_required,
                "takeoffs": window(day, rules.night_days, night_takeoffs),
                "landings": window(day, rules.night_days, night_landings),
            }
            rule_states["flight_time"] = {
                "holds": ft_holds,
                "lapses_on": ft_lapse,
                "required": True,
                "minutes": ft_now,
                "left": tuple(limit - s for s, limit in zip(ft_now, limits, strict=True)),
            }
            required = [s for s in rule_states.values() if s["required"]]
            ready = all(s["holds"] for s in required)
            chosen = [s["lapses_on"] for s in required if s["holds"] == ready and s["lapses_on"]]
            out[(employee, type_code)] = {
                "role": now["role"],
                "ready": ready,
                "failing": tuple(
                    name for name, s in rule_states.items() if s["required"] and not s["holds"]
                ),
                "lapses_on": min(chosen) if chosen else None,
                "rules": rule_states,
            }
    return out
