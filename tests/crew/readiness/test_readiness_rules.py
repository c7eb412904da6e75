"""Each edge case of the design page's counting rules on its own, with the figures worked out by
hand from the page: a store holding only the edge-case pilots of the generator
(`place_edge_cases`), read as of the end of DAY's window (03:00 UTC on DAY)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from aerosync.config.readiness import NightRecencyRule, ReadinessRules
from aerosync.crew.readiness.days import AsOf, add_months, twelve_months_start
from aerosync.crew.readiness.facts import EmployeeVersion
from aerosync.crew.readiness.report import compute_readiness
from aerosync.crew.readiness.states import FlightTimeState, PilotReadiness, ReadinessReport
from aerosync.crew.readiness.verdicts import employment_state
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
from tests.crew.readiness.comparison import RULES, window_end
from tests.crew.readiness.crew_generator import (
    COMPANY,
    DAY,
    WINDOW_END,
    Crew,
    insert_crew,
    place_edge_cases,
)

pytestmark = pytest.mark.unit
D = timedelta(days=1)


@pytest.fixture(scope="module")
def crew() -> Crew:
    crew = Crew()
    crew.courses = [
        {"company": COMPANY, "course_id": "EBT-M1", "title": "EBT", "category": "EBT",
         "validity_days": 365, "ebt_module": 1, "active": 1, "source": "t",
         "last_run_id": "t", "last_changed_at": "t"},
    ]  # fmt: skip
    place_edge_cases(crew)
    return crew


@pytest.fixture(scope="module")
def engine(crew: Crew, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path_factory.mktemp("edges") / "aerosync.db")
    ensure_migrated(engine)
    insert_crew(engine, crew)
    yield engine
    engine.dispose()


def _report(engine: Engine, day: date = DAY, rules: ReadinessRules = RULES) -> ReadinessReport:
    return compute_readiness(engine, COMPANY, AsOf.window_end(window_end(day)), rules)


def _pilot(report: ReadinessReport, crew: Crew, key: str) -> PilotReadiness:
    (pilot,) = [p for p in report.pilots if p.employee_id == crew.edge[key]]
    return pilot


def test_the_export_of_a_window_is_for_its_last_day_as_of_its_end() -> None:
    as_of = AsOf.window_end(WINDOW_END)
    assert (as_of.day, as_of.moment_text) == (DAY, "2027-01-14T03:00:00.000000Z")
    midnight = AsOf.window_end(WINDOW_END.replace(hour=0))
    assert midnight.day == DAY - D


def test_exactly_90_days_is_current_and_91_is_not(engine: Engine, crew: Crew) -> None:
    report = _report(engine)
    day_90 = _pilot(report, crew, "recency_day_90").rule("recency")
    assert (day_90.holds, day_90.lapses_on) == (True, DAY + D)
    day_91 = _pilot(report, crew, "recency_day_91").rule("recency")
    assert (day_91.holds, day_91.lapses_on) == (False, DAY)
    assert _pilot(report, crew, "recency_day_90").lapses_within(DAY, 30)


def test_recency_lapsed_when_old_legs_left_the_window_not_90_days_after_the_third_latest(
    engine: Engine, crew: Crew
) -> None:
    """Legs on DAY-200, -199, -198, then two more (DAY-20, DAY-2): it held until DAY-200+89 and
    lapsed the day after; the third-latest leg (DAY-198) + 90 would say DAY-108."""
    rule = _pilot(_report(engine), crew, "recency_lapsed_before_recent_legs").rule("recency")
    assert (rule.holds, rule.lapses_on) == (False, DAY - 200 * D + 90 * D)


def test_night_currency_counts_night_take_offs_and_landings_only(
    engine: Engine, crew: Crew
) -> None:
    report = _report(engine)
    current = _pilot(report, crew, "night_current").rule("night_recency")
    assert (current.holds, current.lapses_on) == (True, DAY - 80 * D + 90 * D)
    two = _pilot(report, crew, "night_two_of_three")
    night = two.rule("night_recency")
    assert (night.holds, night.lapses_on, two.rule("recency").holds) == (False, None, True)
    assert two.ready and not night.required  # by default not night-current may fly by day
    required = ReadinessRules(night_recency=NightRecencyRule(required=True))
    strict = _pilot(_report(engine, rules=required), crew, "night_two_of_three")
    assert not strict.ready and strict.failing == ("night_recency",)


def test_a_leg_counts_on_its_on_block_day_once_flown_and_not_when_cancelled(
    engine: Engine, crew: Crew
) -> None:
    """Flown as pilot flying: off block DAY-90 23:00, on block DAY-89 01:00; DAY-50; DAY 01:00
    (on block 02:00, before the export's moment). Not counted: a leg of DAY landing at 10:00, a
    cancelled leg of DAY-1. So the third-latest is DAY-89: current, lapsing tomorrow."""
    rule = _pilot(_report(engine), crew, "on_block_day_and_not_yet_flown").rule("recency")
    assert (rule.holds, rule.lapses_on, rule.takeoffs, rule.landings) == (True, DAY + D, 3, 3)


def _flight_time(report: ReadinessReport, crew: Crew, key: str) -> FlightTimeState:
    rule = _pilot(report, crew, key).rule("flight_time")
    assert isinstance(rule, FlightTimeState)
    return rule


def test_the_900_hour_limit_falls_back_on_the_first_of_january(engine: Engine, crew: Crew) -> None:
    """2.9 h a day from 20 February 2026: 900 h reached on day ceil(54000/174) of them."""
    reached = date(2026, 2, 20) + (math.ceil(54_000 / 174) - 1) * D
    december = _flight_time(_report(engine, date(2026, 12, 31)), crew, "over_900_hours_in_2026")
    assert (december.holds, december.lapses_on) == (False, reached)
    # as of 03:00 on 31 December, that day's leg (08:00) is not flown yet
    flown = (date(2026, 12, 31) - date(2026, 2, 20)).days
    assert december.minutes_calendar_year == 174 * flown
    assert december.left_calendar_year == 900 * 60 - 174 * flown
    january = _flight_time(_report(engine, date(2027, 1, 1)), crew, "over_900_hours_in_2026")
    assert (january.holds, january.minutes_calendar_year) == (True, 0)
    assert january.minutes_12_months == 174 * (flown + 1)  # 1 February 2026 ... 1 January 2027
    assert january.left_calendar_year == 900 * 60


def test_the_12_month_and_28_day_limits(engine: Engine, crew: Crew) -> None:
    report = _report(engine)
    twelve = _flight_time(report, crew, "over_1000_hours_in_12_months")
    assert not twelve.holds and twelve.minutes_12_months == 192 * (DAY - date(2026, 2, 1)).days
    assert twelve.minutes_calendar_year == 192 * 13 and twelve.left_calendar_year > 0
    # over 900 h in 2026 first, then over 1,000 h in 12 months before 1 January: one stretch
    reached = date(2026, 2, 1) + (math.ceil(54_000 / 192) - 1) * D
    assert twelve.lapses_on == reached
    four = _flight_time(report, crew, "over_100_hours_in_28_days")
    # 4 h a day from DAY-26: exactly 100 h on DAY-2 is not below the limit
    assert (four.holds, four.lapses_on, four.minutes_28_days) == (False, DAY - 2 * D, 26 * 240)
    assert four.left_28_days == -4 * 60


def test_an_employee_leaving_mid_window(engine: Engine, crew: Crew) -> None:
    """As the HRIS records a departure: a version `terminated` from the leaving date on. DAY's
    window runs from 03:00 on DAY-1; the pilot left on DAY-1."""
    report = _report(engine)
    left = _pilot(report, crew, "left_mid_window")
    employment = left.rule("employment")
    assert (employment.holds, employment.lapses_on) == (False, DAY - D)
    assert not left.ready and left.failing == ("employment",) and left.lapses_on == DAY - D
    on_day = _pilot(report, crew, "leaves_on_day")
    assert on_day.ready and on_day.lapses_on == DAY + D and on_day.lapses_within(DAY, 30)
    later = _pilot(report, crew, "leaves_in_10_days").rule("employment")
    assert (later.holds, later.lapses_on) == (True, DAY + 11 * D)
    forty = _pilot(report, crew, "left_40_days_ago").rule("employment")
    assert (forty.holds, forty.lapses_on) == (False, DAY - 40 * D)
    assert crew.edge["left_14_months_ago"] not in {p.employee_id for p in report.pilots}
    # a termination effective after DAY, already in the store: not known on DAY
    known_later = _pilot(report, crew, "termination_recorded_after_day").rule("employment")
    assert (known_later.holds, known_later.lapses_on) == (True, None)
    # two days before, the departure was not recorded yet (a backfill does not see it)
    before = _pilot(_report(engine, DAY - 2 * D), crew, "left_mid_window").rule("employment")
    assert (before.holds, before.lapses_on) == (True, None)


def test_qualifications_and_ebt_modules(engine: Engine, crew: Crew) -> None:
    report = _report(engine)
    medical = _pilot(report, crew, "medical_lapses_in_horizon")
    assert medical.ready and medical.lapses_on == DAY + 13 * D
    assert medical in report.lapsing()
    line = _pilot(report, crew, "line_check_lapsed_renewal_after_day")
    assert line.failing == ("qualification:LINE_CHECK",) and line.lapses_on == DAY - 7 * D
    leap = _pilot(report, crew, "ebt_from_29_february").rule("ebt_module")
    assert (leap.holds, leap.lapses_on) == (False, date(2025, 2, 28))
    lms = _pilot(report, crew, "ebt_by_lms_completion").rule("ebt_module")
    assert (lms.holds, lms.lapses_on) == (True, add_months(DAY - 300 * D, 12))


def test_calendar_months_clamp_and_twelve_months_start() -> None:
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 15), -14) == date(2025, 1, 15)
    assert twelve_months_start(date(2027, 1, 14)) == date(2026, 2, 1)
    assert twelve_months_start(date(2026, 12, 31)) == date(2026, 1, 1)


def test_employment_lapse_date_looks_back_over_versions() -> None:
    versions = [
        EmployeeVersion(date(2020, 1, 1), date(2026, 5, 1), "FO", "active", None),
        EmployeeVersion(date(2026, 5, 1), date(2026, 8, 1), "FO", "leave", None),
        EmployeeVersion(date(2026, 8, 1), None, "CPT", "active", date(2026, 12, 1)),
    ]
    assert employment_state(versions, date(2026, 6, 1), ["active"]).lapses_on == date(2026, 5, 1)
    later = employment_state(versions, date(2026, 9, 1), ["active"])
    assert (later.holds, later.lapses_on) == (True, date(2026, 12, 2))
    gone = employment_state(versions, date(2027, 1, 1), ["active"])
    assert (gone.holds, gone.lapses_on, gone.status) == (False, date(2026, 12, 2), "active")
    assert employment_state([], date(2027, 1, 1), ["active"]).lapses_on is None
