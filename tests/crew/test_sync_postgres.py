"""The training sync's domain tests (tests/crew/test_sync_sqlite.py) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tests.conftest import require_service
from tests.crew.test_sync_sqlite import (  # noqa: F401 - collected here, on PostgreSQL
    drop,
    test_a_changed_source_row_is_one_audited_update,
    test_broken_rows_are_quarantined_and_the_rest_of_the_file_loads,
    test_employee_history_is_effective_dated,
    test_rerunning_every_window_changes_nothing,
    test_retention_purges_old_rows_and_audits_the_purge,
    test_unknown_employee_rows_load_once_the_hris_knows_them,
)
from tests.e2e.support import fresh_postgres_database, postgres_available

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_training") as url:
        engine = sa.create_engine(url)
        yield engine
        engine.dispose()
