"""Alerts through real Airflow runs to a real SMTP server (with a login) and a real Slack-style
webhook, each exactly once per event: an aircraft entering `uploaded_with_errors` (the
marketplace replaces an unknown airport), an aircraft that stops being marketed, a crew sync run
that quarantines rows, and one whose source cannot be read. Runs that repeat a state alert
nothing, and no secret (the SMTP password, the webhook's path) is in any log, XCom, store or page.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from aerosync.demo.fleet import demo_homebases
from aerosync.dev.runs import RunResult
from tests.alert_servers import SmtpInbox, WebhookServer
from tests.e2e.fault_matrix.support import FaultEnv, FaultSetup

pytestmark = pytest.mark.integration
COMPANY = "fm_alerts"
CREW_DAG = f"training_sync__{COMPANY}"
SMTP_PASSWORD = "fm-alerts-smtp-pw-83b1"
WEBHOOK_TOKEN = "T0FMALRT4/B0FMALRT8/fm-webhook-token-c71d9e"
PERSONAL = ("Jane Q. Pilotname", "retired")
SERVERS: dict[str, Any] = {}


def _fleet(setup: FaultSetup) -> tuple[Path, list[str]]:
    """A demo FMS whose tails are this module's own (`N300SW` -> `N300ALR`): the sandbox counts
    PUTs per tail across every module of the matrix."""
    path, tails = setup.demo_fms(f"{COMPANY}_fms")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE aircraft SET tail_number = replace(tail_number, 'SW', 'ALR')")
    db.close()
    for tail, icao in demo_homebases("skyway_charter").items():
        setup.sandbox.state.set_homebase(tail.replace("SW", "ALR"), icao)
    return path, sorted(t.replace("SW", "ALR") for t in tails)


def _crew_drops(folder: Path) -> dict[str, Path]:
    """An HRIS export with a row refused for its status, and a qualification refused for an
    unknown employee and no issue date; undated rows, so each run's window holds them."""
    hris, quals = folder / "hris", folder / "qualifications"
    hris.mkdir(parents=True)
    quals.mkdir(parents=True)
    (hris / "employees.csv").write_text(
        "employee_id,name,role,base,employment_status,hired_on,left_on,effective_from\n"
        "E0001,Ann Able,captain,GVA,active,2020-01-01,,2024-01-01\n"
        f"E0042,{PERSONAL[0]},captain,GVA,{PERSONAL[1]},2020-01-01,,2024-01-01\n",
        encoding="utf-8",
    )
    (quals / "qualifications.csv").write_text(
        "employee_id,qualification,issued_on,expires_on\nE0900,LPC,,\n", encoding="utf-8"
    )
    return {"hris": hris / "employees.csv", "qualifications": quals}


def fault_setup(setup: FaultSetup) -> None:
    inbox = SmtpInbox("aerosync", SMTP_PASSWORD).start()
    webhook = WebhookServer(WEBHOOK_TOKEN).start()
    SERVERS.update(inbox=inbox, webhook=webhook)
    setup.add_connection(f"{COMPANY}_smtp", inbox.connection(), SMTP_PASSWORD)
    setup.add_connection(
        f"{COMPANY}_webhook", webhook.connection(), WEBHOOK_TOKEN, *WEBHOOK_TOKEN.split("/")
    )
    path, tails = _fleet(setup)
    setup.sqlite_fms(f"{COMPANY}_fms", path)
    setup.marketplace(f"avinode_{COMPANY}", COMPANY)
    drops = _crew_drops(setup.workdir / "alerts_drops")
    SERVERS["hris_csv"] = drops["hris"]
    setup.add_company(
        {"id": COMPANY, "name": "Alerts Charter", "schedule": "*/15 * * * *",
         "marketplace_conn_id": f"avinode_{COMPANY}",
         "fms": {"conn_id": f"{COMPANY}_fms", "dialect": "reference"},
         "alerts": {"email": ["ops@alerts.example"], "smtp_conn_id": f"{COMPANY}_smtp",
                    "from_email": "aerosync@alerts.example",
                    "webhook_conn_id": f"{COMPANY}_webhook", "webhook_timeout_seconds": 5},
         "training": {"records": {"hris": {"csv": str(drops["hris"])},
                                  "qualifications": {"csv": str(drops["qualifications"])}}}},
        tails,
    )  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def _servers() -> Iterator[None]:
    yield
    for key in ("inbox", "webhook"):
        if key in SERVERS:
            SERVERS[key].stop()


def _arrived(marker: str) -> tuple[list[str], list[str]]:
    """(e-mail subjects, webhook first lines) that contain `marker`."""
    inbox: SmtpInbox = SERVERS["inbox"]
    webhook: WebhookServer = SERVERS["webhook"]
    return inbox.subjects(marker), sorted(t.splitlines()[0] for t in webhook.texts(marker))


def _assert_once_each(subjects: list[str]) -> None:
    """Each subject arrived exactly once by e-mail and once by webhook, and no other one."""
    mails, posts = _arrived(f"[AeroSync] {COMPANY} ")
    assert mails == sorted(subjects), mails
    assert posts == sorted(subjects), posts


def _crew_run(faults: FaultEnv) -> RunResult:
    result = faults.run(CREW_DAG)
    for other in result.other_runs:  # the scheduled run that unpausing created, if any
        faults.runtime.wait_for_run(CREW_DAG, other["dag_run_id"], timeout=300)
    return result


def test_each_alert_arrives_once_by_email_and_by_webhook(faults: FaultEnv) -> None:
    faults.forget(COMPANY)
    results = [faults.upload(COMPANY)]
    assert results[0].state == "success", results[0].states()
    status = faults.status(COMPANY)
    with_errors = sorted(t for t, r in status.items() if r["outcome"] == "uploaded_with_errors")
    assert "N300ALR" in with_errors  # its ranch strip ZZZZ is no airport the marketplace knows
    expected = [
        f"[AeroSync] {COMPANY} {tail}: uploaded WITH ERRORS (the marketplace changed part of it)"
        for tail in with_errors
    ]
    _assert_once_each(expected)

    # An aircraft leaves the marketed fleet; two more runs: one alert for it, no repeat of the
    # marketplace's errors (the same state).
    gone = next(t for t in faults.tails(COMPANY) if t not in with_errors)
    fms = sqlite3.connect(faults.setup.workdir / f"{COMPANY}_fms.sqlite")
    try:
        with fms:
            fms.execute("UPDATE aircraft SET marketed = 0 WHERE tail_number = ?", (gone,))
        for _ in range(2):
            faults.age_attempts(COMPANY, 6)
            results.append(faults.upload(COMPANY))
            assert results[-1].state == "success", results[-1].states()
    finally:
        # No scheduled run may find the aircraft back (a "recovered" alert) before the end.
        faults.runtime.pause(f"schedule_upload__{COMPANY}")
        with fms:
            fms.execute("UPDATE aircraft SET marketed = 1 WHERE tail_number = ?", (gone,))
        fms.close()
    assert faults.status(COMPANY)[gone]["outcome"] == "not_marketed"
    expected.append(
        f"[AeroSync] {COMPANY} {gone}: no longer marketed (the marketplace keeps its last schedule)"
    )
    _assert_once_each(expected)
    (text,) = SERVERS["webhook"].texts(f"{gone}: no longer marketed")
    assert f'PUT /schedules with lift.aircraftTail "{gone}" and "activities": []' in text
    (body,) = SERVERS["inbox"].bodies(f"{gone}: no longer marketed")
    assert text.split("\n", 1)[1] in unescape(body)  # the same words by both channels
    assert "alert(s) sent" in faults.logs(results[1])

    # The crew sync: a run that quarantines rows, then one whose HRIS file is gone.
    first = _crew_run(faults)
    assert first.state == "success", first.states()
    assert first.states()["alert"] == "success"
    quarantine = f"[AeroSync] {COMPANY} crew sync: 2 row(s) QUARANTINED"
    expected.append(quarantine)
    _assert_once_each(expected)
    (text,) = SERVERS["webhook"].texts(quarantine)
    assert "Crew sync of Alerts Charter (fm_alerts)" in text
    assert "2 row(s) were quarantined by the quality checks (hris 1, qualifications 1)" in text
    assert "- hris, employees.csv line 3: employment_status: Employment status is not" in text
    assert "- qualifications, qualifications.csv line 2: employee_id: Unknown employee id" in text
    for value in PERSONAL:
        assert value not in text
        assert all(value not in body for body in SERVERS["inbox"].bodies(quarantine))

    hris: Path = SERVERS["hris_csv"]
    moved = hris.with_suffix(".away")
    hris.rename(moved)
    try:
        second = _crew_run(faults)
    finally:
        moved.rename(hris)
    assert second.state == "failed", second.states()  # the alert never turns a failure green
    assert second.states()["extract_hris"] == "failed" and second.states()["alert"] == "success"
    failed = f"[AeroSync] {COMPANY} crew sync: source hris FAILED"
    expected.append(failed)
    _assert_once_each(expected)  # no second quarantine alert: its rows are known already
    (text,) = SERVERS["webhook"].texts(failed)
    assert f"Source hris could not be read: company {COMPANY}, source hris ({hris})" in text
    assert "does not exist" in text and "Nothing of this window was loaded" in text

    assert [p["path"] for p in SERVERS["webhook"].posts] == [SERVERS["webhook"].path] * len(
        SERVERS["webhook"].posts
    )
    assert set(SERVERS["inbox"].logins) == {"aerosync"}
    faults.assert_no_secrets([*results, first, second], COMPANY)
