"""Fault-matrix rows of safety rules 3 and 7: the record never lies, and no aircraft is sent twice
within 5 minutes, whatever happens to the tasks.

* SIGKILL: the real upload task process is killed while the sandbox holds its calls.
* A crashed `build_schedules`: the aerosync database refuses a write for real (a PostgreSQL
  trigger), the run fails, every marketed aircraft gets a record and an alert goes out.
* A skip shows the truth: an aircraft that failed with HTTP 500 and is skipped still shows the
  500 and its message on the page and in `aerosync status --json`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import psutil
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from aerosync.demo.fleet import demo_homebases
from aerosync.dev.environment import free_port
from aerosync.dev.runs import RunResult
from tests.e2e.fault_matrix.support import FaultEnv, FaultSetup, wait_until

pytestmark = pytest.mark.integration
KILLED = "fm_record_sigkill"
CRASHED = "fm_record_crash"
SKIPPED = "fm_record_skip"
SMTP_CONN = "fm_record_smtp"


class Inbox:
    """A real SMTP server's mailbox (aiosmtpd), for the alerts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def subjects(self, company: str) -> list[str]:
        return sorted(str(m["Subject"]) for m in self.messages if company in str(m["Subject"]))


INBOX = Inbox()


def _fleet(setup: FaultSetup, name: str, suffix: str) -> tuple[Path, list[str]]:
    """A demo FMS whose tails are this module's own (`N650SW` -> `N650<suffix>`): the sandbox
    counts PUTs per tail across every module of the matrix."""
    path, tails = setup.demo_fms(name)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE aircraft SET tail_number = replace(tail_number, 'SW', ?)", (suffix,))
    db.close()
    for tail, icao in demo_homebases("skyway_charter").items():
        setup.sandbox.state.set_homebase(tail.replace("SW", suffix), icao)
    return path, sorted(t.replace("SW", suffix) for t in tails)


def _company(setup: FaultSetup, company: str, suffix: str, **extra: Any) -> None:
    path, tails = _fleet(setup, f"{company}_fms", suffix)
    setup.sqlite_fms(f"{company}_fms", path)
    setup.marketplace(f"avinode_{company}", company)
    setup.add_company(
        {"id": company, "name": f"Record {suffix}", "schedule": "*/15 * * * *",
         "marketplace_conn_id": f"avinode_{company}",
         "fms": {"conn_id": f"{company}_fms", "dialect": "reference"}, **extra},
        tails,
    )  # fmt: skip


def fault_setup(setup: FaultSetup) -> None:
    # Every aircraft's call in flight at once, and a request timeout longer than the hold.
    _company(setup, KILLED, "RCK", upload_concurrency=8, request_timeout_seconds=120)
    port = free_port()
    INBOX.controller = Controller(INBOX, hostname="127.0.0.1", port=port)
    INBOX.controller.start()
    setup.add_connection(
        SMTP_CONN,
        {"conn_type": "smtp", "host": "127.0.0.1", "port": port,
         "extra": {"disable_ssl": True, "disable_tls": True, "retry_limit": 0}},
    )  # fmt: skip
    _company(
        setup, CRASHED, "RCX",
        alerts={"email": ["ops@record.example"], "smtp_conn_id": SMTP_CONN,
                "from_email": "aerosync@record.example"},
    )  # fmt: skip
    _company(setup, SKIPPED, "RCS")


@pytest.fixture(scope="module", autouse=True)
def _smtp_server() -> Iterator[None]:
    yield
    if INBOX.controller is not None:
        INBOX.controller.stop()


# -- helpers --------------------------------------------------------------------------------
def start_upload(faults: FaultEnv, company: str) -> str:
    """Trigger the company's upload DAG without waiting; returns the run id."""
    dag_id = f"schedule_upload__{company}"
    dag = faults.runtime.wait_for_dag(dag_id)
    run_id = faults.runtime.trigger(dag_id)
    if dag.get("is_paused"):
        faults.runtime.unpause(dag_id)
    return run_id


def task_process(faults: FaultEnv, ti_id: str) -> psutil.Process | None:
    """The task process of a task instance, under the scheduler (LocalExecutor): its supervisor
    (the executor's worker, whose title also names the task instance) forks it, and the task SDK
    titles it `airflow worker -- <task instance id>`. The child, not the supervisor: killing the
    supervisor would leave the task running unwatched."""
    scheduler = psutil.Process(faults.runtime.processes["scheduler"].pid)
    matching = {}
    for proc in scheduler.children(recursive=True):
        try:
            if ti_id in " ".join(proc.cmdline()):
                matching[proc.pid] = proc
        except psutil.Error:
            continue
    children = [p for p in matching.values() if p.ppid() in matching]
    if len(children) == 1:
        return children[0]
    return next(iter(matching.values())) if len(matching) == 1 else None


def ti_title(proc: psutil.Process) -> str:
    return " ".join(proc.cmdline())


def state_of(faults: FaultEnv, dag_id: str, run_id: str, task_id: str) -> list[str]:
    return [
        str(ti["state"])
        for ti in faults.runtime.task_instances(dag_id, run_id)
        if ti["task_id"] == task_id
    ]


def that_ran(result: RunResult) -> RunResult:
    """The run with only its task instances that ran (an upstream_failed one has no log)."""
    tis = [ti for ti in result.task_instances if ti["state"] != "upstream_failed"]
    return dataclasses.replace(result, task_instances=tis)


def put_counts(faults: FaultEnv, company: str) -> dict[str, int]:
    return {tail: len(faults.puts(tail)) for tail in faults.tails(company)}


# -- the SIGKILL test -----------------------------------------------------------------------
def test_a_killed_upload_task_is_unknown_and_never_sent_again_within_5_minutes(
    faults: FaultEnv,
) -> None:
    dag_id = f"schedule_upload__{KILLED}"
    tails = faults.tails(KILLED)
    faults.forget(KILLED)
    for tail in tails:
        faults.fault(tail, "hold")
    try:
        run_id = start_upload(faults, KILLED)
        wait_until(
            lambda: all(faults.sandbox.state.holding(t) == 1 for t in tails),
            240,
            "the sandbox to hold every aircraft's call",
        )
        (upload,) = [
            ti for ti in faults.runtime.task_instances(dag_id, run_id) if ti["task_id"] == "upload"
        ]
        process = task_process(faults, upload["id"])
        assert process is not None, "the upload task's process was found"
        supervisor = process.parent()
        assert supervisor is not None and ti_title(supervisor) != ti_title(process)
        during = faults.attempts(KILLED, run_id)
        assert {r["outcome"] for r in during} == {"in_flight"}, during  # intent before the call
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        faults.sandbox_post("/_sandbox/release", {})  # the marketplace applies the calls now
        for tail in tails:
            faults.fault(tail, None)
    state = faults.runtime.wait_for_run(dag_id, run_id, timeout=300)
    assert state == "failed"
    assert state_of(faults, dag_id, run_id, "upload") == ["failed"]
    assert state_of(faults, dag_id, run_id, "record_status") == ["failed"]  # ran, failed the run
    assert put_counts(faults, KILLED) == dict.fromkeys(tails, 1)
    assert set(faults.sandbox.state.held()) >= set(tails)  # the marketplace holds them
    status = faults.status(KILLED)
    for tail in tails:
        record = status[tail]
        assert record["outcome"] == "unknown", record
        words = json.dumps(record)
        assert "the call may have reached the marketplace" in words
        assert "the next run sends the complete schedule again from" in words
        assert "nothing was sent" not in words

    again = faults.upload(KILLED)  # at once: every aircraft was called less than 5 minutes ago
    assert put_counts(faults, KILLED) == dict.fromkeys(tails, 1)
    status = faults.status(KILLED)
    for tail in tails:
        assert status[tail]["outcome"] == "skipped", status[tail]
        real = status[tail]["last_real_attempt"]
        assert real["outcome"] == "unknown" and real["run_id"] == run_id, real
    assert again.state == "success", again.states

    faults.age_attempts(KILLED, 6)  # five minutes have passed
    after = faults.upload(KILLED)
    assert after.state == "success", after.states
    assert put_counts(faults, KILLED) == dict.fromkeys(tails, 2)
    status = faults.status(KILLED)
    assert {status[t]["outcome"] for t in tails} <= {"uploaded", "uploaded_with_errors"}
    faults.assert_no_secrets([again, after], KILLED)


# -- a crashed build_schedules --------------------------------------------------------------
REFUSE = """
CREATE OR REPLACE FUNCTION fm_record_refuse() RETURNS trigger AS $$
BEGIN
  IF NEW.company = '{company}' THEN
    RAISE EXCEPTION 'fault matrix: the aerosync database refuses writes to %', TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""


def refuse_writes(faults: FaultEnv, *tables: str) -> None:
    engine = faults.engine()
    with engine.begin() as conn:
        conn.execute(sa.text(REFUSE.format(company=CRASHED)))
        for table in tables:
            conn.execute(
                sa.text(
                    f"CREATE TRIGGER fm_record_refuse BEFORE INSERT OR UPDATE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION fm_record_refuse()"
                )
            )
    engine.dispose()


def allow_writes(faults: FaultEnv) -> None:
    engine = faults.engine()
    with engine.begin() as conn:
        for table in ("staged_data", "upload_status"):
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS fm_record_refuse ON {table}"))
        conn.execute(sa.text("DROP FUNCTION IF EXISTS fm_record_refuse()"))
    engine.dispose()


def test_a_crashed_build_fails_the_run_records_every_aircraft_and_alerts(
    faults: FaultEnv,
) -> None:
    dag_id = f"schedule_upload__{CRASHED}"
    tails = faults.tails(CRASHED)
    faults.forget(CRASHED)
    first = faults.upload(CRASHED)  # the last successful run: the fleet when the next crashes
    assert first.state == "success", first.states
    faults.age_attempts(CRASHED, 6)
    sent = put_counts(faults, CRASHED)
    refuse_writes(faults, "staged_data")
    try:
        crashed = faults.upload(CRASHED)
    finally:
        allow_writes(faults)
    assert crashed.state == "failed"
    assert state_of(faults, dag_id, crashed.run_id, "build_schedules") == ["failed"]
    assert state_of(faults, dag_id, crashed.run_id, "upload") == ["upstream_failed"]
    assert state_of(faults, dag_id, crashed.run_id, "record_status") == ["failed"]
    assert put_counts(faults, CRASHED) == sent  # nothing sent
    status = faults.status(CRASHED)
    assert sorted(status) == tails
    for tail in tails:
        record = status[tail]
        assert record["outcome"] == "not_attempted", record
        assert record["run_id"] == crashed.run_id
        words = record["reasons"][0]["message"]
        assert "task build_schedules failed" in words
        assert "the aerosync database refuses writes to staged_data" in words
    subjects = INBOX.subjects(CRASHED)
    assert [s for s in subjects if "NOT ATTEMPTED" in s] == sorted(
        f"[AeroSync] {CRASHED} {t}: upload NOT ATTEMPTED (a task crashed)" for t in tails
    )
    # The only other alerts are the first run's: an aircraft entering uploaded-with-errors.
    others = [s for s in subjects if "NOT ATTEMPTED" not in s]
    assert all("uploaded WITH ERRORS" in s for s in others), others
    log = faults.runtime.task_log(dag_id, crashed.run_id, "record_status")
    assert f"{len(tails)} of {len(tails)} alert(s) sent" in log
    faults.assert_no_secrets([that_ran(crashed)], CRASHED)


def test_a_store_that_refuses_the_records_too_fails_the_run_loudly(faults: FaultEnv) -> None:
    dag_id = f"schedule_upload__{CRASHED}"
    refuse_writes(faults, "staged_data", "upload_status")
    try:
        result = faults.upload(CRASHED)
    finally:
        allow_writes(faults)
    assert result.state == "failed"
    assert state_of(faults, dag_id, result.run_id, "record_status") == ["failed"]
    log = faults.runtime.task_log(dag_id, result.run_id, "record_status")
    assert "could not be recorded in the aerosync database" in log
    assert "refuses writes to upload_status" in log
    assert "task build_schedules failed" in log  # what it knows, it says


# -- a skip shows the truth -----------------------------------------------------------------
def test_a_skip_still_shows_the_500_and_its_message(faults: FaultEnv) -> None:
    tails = faults.tails(SKIPPED)
    victim = tails[0]
    faults.forget(SKIPPED)
    faults.fault(victim, "500")
    try:
        failed = faults.upload(SKIPPED)
    finally:
        faults.fault(victim, None)
    assert failed.state == "failed"
    assert faults.status(SKIPPED)[victim]["http_status"] == 500
    skipped = faults.upload(SKIPPED)  # within 5 minutes
    assert put_counts(faults, SKIPPED) == dict.fromkeys(tails, 1)
    record = faults.status(SKIPPED)[victim]
    assert record["outcome"] == "skipped" and record["run_id"] == skipped.run_id
    real = record["last_real_attempt"]
    assert real["outcome"] == "failed" and real["http_status"] == 500
    assert real["run_id"] == failed.run_id
    assert "Injected fault 500" in json.dumps(real["messages"])
    page = faults.page(SKIPPED)
    row = page[page.index(f"data-tail='{victim}'") :]
    row = row[: row.index("</tr>")]
    assert "skipped" in row and "Last real attempt" in row
    assert "HTTP 500" in row and "Injected fault 500" in row
    cli = json.loads(faults.cli_status_json(SKIPPED))
    (shown,) = [r for r in cli if r["tail"] == victim]
    assert shown["outcome"] == "skipped"
    assert shown["last_real_attempt"]["http_status"] == 500
    assert "Injected fault 500" in json.dumps(shown["last_real_attempt"])
    faults.assert_no_secrets([failed, skipped], SKIPPED)
