"""Late-entered qualifications and gradings (tests/crew/test_late_entries_sqlite.py) on
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tests.conftest import require_service
from tests.crew.test_late_entries_sqlite import (  # noqa: F401 - collected here, on PostgreSQL
    drop,
    test_a_qualification_and_a_grading_entered_late_load_on_the_next_run,
    test_rows_dated_after_the_window_wait_for_theirs,
)
from tests.e2e.support import fresh_postgres_database, postgres_available

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_late_entries") as url:
        engine = sa.create_engine(url)
        yield engine
        engine.dispose()
