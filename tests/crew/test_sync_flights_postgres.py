"""Flights flown (tests/crew/test_sync_flights_sqlite.py) with the FMS and the aerosync store on
PostgreSQL: the FMS's times are timestamptz and its flags booleans, compared by instant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tests.conftest import require_service
from tests.crew.flights_support import fill_fms, scenario, seed_employees
from tests.crew.test_sync_flights_sqlite import (  # noqa: F401 - collected here, on PostgreSQL
    DAYS,
    FIRST,
    test_a_leg_cancelled_later_stops_counting_with_one_audit_entry_per_crew_row,
    test_a_window_loads_its_crew_rows_as_flown,
    test_backfill_twice_in_any_order_gives_the_same_table_and_one_audit_entry_per_row,
    test_bad_rows_are_quarantined_naming_employee_leg_and_field_and_the_rest_loads,
    test_crew_entered_late_arrive_through_the_lookback,
    test_flight_records_are_kept_24_months_and_purged_with_an_audit_entry,
    test_rerunning_a_window_changes_nothing_and_audits_nothing,
    test_the_dialect_query_gives_every_column_and_the_legs_around_the_window,
)
from tests.e2e.support import fresh_postgres_database, postgres_available

pytestmark = pytest.mark.integration


@pytest.fixture
def database() -> Iterator[str]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_flights") as url:
        yield url


@pytest.fixture
def store(database: str) -> Iterator[Engine]:
    engine = sa.create_engine(database)
    seed_employees(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def other_store() -> Iterator[Engine]:
    with fresh_postgres_database("aerosync_flights_other") as url:
        engine = sa.create_engine(url)
        seed_employees(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def fms(database: str, tmp_path: Path) -> Iterator[Engine]:
    """The reference FMS in its own schema of the same database."""
    admin = sa.create_engine(database)
    with admin.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA fms"))
    admin.dispose()
    engine = sa.create_engine(database, connect_args={"options": "-csearch_path=fms"})
    fill_fms(engine, scenario(FIRST, DAYS))
    yield engine
    engine.dispose()
