"""The Crew sync page's query (tests/crew/test_sync_status_sqlite.py) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tests.conftest import require_service
from tests.crew.test_sync_status_sqlite import (  # noqa: F401 - collected here, on PostgreSQL
    drop,
    test_a_database_without_the_training_tables_shows_no_run_and_stays_as_it_was,
    test_a_run_leaves_its_window_counts_quarantine_and_exports,
    test_retention_forgets_runs_older_than_the_period,
    test_the_page_shows_a_failed_source_and_the_quarantine_without_personal_data,
    test_the_page_shows_only_the_companies_asked_for,
)
from tests.e2e.support import fresh_postgres_database, postgres_available

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_crew_page") as url:
        engine = sa.create_engine(url)
        yield engine
        engine.dispose()
