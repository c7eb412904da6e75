"""The aerosync tables are migrated safely by tasks that start together on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from aerosync.crew.store import TrainingStore
from aerosync.stores.migrate import ensure_migrated
from aerosync.stores.status import StatusStore
from tests.conftest import require_service
from tests.e2e.support import fresh_postgres_database, postgres_available

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
                ensure_migrated(store.engine)
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


def test_last_successes_of_some_tails_read_only_those_on_postgresql() -> None:
    """`record` derives each record's last success from the history of its own tails: the
    query filters by tail in SQL (it grouped the company's whole history once per record)."""
    from datetime import UTC, datetime, timedelta

    from aerosync.models import Outcome
    from aerosync.stores.status_records import StatusRecord

    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_history") as url:
        store = StatusStore(sa.create_engine(url))
        ensure_migrated(store.engine)
        start = datetime(2026, 11, 1, tzinfo=UTC)

        def attempt(tail: str, minutes: int, outcome: Outcome) -> StatusRecord:
            return StatusRecord(
                company="co", tail=tail, run_id=f"r{minutes}",
                attempted_at=start + timedelta(minutes=minutes), outcome=outcome,
            )  # fmt: skip

        store.record([attempt("N1", 0, Outcome.UPLOADED), attempt("N2", 0, Outcome.UPLOADED)])
        store.record([attempt("N1", 15, Outcome.FAILED), attempt("N3", 15, Outcome.FAILED)])
        store.record([attempt("N2", 30, Outcome.UPLOADED_WITH_ERRORS)])
        assert store.last_successes("co", ["N1", "N3"]) == {"N1": start}
        assert store.last_successes("co", []) == {}
        assert store.last_successes("co") == {"N1": start, "N2": start + timedelta(minutes=30)}
        failed = {r.tail: r for r in store.attempts("co", "r15")}
        assert failed["N1"].last_success_at == start
        assert failed["N3"].last_success_at is None


def test_staged_data_is_compressed_with_lz4_on_postgresql() -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_lz4") as url:
        engine = sa.create_engine(url)
        ensure_migrated(engine)
        query = (
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'staged_data'::regclass AND attname = 'data'"
        )
        with engine.connect() as conn:
            assert conn.execute(sa.text(query)).scalar() == "l"
        assert ensure_migrated(engine) is None  # again: at head, nothing to change
        with engine.connect() as conn:
            assert conn.execute(sa.text(query)).scalar() == "l"
