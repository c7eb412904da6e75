"""The roster's sync tests (tests/crew/test_roster_sync_sqlite.py) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tests.conftest import require_service
from tests.crew.test_roster_sync_sqlite import (  # noqa: F401 - collected here, on PostgreSQL
    drop,
    test_a_changed_duty_is_one_audited_update,
    test_a_duty_of_an_employee_not_yet_known_loads_once_the_hris_knows_them,
    test_a_malformed_file_fails_the_source_naming_file_and_line_and_changes_nothing,
    test_an_entity_bomb_or_external_entity_is_refused_and_leaves_no_trace,
    test_duties_keep_24_months_whatever_the_training_records_keep,
    test_rerunning_and_backfilling_in_any_order_leave_the_same_tables_and_audit,
    test_roster_xml_and_csv_load_the_same_duties_of_every_window,
)
from tests.e2e.support import fresh_postgres_database, postgres_available

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_roster") as url:
        engine = sa.create_engine(url)
        yield engine
        engine.dispose()
