"""Fault-matrix rows of secrets (safety rule 5) and paging loops, each a real Airflow run:

* a marketplace (or a proxy, a firewall) answering with an error that echoes the request's
  headers, `Authorization: Bearer ...` and `X-Avinode-ApiToken` included: HTTP 400 as plain text,
  HTTP 500 in Avinode's JSON envelope. The aircraft is recorded failed with the status, sent once;
* an LMS that echoes `Authorization: Basic <base64 of login:password>` in an error: the LMS
  counts as failed and holds the aircraft it covers, the others upload;
* a marketplace connection over plain http to another machine: refused before any call;
* the crew/training sync (`training_sync__<company>`): an HRIS that echoes `Authorization: Basic`
  in an error fails its extract task; an HRIS whose `next_page` loops fails naming the page.

In every row no secret (nor basic auth's base64 of it) appears in the task logs, the log files,
XCom, the aerosync store, the Schedule uploads page or `aerosync status --json`.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import requests

from aerosync.dev.runs import RunResult
from tests.e2e.fault_matrix.support import FaultEnv, FaultSetup
from tests.schedule.fms_builder import FmsBuilder

pytestmark = pytest.mark.integration

ECHO400, ECHO500 = "sec_echo400", "sec_echo500"
LMS_ECHO, PLAIN_HTTP = "sec_lms_echo", "sec_plain_http"
HRIS_ECHO, HRIS_LOOP = "sec_hris_echo", "sec_hris_loop"
TAILS = {
    ECHO400: ["N7SA1", "N7SA2"],  # the first gets the echo, the second is the control
    ECHO500: ["N7SB1", "N7SB2"],
    LMS_ECHO: ["N7SC1", "N7SC2"],  # the LMS covers only the first
    PLAIN_HTTP: ["N7SD1"],
    HRIS_ECHO: ["N7SE1"],
    HRIS_LOOP: ["N7SF1"],
}
LMS_LOGIN, LMS_PASSWORD = "sec-lms-reader", "sec-lms-pw-3e8d1f"
HRIS_LOGIN, HRIS_PASSWORD = "sec-hris-reader", "sec-hris-pw-b27c40"
PLAIN_AUTH, PLAIN_API = "sec-plain-auth-90aa11", "sec-plain-api-77bb22"


def basic(login: str, password: str) -> str:
    return base64.b64encode(f"{login}:{password}".encode()).decode()


def _fms(setup: FaultSetup, company: str) -> str:
    """A small FMS of the company's own tails (no other module's company shares them), each with
    a flight tomorrow."""
    fms = FmsBuilder(setup.workdir / f"{company}_fms.sqlite")
    for index, tail in enumerate(TAILS[company]):
        fms.aircraft(tail).leg(f"{company}-L{index}", tail, setup.now + timedelta(days=1),
                               departure_airport="KTEB", arrival_airport="EGLL")  # fmt: skip
    fms.engine.dispose()
    setup.sqlite_fms(f"{company}_fms", fms.path)
    return f"{company}_fms"


def _company(setup: FaultSetup, company: str, marketplace: str, **more: Any) -> None:
    setup.add_company(
        {"id": company, "name": company.replace("_", " ").title(), "schedule": "*/15 * * * *",
         "marketplace_conn_id": marketplace,
         "fms": {"conn_id": _fms(setup, company), "dialect": "reference"}, **more},
        TAILS[company],
    )  # fmt: skip


def _http(setup: FaultSetup, conn_id: str, path: str, login: str, password: str) -> None:
    host = f"http://127.0.0.1:{setup.sandbox.port}{path}"
    setup.add_connection(
        conn_id,
        {"conn_type": "http", "host": host, "login": login, "password": password,
         "extra": {"timeout": 5}},
        password, basic(login, password),
    )  # fmt: skip


def _sandbox_post(setup: FaultSetup, path: str, payload: Any) -> None:
    url = f"http://127.0.0.1:{setup.sandbox.port}{path}"
    requests.post(url, json=payload, timeout=10).raise_for_status()


def fault_setup(setup: FaultSetup) -> None:
    for company, fault in ((ECHO400, "echo400text"), (ECHO500, "echo500")):
        setup.marketplace(f"avinode_{company}", company)
        _company(setup, company, f"avinode_{company}")
        setup.sandbox.state.set_fault(TAILS[company][0], fault)

    setup.marketplace(f"avinode_{LMS_ECHO}", LMS_ECHO)
    _http(setup, "sec_lms_rest", "", LMS_LOGIN, LMS_PASSWORD)
    covered = TAILS[LMS_ECHO][0]
    setup.sandbox.lms.load(
        LMS_ECHO,
        [{"booking_id": "SB1", "tail": covered, "airport": "KTEB", "status": "booked",
          "start": (setup.now + timedelta(days=2)).strftime("%Y-%m-%dT09:00:00Z"),
          "end": (setup.now + timedelta(days=2)).strftime("%Y-%m-%dT12:00:00Z"),
          "course": "Line check"}],
    )  # fmt: skip
    setup.sandbox.lms.set_fault(LMS_ECHO, "echo")
    rest = {"conn_id": "sec_lms_rest", "endpoint": f"lms/{LMS_ECHO}/bookings", "page_size": 5,
            "timeout_seconds": 5}  # fmt: skip
    _company(setup, LMS_ECHO, f"avinode_{LMS_ECHO}",
             training={"bookings": {"rest": rest, "tails": [covered]}})  # fmt: skip

    # Plain http to another machine: the connection must be refused before any call.
    setup.add_connection(
        f"avinode_{PLAIN_HTTP}",
        {"conn_type": "http", "host": "http://marketplace.sec-plain.example/api",
         "password": PLAIN_AUTH, "extra": {"api_token": PLAIN_API, "timeout": 5}},
        PLAIN_AUTH, PLAIN_API,
    )  # fmt: skip
    _company(setup, PLAIN_HTTP, f"avinode_{PLAIN_HTTP}")

    rows = [{"employee_id": f"SEC{n}", "first_name": "Crew", "last_name": f"Member {n}"}
            for n in range(1, 8)]  # fmt: skip
    for company, fault in ((HRIS_ECHO, "echo"), (HRIS_LOOP, "loop")):
        collection = f"{company}_employees"
        _sandbox_post(setup, f"/_sandbox/hris/{collection}", rows)
        _sandbox_post(setup, f"/_sandbox/hris/{collection}/fault", {"fault": fault})
        _http(setup, f"{company}_hris", "/hris", HRIS_LOGIN, HRIS_PASSWORD)
        setup.marketplace(f"avinode_{company}", company)
        records = {"hris": {"rest": {"conn_id": f"{company}_hris", "endpoint": collection,
                                     "page_size": 3, "timeout_seconds": 5}}}  # fmt: skip
        _company(setup, company, f"avinode_{company}", training={"records": records})


def _upload(
    faults: FaultEnv, company: str
) -> tuple[RunResult, dict[str, dict[str, Any]], dict[str, int]]:
    """One upload run from a clean slate: the run, its record per aircraft, PUTs per aircraft."""
    faults.forget(company)
    tails = faults.tails(company)
    before = {tail: len(faults.puts(tail)) for tail in tails}
    result = faults.upload(company)
    records = {r["tail"]: r for r in faults.attempts(company, result.run_id)}
    puts = {tail: len(faults.puts(tail)) - before[tail] for tail in tails}
    return result, records, puts


def _shown(record: dict[str, Any]) -> str:
    return " | ".join(
        str(m.get("title") or m.get("message")) for m in record["messages"] + record["reasons"]
    )


@pytest.mark.parametrize(("company", "status"), [(ECHO400, 400), (ECHO500, 500)])
def test_a_marketplace_echoing_the_tokens_in_an_error_is_recorded_failed_without_them(
    faults: FaultEnv, company: str, status: int
) -> None:
    result, records, puts = _upload(faults, company)
    echoed, control = faults.tails(company)
    assert result.state == "failed", result.states()
    assert puts == {echoed: 1, control: 1}  # exactly one call each, never retried
    assert records[echoed]["outcome"] == "failed" and records[echoed]["http_status"] == status
    shown = _shown(records[echoed])
    assert "Bearer ***" in shown and "X-Avinode-ApiToken: ***" in shown, shown
    assert records[control]["outcome"] == "uploaded", records[control]
    faults.assert_no_secrets([result], company)


def test_an_lms_echoing_basic_auth_holds_its_aircraft_and_leaks_nothing(faults: FaultEnv) -> None:
    result, records, puts = _upload(faults, LMS_ECHO)
    covered, other = faults.tails(LMS_ECHO)
    assert result.state == "failed", result.states()
    assert puts == {covered: 0, other: 1}
    assert records[covered]["outcome"] == "held", records[covered]
    shown = _shown(records[covered])
    assert "LMS" in shown and "HTTP 401" in shown, shown
    assert records[other]["outcome"] == "uploaded", records[other]
    faults.assert_no_secrets([result], LMS_ECHO)


def test_a_marketplace_over_plain_http_is_refused_before_any_call(faults: FaultEnv) -> None:
    result, records, puts = _upload(faults, PLAIN_HTTP)
    (tail,) = faults.tails(PLAIN_HTTP)
    assert result.state == "failed", result.states()
    assert puts == {tail: 0}
    record = records[tail]
    assert record["outcome"] == "failed" and record["http_status"] is None, record
    (message,) = [m for m in record["messages"] if m["code"] == "CONNECTION_INVALID"]
    assert f"'avinode_{PLAIN_HTTP}'" in message["title"] and "in clear" in message["title"]
    faults.assert_no_secrets([result], PLAIN_HTTP)


@pytest.mark.parametrize(
    ("company", "words"),
    [
        (HRIS_ECHO, "HTTP 401"),
        (HRIS_LOOP, f"{HRIS_LOOP}_employees: page 2 repeats the rows of page 1"),
    ],
)
def test_an_hris_that_echoes_basic_auth_or_pages_in_a_loop_fails_its_extract(
    faults: FaultEnv, company: str, words: str
) -> None:
    result = faults.run(f"training_sync__{company}")
    assert result.state == "failed", result.states()
    assert result.states()["extract_hris"] == "failed", result.states()
    assert result.states()["validate"] == "upstream_failed", result.states()
    # The tasks after the failed extract never ran and have no log to read.
    ran = replace(result, task_instances=[ti for ti in result.task_instances if ti["try_number"]])
    log = faults.logs(ran)
    assert f"company {company}, source hris" in log and words in log, log[-3000:]
    requests_seen = requests.get(
        f"http://127.0.0.1:{faults.sandbox.port}/_sandbox/lrs/requests", timeout=10
    ).json()
    pages = [r for r in requests_seen if r["path"] == f"/hris/{company}_employees"]
    assert 1 <= len(pages) <= 4  # stopped at once (this run and at most one scheduled run)
    faults.assert_no_secrets([ran], company)
