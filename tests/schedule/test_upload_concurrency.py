"""An upload batch with several calls in flight (`upload_concurrency`), against the sandbox over
HTTP, on the SQLite and PostgreSQL stores: each aircraft sent once, each outcome recorded once,
and a store that stops recording stops the calls."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from aerosync.models import Decision, Outcome
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.schedule.local_run import MarketplaceAccount, SessionSender
from aerosync.schedule.upload import upload_batch
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
from aerosync.stores.status import StatusStore
from aerosync.stores.status_records import StatusRecord
from tests.conftest import make_company, require_service
from tests.e2e.support import fresh_postgres_database, postgres_available

pytestmark = pytest.mark.integration
AUTH, API = "conc-auth-5183", "conc-api-6021"
TAILS = [f"N{n}CC" for n in range(1, 13)]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0, state=SandboxState(accounts=[("conc", AUTH, API)])) as server:
        yield server


@contextmanager
def store_engine(kind: str, tmp_path: Path) -> Iterator[sa.Engine]:
    if kind == "sqlite":
        engine = sqlite_engine(tmp_path / "aerosync.db")
        yield engine
        engine.dispose()
        return
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_concurrency") as url:
        engine = sa.create_engine(url)
        yield engine
        engine.dispose()


def body(tail: str) -> str:
    activity = {
        "activityId": f"{tail}-1",
        "activityType": "Maintenance",
        "startAirport": {"icao": "KTEB"},
        "endAirport": {"icao": "KTEB"},
        "startDateTime": "2026-11-25T08:00Z",
        "endDateTime": "2026-11-25T10:00Z",
    }
    return json.dumps({"lift": {"aircraftTail": tail}, "activities": [activity]})


def sent_tails(sandbox: SandboxServer) -> list[str]:
    log = requests.get(f"http://127.0.0.1:{sandbox.port}/_sandbox/requests", timeout=5).json()
    return [entry["tail"] for entry in log]


def reset(sandbox: SandboxServer) -> None:
    requests.post(f"http://127.0.0.1:{sandbox.port}/_sandbox/reset", timeout=5).raise_for_status()


def run(
    engine: sa.Engine, sandbox: SandboxServer, concurrency: int, status: StatusStore | None = None
) -> list[StatusRecord]:
    company = make_company(marketplace_conn_id="avinode_conc", upload_concurrency=concurrency)
    status = status or StatusStore(engine)
    ensure_migrated(status.engine)
    sender = SessionSender({"avinode_conc": MarketplaceAccount(sandbox.url, AUTH, API)}, "t/1")
    decisions = {t: Decision(held=False, warnings=()) for t in TAILS}
    bodies = {tail: body(tail) for tail in TAILS}
    result = upload_batch(
        company, f"run-c{concurrency}", TAILS, bodies, decisions, status, sender,
        concurrency=concurrency,
    )  # fmt: skip
    return result.records


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_calls_in_flight_send_and_record_each_aircraft_once(
    kind: str, tmp_path: Path, sandbox: SandboxServer
) -> None:
    with store_engine(kind, tmp_path) as engine:
        reset(sandbox)
        records = run(engine, sandbox, concurrency=4)
        assert [r.tail for r in records] == TAILS  # in the batch's order, whatever finished first
        assert {r.outcome for r in records} == {Outcome.UPLOADED}, [r.to_json() for r in records]
        assert sorted(sent_tails(sandbox)) == sorted(TAILS)
        stored = StatusStore(engine).attempts(records[0].company, "run-c4")
        assert sorted(r.tail for r in stored) == sorted(TAILS)
        assert all(r.last_success_at == r.attempted_at for r in stored)


class FailingStore(StatusStore):
    """The aerosync database stops accepting new records (each attempt's, written before its
    call) after `working` of them (a fault the test cannot cause in a real database at a chosen
    moment)."""

    def __init__(self, engine: sa.Engine, working: int) -> None:
        super().__init__(engine)
        self.working = working

    def record(self, records: Sequence[StatusRecord], *, history_read: bool = False) -> None:
        if self.working <= 0:
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is gone"))
        self.working -= 1
        super().record(records, history_read=history_read)


@pytest.mark.parametrize("concurrency", [1, 3])
def test_a_store_that_stops_recording_stops_the_calls(
    concurrency: int, tmp_path: Path, sandbox: SandboxServer
) -> None:
    reset(sandbox)
    engine = sqlite_engine(tmp_path / "aerosync.db")
    with pytest.raises(sa.exc.OperationalError):
        run(engine, sandbox, concurrency, FailingStore(engine, working=4))
    sent = sent_tails(sandbox)
    # Four attempts recorded before their calls; the fifth attempt's record failed, so its call
    # never went out, nor any after it: every call that went out has its record.
    recorded = StatusStore(engine).attempts("skyway_charter", f"run-c{concurrency}")
    assert len(recorded) == 4
    assert sorted(sent) == sorted(r.tail for r in recorded)
    assert {r.outcome for r in recorded} == {Outcome.UPLOADED}
