"""The aerosync tables are created safely by tasks that start together on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from aerosync.status_store import StatusStore
from aerosync.training.store import TrainingStore
from tests.conftest import require_service
from tests.integration.e2e_support import fresh_postgres_database, postgres_available

pytestmark = pytest.mark.integration


def test_concurrent_schema_creation_on_a_fresh_database() -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_schema") as url:
        engine = sa.create_engine(url, pool_size=8)
        errors: list[BaseException] = []
        start = threading.Barrier(8)

        def create(store: StatusStore | TrainingStore) -> None:
            start.wait()
            try:
                store.ensure_schema()
            except BaseException as exc:  # collected: the assertion below names it
                errors.append(exc)

        stores = [StatusStore(engine), TrainingStore(engine)] * 4
        threads = [threading.Thread(target=create, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        tables = set(sa.inspect(engine).get_table_names())
        assert {"upload_status", "staged_data", "training_audit"} <= tables
        engine.dispose()
