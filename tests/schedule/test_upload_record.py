"""Intent before the call, a crash is a failure, and a skip shows the last real outcome: the
upload and `record_status` logic over a SQLite store, against the sandbox over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from aerosync.config.dialects import split_statements
from aerosync.models import Batch, Decision, Outcome
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.schedule.local_run import MarketplaceAccount, SessionSender
from aerosync.schedule.record import NO_ERROR_REPORTED, TaskCrashes, crashes_of, step_record_status
from aerosync.schedule.stages import DECISIONS, SOURCES, Stores
from aerosync.schedule.upload import upload_batch
from aerosync.status.alerts import state_changes
from aerosync.status.cli import format_table
from aerosync.status.page import render
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
from aerosync.stores.staging import FLEET
from aerosync.stores.status import StatusStore
from aerosync.stores.status_records import StatusRecord
from tests.conftest import make_company
from tests.stores.release_0_1_0 import RELEASE_0_1_0

pytestmark = pytest.mark.unit
AUTH, API = "rec-auth-1f3a", "rec-api-9c2e"
TAILS = ["N1RC", "N2RC", "N3RC"]
COMPANY = "skyway_charter"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0, state=SandboxState(accounts=[("rec", AUTH, API)])) as server:
        yield server


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[Stores]:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    yield Stores.on(engine)
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


def sender_for(sandbox: SandboxServer) -> SessionSender:
    return SessionSender({"avinode_skyway": MarketplaceAccount(sandbox.url, AUTH, API)}, "t/1", 10)


def decisions(tails: list[str], held: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    return {
        t: {"held": t in held, "warnings": [], "validation_id": "v1",
            "reasons": [{"code": "ROW_INVALID", "message": f"{t}: end before start"}]
            if t in held else []}
        for t in tails
    }  # fmt: skip


def upload(
    stores: Stores, sandbox: SandboxServer, run_id: str, tails: list[str] = TAILS, **kw: Any
) -> list[StatusRecord]:
    sender = kw.pop("sender", None) or sender_for(sandbox)
    result = upload_batch(
        make_company(),
        run_id,
        tails,
        {t: body(t) for t in tails},
        {t: Decision.from_dict(d) for t, d in decisions(tails).items()},
        stores.status,
        sender,
        **kw,
    )
    return result.records


def puts(sandbox: SandboxServer, tail: str) -> int:
    return len([r for r in sandbox.state.requests(tail) if r["method"] == "PUT"])


class Killed(BaseException):
    """The task process dies during the call (a SIGKILL cannot be caught in-process: here the
    call raises what no `except Exception` stops, after the request reached the sandbox)."""


def dying_sender(sandbox: SandboxServer) -> Any:
    real = sender_for(sandbox)

    def send(conn_id: str, payload: bytes) -> Any:
        real(conn_id, payload)
        raise Killed

    return send


def test_the_attempt_is_recorded_in_flight_before_the_call_and_settled_after(
    stores: Stores, sandbox: SandboxServer
) -> None:
    seen: list[list[tuple[str, str]]] = []
    real = sender_for(sandbox)

    def watching(conn_id: str, payload: bytes) -> Any:
        rows = stores.status.attempts(COMPANY, "run-1")
        seen.append([(r.tail, r.outcome.value) for r in rows])
        return real(conn_id, payload)

    records = upload(stores, sandbox, "run-1", ["N1RC"], sender=watching)
    assert seen == [[("N1RC", "in_flight")]]  # the intent was in the store during the call
    (stored,) = stores.status.attempts(COMPANY, "run-1")
    assert stored.outcome is Outcome.UPLOADED and stored.attempt_id == records[0].attempt_id
    assert stored.activities_sent == 1 and stored.last_success_at == stored.attempted_at


def test_a_task_killed_mid_call_leaves_in_flight_which_counts_toward_the_spacing(
    stores: Stores, sandbox: SandboxServer
) -> None:
    with pytest.raises(Killed):
        upload(stores, sandbox, "run-1", ["N1RC"], sender=dying_sender(sandbox))
    assert [r.outcome for r in stores.status.attempts(COMPANY, "run-1")] == [Outcome.IN_FLIGHT]
    assert puts(sandbox, "N1RC") == 1
    # record_status never ran; the next run, at once, must not send again
    (again,) = upload(stores, sandbox, "run-2", ["N1RC"])
    assert again.outcome is Outcome.SKIPPED
    assert puts(sandbox, "N1RC") == 1


def test_record_status_turns_the_dead_tasks_in_flight_calls_into_unknown(
    stores: Stores, sandbox: SandboxServer
) -> None:
    stores.staging.put(COMPANY, "run-1", DECISIONS, decisions(TAILS))
    with pytest.raises(Killed):
        upload(stores, sandbox, "run-1", ["N1RC"], sender=dying_sender(sandbox))
    crashes = TaskCrashes({"upload[0] (N1RC)": "killed"}, {"N1RC": "upload[0] (N1RC)"})
    summary = step_record_status(COMPANY, stores, "run-1", crashes)
    by_tail = {r.tail: r for r in summary.records}
    unknown = by_tail["N1RC"]
    assert unknown.outcome is Outcome.UNKNOWN
    words = unknown.reasons[0]["message"]
    assert "the call may have reached the marketplace" in words
    assert "the next run sends the complete schedule again from" in words
    assert "nothing was sent" not in json.dumps(unknown.to_json())
    assert unknown.next_allowed_at == unknown.attempted_at + timedelta(minutes=5)
    # the others of the batch never got a call: not attempted, naming the crashed task
    for tail in ("N2RC", "N3RC"):
        assert by_tail[tail].outcome is Outcome.NOT_ATTEMPTED
        assert "task upload[0] (N1RC) failed: killed" in by_tail[tail].reasons[0]["message"]
    assert any("unknown outcome" in p for p in summary.problems)
    assert any("not attempted" in p for p in summary.problems)
    # the next run at once: skipped, showing the unknown outcome as the last real attempt
    (skip,) = upload(stores, sandbox, "run-2", ["N1RC"])
    assert skip.outcome is Outcome.SKIPPED and puts(sandbox, "N1RC") == 1
    assert skip.last_real_attempt is not None
    assert skip.last_real_attempt.outcome == "unknown"


def test_an_earlier_runs_lost_call_is_settled_unknown_once_no_answer_can_come(
    stores: Stores, sandbox: SandboxServer
) -> None:
    with pytest.raises(Killed):
        upload(stores, sandbox, "run-1", ["N1RC"], sender=dying_sender(sandbox))
    later = datetime.now(UTC) + timedelta(minutes=3)  # request timeout 60 s + margin passed
    (skip,) = upload(stores, sandbox, "run-2", ["N1RC"], clock=lambda: later)
    (lost,) = stores.status.attempts(COMPANY, "run-1")
    assert lost.outcome is Outcome.UNKNOWN
    assert "ended without recording the answer" in lost.reasons[0]["message"]
    assert skip.outcome is Outcome.SKIPPED  # still within 5 minutes of the lost call
    assert skip.last_real_attempt and skip.last_real_attempt.outcome == "unknown"
    after = datetime.now(UTC) + timedelta(minutes=6)
    (sent,) = upload(stores, sandbox, "run-3", ["N1RC"], clock=lambda: after)
    assert sent.outcome is Outcome.UPLOADED and puts(sandbox, "N1RC") == 2


def test_a_skip_carries_the_last_real_failure_to_the_page_and_the_cli(
    stores: Stores, sandbox: SandboxServer
) -> None:
    sandbox.state.set_fault("N1RC", "500")
    (failed,) = upload(stores, sandbox, "run-1", ["N1RC"], map_index=2)
    assert failed.outcome is Outcome.FAILED and failed.http_status == 500
    sandbox.state.set_fault("N1RC", None)
    (skip,) = upload(stores, sandbox, "run-2", ["N1RC"], map_index=0)
    assert skip.outcome is Outcome.SKIPPED and puts(sandbox, "N1RC") == 1
    (latest,) = stores.status.latest(COMPANY)
    assert latest.upload_map_index == 0  # the upload task instance that wrote it
    real = latest.to_json()["last_real_attempt"]
    assert real["outcome"] == "failed" and real["http_status"] == 500
    assert real["run_id"] == "run-1" and real["upload_map_index"] == 2
    assert any(m.get("code") == "ERR_500" for m in real["messages"])
    page = render([latest], companies=[COMPANY])
    assert "Last real attempt" in page and "500" in page and "Injected fault 500" in page
    assert "/runs/run-1/tasks/upload/mapped/2" in page  # the failure's own log, beside the skip
    table = format_table([latest])
    assert "last real attempt failed HTTP 500" in table and "Injected fault 500" in table


def test_a_crashed_build_gives_every_aircraft_of_the_last_run_a_not_attempted_record(
    stores: Stores, sandbox: SandboxServer
) -> None:
    stores.staging.put(COMPANY, "run-1", DECISIONS, decisions(TAILS, held=("N3RC",)))
    upload(stores, sandbox, "run-1", ["N1RC", "N2RC"])
    step_record_status(COMPANY, stores, "run-1")
    # run-2: build_schedules crashed before deciding anything (nothing staged)
    error = "InternalError: (psycopg2.errors.RaiseException) staged_data refuses writes"
    summary = step_record_status(COMPANY, stores, "run-2", TaskCrashes({"build_schedules": error}))
    assert {r.tail: r.outcome for r in summary.records} == dict.fromkeys(
        TAILS, Outcome.NOT_ATTEMPTED
    )
    for record in summary.records:
        assert error in record.reasons[0]["message"]
        assert "task build_schedules failed" in record.reasons[0]["message"]
    assert summary.problems == [
        "3 aircraft were not attempted",
        f"task build_schedules failed: {error}",
    ]
    previous = stores.status.previous_outcomes(COMPANY, "run-2")
    events = state_changes(previous, summary.records)
    assert {e.tail: e.change for e in events} == dict.fromkeys(TAILS, "not_attempted")
    assert "NOT ATTEMPTED" in events[0].subject and error in events[0].text()
    # a crash again: the fleet is still that of run-1, and no new alert
    again = step_record_status(COMPANY, stores, "run-3", TaskCrashes({"build_schedules": error}))
    assert sorted(r.tail for r in again.records) == TAILS
    assert state_changes(stores.status.previous_outcomes(COMPANY, "run-3"), again.records) == []


def test_a_failed_fms_with_no_aircraft_holds_the_last_runs_fleet(
    stores: Stores, sandbox: SandboxServer
) -> None:
    stores.staging.put(COMPANY, "run-1", DECISIONS, decisions(TAILS))
    upload(stores, sandbox, "run-1")
    step_record_status(COMPANY, stores, "run-1")
    fms = "FMS fms_skyway (reference): OperationalError: unable to open database file"
    stores.staging.put(COMPANY, "run-2", SOURCES, {FLEET: {"fms": {"message": fms, "tails": None}}})
    stores.staging.put(COMPANY, "run-2", DECISIONS, {})
    summary = step_record_status(COMPANY, stores, "run-2")
    assert {r.tail: r.outcome for r in summary.records} == dict.fromkeys(TAILS, Outcome.HELD)
    assert all(fms in r.reasons[0]["message"] for r in summary.records)
    assert any("source failed" in p for p in summary.problems)


def test_an_aircraft_no_longer_marketed_is_reported_once_and_alerts(
    stores: Stores, sandbox: SandboxServer
) -> None:
    stores.staging.put(COMPANY, "run-1", DECISIONS, decisions(TAILS))
    upload(stores, sandbox, "run-1")
    step_record_status(COMPANY, stores, "run-1")
    stores.staging.put(COMPANY, "run-2", DECISIONS, decisions(TAILS[:2], held=tuple(TAILS[:2])))
    second = step_record_status(COMPANY, stores, "run-2")
    by_tail = {r.tail: r for r in second.records}
    gone = by_tail[TAILS[2]]
    assert gone.outcome is Outcome.NOT_MARKETED
    assert "no longer marketed" in gone.reasons[0]["message"]
    assert "keeps the schedule it last accepted" in gone.reasons[0]["message"]
    assert gone.last_success_at is not None  # what brokers still see, and since when
    previous = stores.status.previous_outcomes(COMPANY, "run-2")
    (event,) = [e for e in state_changes(previous, second.records) if e.tail == TAILS[2]]
    assert event.change == "not_marketed" and "no longer marketed" in event.subject
    # Reported once: the next run's fleet no longer holds it, and it gets no record there.
    stores.staging.put(COMPANY, "run-3", DECISIONS, decisions(TAILS[:2], held=tuple(TAILS[:2])))
    third = step_record_status(COMPANY, stores, "run-3")
    assert sorted(r.tail for r in third.records) == TAILS[:2]
    assert puts(sandbox, TAILS[2]) == 1
    assert not second.problems  # a withdrawal is news, not a failure of the run


def test_an_fms_that_lists_no_aircraft_at_all_holds_the_last_runs_fleet(
    stores: Stores, sandbox: SandboxServer
) -> None:
    stores.staging.put(COMPANY, "run-1", DECISIONS, decisions(TAILS))
    upload(stores, sandbox, "run-1")
    step_record_status(COMPANY, stores, "run-1")
    stores.staging.put(COMPANY, "run-2", DECISIONS, {})
    summary = step_record_status(COMPANY, stores, "run-2")
    assert {r.tail: r.outcome for r in summary.records} == dict.fromkeys(TAILS, Outcome.HELD)
    assert all(r.reasons[0]["code"] == "FLEET_EMPTY" for r in summary.records)


def test_unknown_alerts_without_claiming_the_old_schedule_stays() -> None:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    reasons = [{"code": "OUTCOME_UNKNOWN", "message": "may have reached"}]
    record = StatusRecord(COMPANY, "N1RC", "run-2", now, Outcome.UNKNOWN, reasons=reasons)
    (event,) = state_changes({"N1RC": "uploaded"}, [record])
    assert event.change == "unknown" and "UNKNOWN" in event.subject
    assert "previous marketplace schedule stays" not in event.text()
    assert "may hold the new schedule or the previous one" in event.text()
    assert state_changes({"N1RC": "unknown"}, [record]) == []


def test_previous_outcomes_ignore_calls_still_in_flight(stores: Stores) -> None:
    now = datetime.now(UTC)
    stores.status.record(
        [
            StatusRecord(COMPANY, "N1RC", "run-0", now - timedelta(minutes=9), Outcome.FAILED),
            StatusRecord(COMPANY, "N1RC", "run-1", now - timedelta(minutes=1), Outcome.IN_FLIGHT),
        ]
    )
    assert stores.status.previous_outcomes(COMPANY, "run-2") == {"N1RC": "failed"}


def test_a_database_of_an_earlier_build_gets_the_new_columns(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "old.db")
    released = (
        (RELEASE_0_1_0 / "schema.sql")
        .read_text(encoding="utf-8")
        .replace(",\n    upload_map_index  INTEGER", "")
        .replace(",\n    last_real_attempt TEXT", "")
    )
    assert "last_real_attempt" not in released and "upload_map_index" not in released
    with engine.begin() as conn:
        for statement in split_statements(released):
            conn.execute(sa.text(statement))
        conn.execute(sa.text("INSERT INTO upload_status (attempt_id, company, tail, run_id, "
                             "attempted_at, outcome) VALUES ('a1', 'c', 'N1', 'r', "
                             "'2026-11-24T12:00:00.000000Z', 'failed')"))  # fmt: skip
    first = ensure_migrated(engine)
    assert first is not None and first.adopted
    assert first.added_columns == (
        "upload_status.last_real_attempt",
        "upload_status.upload_map_index",
    )
    assert ensure_migrated(engine) is None  # at head: nothing to do
    (old,) = StatusStore(engine).latest("c")  # the earlier release's row reads back
    assert old.outcome is Outcome.FAILED and old.last_real_attempt is None
    assert old.upload_map_index is None
    engine.dispose()


def test_the_sandbox_holds_a_call_until_released_and_never_for_ever(sandbox: SandboxServer) -> None:
    url = f"http://127.0.0.1:{sandbox.port}"
    sandbox.state.set_fault("N1RC", "hold")
    answers: list[int] = []
    sender = sender_for(sandbox)
    call = threading.Thread(
        target=lambda: answers.append(sender("avinode_skyway", body("N1RC").encode()).status_code)
    )
    call.start()
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    while sandbox.state.holding("N1RC") == 0 and datetime.now(UTC) < deadline:
        threading.Event().wait(0.05)
    assert sandbox.state.holding("N1RC") == 1 and answers == []
    (logged,) = sandbox.state.requests("N1RC")
    assert logged["status"] is None  # received and logged, not answered
    requests.post(f"{url}/_sandbox/release", timeout=5).raise_for_status()
    call.join(10)
    assert answers == [200] and sandbox.state.requests("N1RC")[0]["status"] == 200
    assert "N1RC" in sandbox.state.held()  # the schedule was applied
    sandbox.state.set_fault("N1RC", "hold:0.3")  # the bound: answered 503, no hang
    assert sender("avinode_skyway", body("N1RC").encode()).status_code == 503


def test_crashes_are_read_from_the_runs_task_states_and_the_errors_left_in_xcom() -> None:
    plan = [
        Batch(0, ("N1RC", "N2RC"), "N1RC to N2RC (2 aircraft)"),
        Batch(1, ("N3RC",), "N3RC"),
    ]
    errors = {("upload", 1): "OperationalError: database is gone"}
    asked: list[tuple[str, int]] = []

    def error_of(task_id: str, index: int) -> str | None:
        asked.append((task_id, index))
        return errors.get((task_id, index))

    fine = {"build_schedules": "success", "upload_0": "success", "upload_1": "success"}
    assert not crashes_of(fine, lambda: plan, error_of) and asked == []
    states = {"build_schedules": "success", "upload_0": "failed", "upload_1": "failed"}
    crashes = crashes_of(states, lambda: plan, error_of)
    assert crashes.errors == {
        "upload[0] (N1RC to N2RC (2 aircraft))": NO_ERROR_REPORTED,  # killed: no error left
        "upload[1] (N3RC)": "OperationalError: database is gone",
    }
    assert (
        crashes.cause("N3RC") == "task upload[1] (N3RC) failed: OperationalError: database is gone"
    )
    assert crashes.cause("N1RC").startswith("task upload[0] (N1RC to N2RC (2 aircraft)) failed")
    build = crashes_of(
        {"build_schedules": "failed", "upload": "upstream_failed"},
        lambda: [],
        lambda task_id, index: "ValueError: boom" if task_id == "build_schedules" else None,
    )
    assert build.errors == {"build_schedules": "ValueError: boom"}
    assert build.cause("N9RC") == "task build_schedules failed: ValueError: boom"
