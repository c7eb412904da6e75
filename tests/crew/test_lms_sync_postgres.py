"""The LMS catalog and enrolment tests (tests/crew/test_lms_sync_sqlite.py) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tests.conftest import require_service
from tests.crew.test_lms_sync_sqlite import (  # noqa: F401 - collected here, on PostgreSQL
    drop,
    test_a_backfill_twice_changes_nothing_and_audits_each_row_once,
    test_a_completion_takes_its_expiry_from_the_catalog_of_its_run,
    test_a_progressed_after_completed_does_not_reopen_the_enrolment,
    test_each_rule_quarantines_its_row_naming_employee_course_and_field,
    test_registered_progressed_completed_is_one_enrolment_in_any_arrival_order,
    test_the_catalog_loads_once_and_loading_it_again_changes_nothing,
    test_the_companies_file_overrides_the_catalog_and_the_lms_expiry_both,
)
from tests.e2e.support import fresh_postgres_database, postgres_available

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_lms") as url:
        engine = sa.create_engine(url)
        yield engine
        engine.dispose()
