"""Recency (take-offs and landings as pilot flying per type, by day and by night) from the legs
in the store, aggregated in SQL.

A rule of N take-offs and M landings in W days holds on day d when the legs of d-W+1 ... d have
them. Its last day held (up to D, nothing flown after D) is x+W-1 for the latest day x with legs
such that the legs of x ... x+W-1 have N take-offs and M landings: the day after the last day
held, a day with legs left the window, and that day is such an x. So the rule lapses on x+W: in
the future when it holds on D (the third-latest take-off or landing + W, as the design page
says), or the first day of its current lapse when it does not. Window functions find x per
pilot and type.

Two reads, so that millions of legs are not sorted on every run: the last W days of every pair
(all a rule that holds on D needs: its x is within them), then the whole history of only the
pilots with a pair whose rule fails, or who have a rated or flown type with no recent legs.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, bindparam, text

from aerosync.config.readiness import ReadinessRules, RecencyRule
from aerosync.crew.readiness.days import AsOf, day_number, from_day_number
from aerosync.crew.readiness.facts import Recency, TypeRecency

_CHUNK = 500
FLOWN = "company = :company AND counts = 1 AND flown_on <= :day AND on_block <= :moment"


def _day_number_sql(dialect: str) -> str:
    if dialect == "postgresql":
        return "(CAST(flown_on AS DATE) - DATE '1970-01-01')"
    return "CAST(julianday(flown_on) - 2440587.5 AS INTEGER)"


def recency_sql(dialect: str, day: RecencyRule, night: RecencyRule, where: str) -> str:
    # Frame widths are validated integers (RecencyRule.days) written into the SQL: a frame's
    # offset must be a constant. One frame when both rules count the same days (one pass).
    # PostgreSQL sorts the pairs by bytes (`COLLATE "C"`): the order only groups them.
    binary = ' COLLATE "C"' if dialect == "postgresql" else ""
    partition = f"PARTITION BY employee_id{binary}, type_code{binary} ORDER BY dn"
    w_night = "w_day" if night.days == day.days else "w_night"
    windows = f"w_day AS ({partition} RANGE BETWEEN CURRENT ROW AND {int(day.days) - 1} FOLLOWING)"
    if w_night == "w_night":
        windows += (
            f", w_night AS ({partition} RANGE BETWEEN CURRENT ROW AND "
            f"{int(night.days) - 1} FOLLOWING)"
        )
    return f"""
WITH daily AS (
    SELECT employee_id, type_code, {_day_number_sql(dialect)} AS dn,
           SUM(takeoffs_day + takeoffs_night) AS tko, SUM(landings_day + landings_night) AS ldg,
           SUM(takeoffs_night) AS ntko, SUM(landings_night) AS nldg
    FROM training_leg_crew
    WHERE {FLOWN} AND pilot_flying = 1 AND type_code IS NOT NULL {where}
    GROUP BY employee_id, type_code, flown_on
), ahead AS (
    SELECT employee_id, type_code, dn, tko, ldg, ntko, nldg,
           SUM(tko) OVER w_day AS tko_ahead, SUM(ldg) OVER w_day AS ldg_ahead,
           SUM(ntko) OVER {w_night} AS ntko_ahead, SUM(nldg) OVER {w_night} AS nldg_ahead
    FROM daily
    WINDOW {windows}
)
SELECT employee_id, type_code,
       SUM(CASE WHEN dn >= :day_since THEN tko ELSE 0 END) AS takeoffs,
       SUM(CASE WHEN dn >= :day_since THEN ldg ELSE 0 END) AS landings,
       MAX(CASE WHEN tko_ahead >= :day_takeoffs AND ldg_ahead >= :day_landings THEN dn END)
           AS day_last_start,
       SUM(CASE WHEN dn >= :night_since THEN ntko ELSE 0 END) AS night_takeoffs,
       SUM(CASE WHEN dn >= :night_since THEN nldg ELSE 0 END) AS night_landings,
       MAX(CASE WHEN ntko_ahead >= :night_takeoffs AND nldg_ahead >= :night_landings THEN dn END)
           AS night_last_start
FROM ahead
GROUP BY employee_id, type_code
"""


def _lapse(last_start: Any, days: int) -> Any:
    return None if last_start is None else from_day_number(int(last_start) + days)


def _holds(recency: Recency, rule: RecencyRule) -> bool:
    return recency.takeoffs >= rule.takeoffs and recency.landings >= rule.landings


def _read(
    conn: Connection,
    params: dict[str, Any],
    rules: ReadinessRules,
    where: str,
    ids: list[str] | None = None,
) -> dict[tuple[str, str], TypeRecency]:
    day, night = rules.recency, rules.night_recency
    statement = text(recency_sql(conn.dialect.name, day, night, where))
    if ids is not None:
        statement = statement.bindparams(bindparam("ids", expanding=True))
    out = {}
    for start in range(0, len(ids), _CHUNK) if ids is not None else [0]:
        chunk = {} if ids is None else {"ids": ids[start : start + _CHUNK]}
        for r in conn.execute(statement, {**params, **chunk}):
            out[(r.employee_id, r.type_code)] = TypeRecency(
                Recency(int(r.takeoffs), int(r.landings), _lapse(r.day_last_start, day.days)),
                Recency(
                    int(r.night_takeoffs),
                    int(r.night_landings),
                    _lapse(r.night_last_start, night.days),
                ),
            )
    return out


def read_recency(
    conn: Connection,
    company: str,
    as_of: AsOf,
    rules: ReadinessRules,
    pairs: Collection[tuple[str, str]],
) -> dict[tuple[str, str], TypeRecency]:
    """Recency by (employee, type): every pair with legs as pilot flying, and at least `pairs`
    (the rated or flown types that may be listed)."""
    day, night = rules.recency, rules.night_recency
    today = day_number(as_of.day)
    params = {
        "company": company,
        "day": as_of.day.isoformat(),
        "moment": as_of.moment_text,
        "day_since": today - day.days + 1,
        "day_takeoffs": day.takeoffs,
        "day_landings": day.landings,
        "night_since": today - night.days + 1,
        "night_takeoffs": night.takeoffs,
        "night_landings": night.landings,
    }
    since = from_day_number(today - max(day.days, night.days) + 1).isoformat()
    recent = _read(conn, {**params, "since": since}, rules, "AND flown_on >= :since")
    settled = {
        key: facts
        for key, facts in recent.items()
        if _holds(facts.day, day) and _holds(facts.night, night)
    }
    needs_history = sorted(
        {
            employee
            for employee, type_code in {*recent, *pairs}
            if (employee, type_code) not in settled
        }
    )
    history = _read(conn, params, rules, "AND employee_id IN :ids", needs_history)
    return {**history, **settled}
