"""Events never bypass the 5-minute spacing of uploads: whatever started a run (its schedule, a
person, an asset event), an aircraft called less than 5 minutes ago is sent nothing; an
asset-triggered run (no logical date) is current, a backfill never uploads. The sandbox over HTTP
and a SQLite store, through `upload_batch`, the function every upload task calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.utils.types import DagRunType

from aerosync.airflow.upload_steps import currency_of
from aerosync.models import Decision, Outcome
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.schedule.local_run import MarketplaceAccount, SessionSender
from aerosync.schedule.upload import upload_batch
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
from aerosync.stores.status import StatusStore
from tests.conftest import make_company
from tests.schedule.test_upload_concurrency import body, reset, sent_tails

pytestmark = pytest.mark.integration
AUTH, API = "events-auth-5521", "events-api-7730"
TAILS = ["N101EV", "N202EV"]
FIRST_CALL = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
RUN_IDS = {
    DagRunType.ASSET_TRIGGERED: "asset_triggered__2026-12-07T10:04:00+00:00",
    DagRunType.MANUAL: "manual__2026-12-07T10:04:10+00:00",
    DagRunType.SCHEDULED: "scheduled__2026-12-07T10:04:20+00:00",
}


def _upload(
    store: StatusStore, sandbox: SandboxServer, run_id: str, at: datetime
) -> dict[str, Outcome]:
    company = make_company(marketplace_conn_id="avinode_events")
    sender = SessionSender({"avinode_events": MarketplaceAccount(sandbox.url, AUTH, API)}, "t/1")
    result = upload_batch(
        company,
        run_id,
        TAILS,
        {tail: body(tail) for tail in TAILS},
        {tail: Decision(held=False, warnings=()) for tail in TAILS},
        store,
        sender,
        clock=lambda: at,
    )
    return {record.tail: record.outcome for record in result.records}


def test_no_run_type_calls_an_aircraft_twice_within_5_minutes(tmp_path: Path) -> None:
    state = SandboxState(accounts=[("events", AUTH, API)])
    with SandboxServer(port=0, state=state) as sandbox:
        reset(sandbox)
        store = StatusStore(sqlite_engine(tmp_path / "aerosync.db"))
        ensure_migrated(store.engine)
        first = _upload(store, sandbox, "scheduled__2026-12-07T10:00:00+00:00", FIRST_CALL)
        assert set(first.values()) == {Outcome.UPLOADED}
        assert sorted(sent_tails(sandbox)) == sorted(TAILS)
        for number, (run_type, run_id) in enumerate(RUN_IDS.items()):
            at = FIRST_CALL + timedelta(minutes=4, seconds=10 * number)
            outcomes = _upload(store, sandbox, run_id, at)
            assert set(outcomes.values()) == {Outcome.SKIPPED}, run_type
        assert sorted(sent_tails(sandbox)) == sorted(TAILS)  # no second call went out
        # Once 5 minutes have passed, an event may make the next upload come sooner.
        later = _upload(
            store,
            sandbox,
            "asset_triggered__2026-12-07T10:05:01+00:00",
            FIRST_CALL + timedelta(minutes=5, seconds=1),
        )
        assert set(later.values()) == {Outcome.UPLOADED}
        assert sorted(sent_tails(sandbox)) == sorted(TAILS * 2)
        store.engine.dispose()


def _context(run_type: DagRunType, logical_date: datetime | None) -> dict[str, Any]:
    return {"dag_run": SimpleNamespace(run_type=run_type, logical_date=logical_date)}


def test_an_asset_triggered_run_is_current_a_backfill_never() -> None:
    asset = currency_of(_context(DagRunType.ASSET_TRIGGERED, None))
    assert asset.current and "asset_triggered run" in asset.reason, asset.reason
    backfill = currency_of(_context(DagRunType.BACKFILL_JOB, datetime.now(UTC)))
    assert not backfill.current
    late = currency_of(_context(DagRunType.SCHEDULED, datetime.now(UTC) - timedelta(hours=2)))
    assert not late.current
