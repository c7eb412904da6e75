"""The regulatory exports' tests (test_regulatory_sqlite.py) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tests.conftest import require_service
from tests.crew.test_regulatory_sqlite import (  # noqa: F401 - collected here, on PostgreSQL
    test_a_failing_suite_writes_nothing_and_names_the_pilot_and_field,
    test_a_pilots_easa_record_lists_every_record_of_the_retention_period,
    test_every_export_of_a_run_is_checked_before_any_is_written,
    test_neither_the_prd_nor_the_easa_files_hold_a_sensitive_value_or_a_name,
    test_the_prd_export_of_the_demo_training_events_passes_its_suite,
    test_the_same_store_writes_the_same_bytes,
)
from tests.e2e.support import fresh_postgres_database, postgres_available

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_regulatory") as url:
        engine = sa.create_engine(url)
        yield engine
        engine.dispose()
