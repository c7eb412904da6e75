"""The comparison with the reference implementation on PostgreSQL (the production store): the
same generated crew, the year's last day and the calendar-year boundary."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from aerosync.stores.migrate import ensure_migrated
from tests.conftest import require_service
from tests.crew.readiness.crew_generator import DAY, Crew, generate_crew, insert_crew
from tests.crew.readiness.test_readiness_matches_reference import check_against_reference
from tests.e2e.support import fresh_postgres_database, postgres_available

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def crew() -> Crew:
    return generate_crew()


@pytest.fixture(scope="module")
def engine(crew: Crew) -> Iterator[Engine]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_readiness") as url:
        engine = sa.create_engine(url)
        ensure_migrated(engine)
        insert_crew(engine, crew)
        yield engine
        engine.dispose()


@pytest.mark.parametrize("day", (DAY, date(2026, 12, 31)), ids=("last-day", "new-year-eve"))
def test_the_project_agrees_with_the_reference_on_postgres(
    engine: Engine, crew: Crew, day: date
) -> None:
    check_against_reference(engine, crew, day)
