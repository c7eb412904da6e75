"""Fault-matrix rows of isolation inside a company (safety rule 6), each a real Airflow run:

* one byte that is not UTF-8 in one leg's note holds only that leg's aircraft;
* an LMS that never sends its last page holds only the aircraft it covers, within its deadline;
* a PostgreSQL FMS that accepts the connection and never answers fails within
  `fms.timeout_seconds`, not after minutes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from aerosync.schedule.sources.fms import extract
from aerosync.schedule.sources.fms_text import undecodable_findings
from aerosync.stores.database import sqlite_engine
from tests.e2e.fault_matrix.support import FaultEnv, FaultSetup
from tests.silent_tcp import SilentServer

pytestmark = pytest.mark.integration

BAD_BYTE = "iso_bad_byte"
ENDLESS = "iso_endless_lms"
SILENT = "iso_silent_fms"
LMS_FEED = "iso_endless"
LMS_PASSWORD = "iso-lms-basic-pw-4d2f"  # must never leak
FMS_PASSWORD = "iso-fms-reader-pw-81c3"  # must never leak
LMS_DEADLINE = 3
# What fault_setup learnt: the held aircraft and activity of the bad byte, the LMS's tails.
LEARNT: dict[str, Any] = {}
_SILENT_SERVERS: list[SilentServer] = []  # alive for the whole session


def _company(company_id: str, name: str, fms_conn: str, **more: Any) -> dict[str, Any]:
    return {"id": company_id, "name": name, "schedule": "*/15 * * * *",
            "marketplace_conn_id": f"avinode_{company_id}",
            "fms": {"conn_id": fms_conn, "dialect": "reference"}, **more}  # fmt: skip


def _bad_byte(setup: FaultSetup) -> None:
    path, tails = setup.demo_fms(f"{BAD_BYTE}_fms")
    engine = sqlite_engine(path)
    with engine.begin() as conn:
        leg = conn.exec_driver_sql(
            "SELECT leg_id FROM legs WHERE cancelled = 0 AND off_block > ? "
            "ORDER BY off_block LIMIT 1",
            (setup.now.isoformat(),),
        ).scalar_one()
        conn.exec_driver_sql(
            "UPDATE legs SET note = CAST(X'4142FF43' AS TEXT) WHERE leg_id = ?", (leg,)
        )
    # Which aircraft and activity the byte lands on, as the extract itself reads them.
    raw = extract(engine, "reference", setup.now)
    engine.dispose()
    [finding] = undecodable_findings(BAD_BYTE, raw.undecodable, {}, raw.activity_columns, {})
    LEARNT["bad_tail"], LEARNT["bad_activity"] = finding.tail, finding.activity_id
    setup.sqlite_fms(f"{BAD_BYTE}_fms", path)
    setup.marketplace(f"avinode_{BAD_BYTE}", BAD_BYTE)
    setup.add_company(_company(BAD_BYTE, "Bad Byte Charter", f"{BAD_BYTE}_fms"), tails)


def _endless_lms(setup: FaultSetup) -> None:
    path, tails = setup.demo_fms(f"{ENDLESS}_fms")
    setup.sqlite_fms(f"{ENDLESS}_fms", path)
    setup.marketplace(f"avinode_{ENDLESS}", ENDLESS)
    setup.add_connection(
        "iso_lms_rest",
        {"conn_type": "http", "host": f"http://127.0.0.1:{setup.sandbox.port}", "login": "aerosync",
         "password": LMS_PASSWORD},
        LMS_PASSWORD,
    )  # fmt: skip
    setup.sandbox.lms.set_endless(LMS_FEED, True)
    LEARNT["lms_tails"] = tails[:2]
    rest = {
        "conn_id": "iso_lms_rest",
        "endpoint": f"lms/{LMS_FEED}/bookings",
        "page_size": 5,
        "timeout_seconds": 5,
        "deadline_seconds": LMS_DEADLINE,
        "max_pages": 100_000,
    }
    training = {"bookings": {"rest": rest, "tails": LEARNT["lms_tails"]}}
    setup.add_company(
        _company(ENDLESS, "Endless LMS Charter", f"{ENDLESS}_fms", training=training), tails
    )


def _silent_fms(setup: FaultSetup) -> None:
    silent = SilentServer().start()
    _SILENT_SERVERS.append(silent)
    setup.add_connection(
        f"{SILENT}_fms",
        {"conn_type": "postgres", "host": "127.0.0.1", "port": silent.port,
         "login": "fms_reader", "password": FMS_PASSWORD, "schema": "fms"},
        FMS_PASSWORD,
    )  # fmt: skip
    setup.marketplace(f"avinode_{SILENT}", SILENT)
    entry = _company(SILENT, "Silent FMS Charter", f"{SILENT}_fms")
    entry["fms"]["timeout_seconds"] = 5
    setup.add_company(entry, [])


def fault_setup(setup: FaultSetup) -> None:
    _bad_byte(setup)
    _endless_lms(setup)
    _silent_fms(setup)


def _put_counts(faults: FaultEnv, tails: list[str]) -> dict[str, int]:
    return {tail: len(faults.puts(tail)) for tail in tails}


def _messages(record: dict[str, Any]) -> str:
    return " | ".join(str(r.get("message")) for r in record["reasons"])


def test_one_undecodable_byte_holds_only_its_aircraft(faults: FaultEnv) -> None:
    faults.forget(BAD_BYTE)
    tails = faults.tails(BAD_BYTE)
    bad_tail, activity = LEARNT["bad_tail"], LEARNT["bad_activity"]
    assert bad_tail in tails and len(tails) > 1
    before = _put_counts(faults, tails)
    result = faults.upload(BAD_BYTE)
    after = _put_counts(faults, tails)
    assert result.state == "success", result.states()
    status = faults.status(BAD_BYTE)
    assert sorted(status) == tails
    held = status[bad_tail]
    assert held["outcome"] == "held", held
    assert after[bad_tail] == before[bad_tail]  # nothing sent for it
    [reason] = [r for r in held["reasons"] if r["code"] == "TEXT_NOT_UTF8"]
    assert (reason["activity_id"], reason["field"]) == (activity, "note")
    assert (
        f"{BAD_BYTE}: the note of activity {activity} of {bad_tail} is not valid UTF-8 text"
        in reason["message"]
    )
    for tail in tails:
        if tail != bad_tail:
            assert after[tail] - before[tail] == 1, tail  # exactly one PUT each
            assert status[tail]["outcome"] in ("uploaded", "uploaded_with_errors"), status[tail]
    faults.assert_no_secrets([result], BAD_BYTE)


def test_an_endless_lms_holds_only_the_aircraft_it_covers(faults: FaultEnv) -> None:
    faults.forget(ENDLESS)
    tails, covered = faults.tails(ENDLESS), LEARNT["lms_tails"]
    before = _put_counts(faults, tails)
    pages_before = len(faults.sandbox.lms.log.get(LMS_FEED, []))
    result = faults.upload(ENDLESS)
    after = _put_counts(faults, tails)
    pages = len(faults.sandbox.lms.log.get(LMS_FEED, [])) - pages_before
    # The run ends: the LMS had its deadline, then the others uploaded.
    assert result.seconds < 120, result.seconds
    [build] = result.tasks("build_schedules")
    assert build["duration"] < LMS_DEADLINE + 60, build
    assert pages > 1, "the LMS kept sending pages"
    print(
        f"endless LMS: run {result.seconds:.1f} s, build {build['duration']:.1f} s, {pages} pages"
    )
    assert result.state == "failed", result.states()  # a failed source fails the run
    status = faults.status(ENDLESS)
    assert sorted(status) == tails
    for tail in tails:
        if tail in covered:
            assert status[tail]["outcome"] == "held", status[tail]
            assert after[tail] == before[tail], tail
            why = _messages(status[tail])
            assert "LMS bookings (REST, connection iso_lms_rest" in why, why
            assert f"had not sent its last page after {LMS_DEADLINE} s" in why, why
        else:
            assert after[tail] - before[tail] == 1, tail
            assert status[tail]["outcome"] in ("uploaded", "uploaded_with_errors"), status[tail]
    faults.assert_no_secrets([result], ENDLESS)


def test_a_silent_postgres_fms_fails_within_its_timeout(faults: FaultEnv) -> None:
    faults.forget(SILENT)
    puts_before = len([r for r in faults.sandbox.state.requests() if r.get("method") == "PUT"])
    started = datetime.now(UTC)
    result = faults.upload(SILENT)
    elapsed = (datetime.now(UTC) - started).total_seconds()
    assert result.state == "failed", result.states()
    assert elapsed < 60 and result.seconds < 60, (elapsed, result.seconds)  # not 140 s
    [build] = result.tasks("build_schedules")
    assert build["duration"] < 30, build
    print(f"silent FMS: run {result.seconds:.1f} s, build_schedules {build['duration']:.1f} s")
    assert _SILENT_SERVERS[0].accepted >= 1  # the TCP connection was made, never answered
    # `upload` mapped over no batch never ran: it has no log to read.
    ran = replace(result, task_instances=[t for t in result.task_instances if t["try_number"]])
    assert [t["task_id"] for t in ran.task_instances] == ["build_schedules", "record_status"]
    logs = faults.logs(ran)
    assert (
        f"FMS {SILENT}_fms (reference): SourceTimeout: no answer within 5 s "
        "(fms.timeout_seconds)" in logs
    ), logs[-3000:]
    puts_after = len([r for r in faults.sandbox.state.requests() if r.get("method") == "PUT"])
    assert puts_after == puts_before  # nothing sent
    faults.assert_no_secrets([ran], SILENT)
