"""Readiness computed by the project equals, pilot for pilot, type for type, rule for rule, the
plain reference implementation (tests/crew/readiness/reference.py) over a generated crew of more
than 200 pilots and a year of legs, on SQLite; on the year's last day and across the calendar-year
boundary (a backfill of 31 December and 1 January, with the later data already in the store)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine

from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
from tests.crew.readiness.comparison import both, differences, project_view
from tests.crew.readiness.crew_generator import DAY, Crew, generate_crew, insert_crew

# A year of legs of 230 pilots through a reference that walks every day: not a fast unit.
pytestmark = pytest.mark.integration
DAYS = (DAY, date(2026, 12, 31), date(2027, 1, 1))


@pytest.fixture(scope="module")
def crew() -> Crew:
    return generate_crew()


@pytest.fixture(scope="module")
def engine(crew: Crew, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path_factory.mktemp("readiness") / "aerosync.db")
    ensure_migrated(engine)
    insert_crew(engine, crew)
    yield engine
    engine.dispose()


def check_against_reference(engine: Engine, crew: Crew, day: date) -> None:
    report, expected = both(engine, day)
    ours = project_view(report)
    assert differences(ours, expected)[:20] == []
    pilots = {employee for employee, _ in ours}
    assert len(pilots) >= 200
    # the comparison means something: both verdicts, and every rule failing somewhere
    assert {p.ready for p in report.pilots} == {True, False}
    failing = {rule.split(":")[0] for p in report.pilots for rule in p.failing}
    assert failing >= {"employment", "qualification", "ebt_module", "recency", "flight_time"}
    assert any(not p.rule("night_recency").holds and p.ready for p in report.pilots)


@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_the_project_agrees_with_the_reference_on_sqlite(
    engine: Engine, crew: Crew, day: date
) -> None:
    check_against_reference(engine, crew, day)


def test_the_edge_cases_are_in_the_compared_crew(engine: Engine, crew: Crew) -> None:
    report, _ = both(engine, DAY)
    listed = {p.employee_id: p for p in report.pilots}
    edge = crew.edge
    assert listed[edge["recency_day_90"]].rule("recency").holds
    assert not listed[edge["recency_day_91"]].rule("recency").holds
    assert listed[edge["night_current"]].rule("night_recency").holds
    assert not listed[edge["night_two_of_three"]].rule("night_recency").holds
    assert not listed[edge["left_mid_window"]].ready
    assert edge["left_14_months_ago"] not in listed
    assert not listed[edge["over_1000_hours_in_12_months"]].rule("flight_time").holds
    december, _ = both(engine, date(2026, 12, 31))
    january, _ = both(engine, date(2027, 1, 1))
    heavy = edge["over_900_hours_in_2026"]
    assert [
        p.rule("flight_time").holds
        for report in (december, january)
        for p in report.pilots
        if p.employee_id == heavy
    ] == [False, True]
