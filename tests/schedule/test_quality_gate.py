"""Every expectation and guard, tripped and passed, through the real pipeline steps against the
sandbox over HTTP: which aircraft were uploaded, held or skipped, and what the sandbox saw."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from aerosync.config.companies import CompanyConfig
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.schedule.local_run import MarketplaceAccount, SessionSender, run_company
from aerosync.schedule.record import RunSummary
from aerosync.stores.database import iso, sqlite_engine
from tests.conftest import make_company
from tests.schedule.fms_builder import FmsBuilder

pytestmark = pytest.mark.integration
AUTH, API = "gate-auth-4471", "gate-api-8812"
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0, state=SandboxState(accounts=[("gate", AUTH, API)])) as server:
        yield server


class Gate:
    """One company, its FMS, its aerosync store and the sandbox, for one test."""

    def __init__(self, tmp: Path, sandbox: SandboxServer, **company: Any) -> None:
        self.fms = FmsBuilder(tmp / "fms.sqlite")
        self.store = sqlite_engine(tmp / "aerosync.db")
        self.sandbox = sandbox
        self.company: CompanyConfig = make_company(**company)
        self.sender = SessionSender(
            {"avinode_skyway": MarketplaceAccount(sandbox.url, AUTH, API)}, "AeroSync/test"
        )
        self.reset_sandbox()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.sandbox.port}"

    def reset_sandbox(self) -> None:
        requests.post(f"{self.base}/_sandbox/reset", timeout=5).raise_for_status()

    def age_history(self, minutes: int = 10) -> None:
        """Move earlier attempts back in time, as if they happened `minutes` ago."""
        with self.store.begin() as conn:
            rows = conn.execute(sa.text("SELECT attempt_id, attempted_at FROM upload_status")).all()
            for attempt_id, attempted_at in rows:
                moved = datetime.fromisoformat(attempted_at) - timedelta(minutes=minutes)
                conn.execute(
                    sa.text(
                        "UPDATE upload_status SET attempted_at = :at, last_success_at = "
                        "CASE WHEN last_success_at IS NULL THEN NULL ELSE :at END "
                        "WHERE attempt_id = :id"
                    ),
                    {"at": iso(moved), "id": attempt_id},
                )

    def clean_aircraft(self, tail: str, legs: int = 4) -> None:
        """A past leg and future legs, continuous at KTEB, no overlap."""
        self.fms.aircraft(tail)
        for i in range(legs):
            self.fms.leg(f"{tail}-L{i}", tail, NOW + timedelta(hours=6 * i - 12))

    def run(self) -> RunSummary:
        return run_company(self.company, self.fms.engine, self.store, self.sender)

    def requests_for(self, tail: str) -> list[dict[str, Any]]:
        log = requests.get(f"{self.base}/_sandbox/requests", params={"tail": tail}, timeout=5)
        result: list[dict[str, Any]] = log.json()
        return result


def outcomes(summary: RunSummary) -> dict[str, str]:
    return {r.tail: r.outcome.value for r in summary.records}


def reasons(summary: RunSummary, tail: str) -> str:
    (record,) = [r for r in summary.records if r.tail == tail]
    return " | ".join(str(r.get("message")) for r in record.reasons)


def warnings(summary: RunSummary, tail: str) -> str:
    (record,) = [r for r in summary.records if r.tail == tail]
    return " | ".join(str(m.get("message") or m.get("title")) for m in record.messages)


@pytest.fixture
def gate(tmp_path: Path, sandbox: SandboxServer) -> Gate:
    return Gate(tmp_path, sandbox)


def test_clean_fleet_uploads_every_aircraft(gate: Gate) -> None:
    gate.clean_aircraft("N1")
    gate.clean_aircraft("N2")
    summary = gate.run()
    assert outcomes(summary) == {"N1": "uploaded", "N2": "uploaded"}
    assert summary.problems == []
    assert [len(gate.requests_for(t)) for t in ("N1", "N2")] == [1, 1]


@pytest.mark.parametrize(
    ("trip", "words"),
    [
        ({"on_block": "2026-01-01T00:00:00+00:00"}, "ends before it starts"),
        ({"hours": 30}, "longer than is plausible"),
        ({"off_block": "2026-12-01T10:00:00"}, "no UTC offset"),
        ({"off_block": "tomorrow at ten"}, "not an ISO 8601 time"),
        # Sorts before any ISO date: the extract's history pre-filter must still let it through.
        ({"off_block": "01/12/2026 10:00"}, "not an ISO 8601 time"),
        ({"departure_airport": ""}, "start_airport is missing"),
        ({"leg_kind": "ROCKET"}, "activity kind 'ROCKET'"),
    ],
)
def test_a_bad_activity_holds_its_aircraft_and_only_it(
    gate: Gate, trip: dict[str, Any], words: str
) -> None:
    gate.clean_aircraft("N1")
    gate.clean_aircraft("N2")
    hours = trip.pop("hours", 2)
    start: Any = trip.pop("off_block", NOW + timedelta(days=3))
    gate.fms.leg("BAD-1", "N2", start, hours=hours, **trip)
    summary = gate.run()
    assert outcomes(summary) == {"N1": "uploaded", "N2": "held"}
    assert words in reasons(summary, "N2") and "BAD-1" in reasons(summary, "N2")
    assert gate.requests_for("N2") == []
    assert len(gate.requests_for("N1")) == 1


def test_warnings_are_sent_and_reported(gate: Gate) -> None:
    gate.clean_aircraft("N1")
    gate.fms.leg("ZZ-1", "N1", NOW + timedelta(days=3), arrival_airport="ZZZZ")
    gate.fms.leg("OV-1", "N1", NOW + timedelta(days=3, minutes=30))
    summary = gate.run()
    assert outcomes(summary) == {"N1": "uploaded_with_errors"}
    text = warnings(summary, "N1")
    assert "not a known ICAO code" in text and "ZZ-1" in text
    assert "overlaps the previous one" in text and "OV-1" in text
    (request,) = gate.requests_for("N1")
    assert any(a["activityId"] == "OV-1" for a in request["body"]["activities"])


def test_duplicate_activity_id_holds(gate: Gate) -> None:
    gate.clean_aircraft("N1")
    gate.fms.ground("N1-L1", "N1", NOW + timedelta(days=4), 5)
    summary = gate.run()
    assert outcomes(summary) == {"N1": "held"}
    assert "used twice" in reasons(summary, "N1")


def broken_fms(tmp_path: Path) -> sa.Engine:
    """An FMS that cannot be opened: its folder does not exist."""
    return sa.create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'fms.sqlite'}")


def test_source_failure_holds_every_aircraft_with_no_request(gate: Gate, tmp_path: Path) -> None:
    gate.clean_aircraft("N1")
    gate.clean_aircraft("N2")
    assert outcomes(gate.run()) == {"N1": "uploaded", "N2": "uploaded"}
    gate.age_history()
    gate.reset_sandbox()
    summary = run_company(gate.company, broken_fms(tmp_path), gate.store, gate.sender)
    assert outcomes(summary) == {"N1": "held", "N2": "held"}
    assert "FMS fms_skyway" in reasons(summary, "N1") and "failed" in reasons(summary, "N1")
    assert any("source failed" in p for p in summary.problems)
    assert gate.requests_for("N1") == [] and gate.requests_for("N2") == []


def test_a_source_that_does_not_answer_in_time_holds_every_aircraft(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    """The FMS in PostgreSQL, its legs table locked by someone else: the extract's watchdog
    cancels the waiting query after the company's timeout, and the aircraft are held."""
    from tests.conftest import require_service
    from tests.e2e.support import copy_fms, fresh_postgres_database, postgres_available

    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    gate = Gate(tmp_path, sandbox, fms={"conn_id": "fms_pg", "timeout_seconds": 2})
    gate.clean_aircraft("N1")
    gate.clean_aircraft("N2")
    with fresh_postgres_database("aerosync_gate_fms") as url:
        copy_fms(gate.fms.path, url)
        fms = sa.create_engine(url)
        assert outcomes(run_company(gate.company, fms, gate.store, gate.sender)) == {
            "N1": "uploaded",
            "N2": "uploaded",
        }
        gate.age_history()
        gate.reset_sandbox()
        locker = sa.create_engine(url).connect()
        try:
            locker.execute(sa.text("LOCK TABLE legs IN ACCESS EXCLUSIVE MODE"))
            began = datetime.now(UTC)
            summary = run_company(gate.company, fms, gate.store, gate.sender)
            waited = (datetime.now(UTC) - began).total_seconds()
        finally:
            locker.rollback()
            locker.close()
        fms.dispose()
    assert outcomes(summary) == {"N1": "held", "N2": "held"}
    assert "no answer within 2 s" in reasons(summary, "N1")
    assert waited < 30
    assert gate.requests_for("N1") == [] and gate.requests_for("N2") == []


def test_empty_extract_holds_an_aircraft_that_had_activities(gate: Gate) -> None:
    gate.clean_aircraft("N1")
    gate.clean_aircraft("N2")
    assert outcomes(gate.run()) == {"N1": "uploaded", "N2": "uploaded"}
    gate.age_history()
    gate.reset_sandbox()
    gate.fms.execute("DELETE FROM legs WHERE aircraft_id = 'AC-N2'")
    summary = gate.run()
    assert outcomes(summary) == {"N1": "uploaded", "N2": "held"}
    assert "returned no activity" in reasons(summary, "N2")
    assert gate.requests_for("N2") == []


def test_sharp_shrink_holds_and_a_mild_one_passes(gate: Gate) -> None:
    gate.clean_aircraft("N1", legs=10)
    gate.clean_aircraft("N2", legs=10)
    assert outcomes(gate.run()) == {"N1": "uploaded", "N2": "uploaded"}
    gate.age_history()
    gate.reset_sandbox()
    gate.fms.execute("DELETE FROM legs WHERE leg_id IN ('N1-L9', 'N1-L8')")  # 10 -> 8: fine
    gate.fms.execute(
        "DELETE FROM legs WHERE aircraft_id = 'AC-N2' AND leg_id NOT IN ('N2-L0', 'N2-L1', 'N2-L2')"
    )  # 10 -> 3: sharp
    summary = gate.run()
    assert outcomes(summary) == {"N1": "uploaded", "N2": "held"}
    assert "shrank sharply" in reasons(summary, "N2")
    assert gate.requests_for("N2") == []


def test_no_aircraft_is_sent_twice_within_five_minutes(gate: Gate) -> None:
    gate.clean_aircraft("N1")
    first = gate.run()
    assert outcomes(first) == {"N1": "uploaded"}
    second = gate.run()
    assert outcomes(second) == {"N1": "skipped"}
    (record,) = second.records
    assert "less than 5 minutes ago" in reasons(second, "N1")
    assert record.next_allowed_at is not None
    assert record.next_allowed_at == first.records[0].attempted_at + timedelta(minutes=5)
    assert len(gate.requests_for("N1")) == 1
    assert second.problems == []


def test_schedule_without_a_past_activity_is_sent_with_a_warning(gate: Gate) -> None:
    gate.fms.aircraft("N1")
    gate.fms.leg("F-1", "N1", NOW + timedelta(days=1))
    summary = gate.run()
    assert outcomes(summary) == {"N1": "uploaded"}
    assert "no activity that ended in the past" in warnings(summary, "N1")
