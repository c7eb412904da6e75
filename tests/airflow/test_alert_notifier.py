"""Alerts through the SMTP and HTTP providers' notifiers, to a real SMTP server (aiosmtpd) and a
real Slack-style webhook (`tests.alert_servers`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from html import unescape
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from aerosync.airflow.alert_notifier import send_alerts
from aerosync.crew.alerts import crew_sync_alert
from aerosync.crew.quarantine import QuarantinedRow
from aerosync.dev.environment import free_port
from aerosync.models import Outcome
from aerosync.status.alerts import state_changes
from aerosync.stores.status_records import StatusRecord
from tests.alert_servers import SmtpInbox, WebhookServer
from tests.conftest import make_company

pytestmark = pytest.mark.airflow


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv(
            "AIRFLOW_CONN_SMTP_ALERTS",
            json.dumps(
                {
                    "conn_type": "smtp",
                    "host": "127.0.0.1",
                    "port": port,
                    "extra": {"disable_ssl": True, "disable_tls": True, "retry_limit": 0},
                }
            ),
        )
        yield handler
    finally:
        controller.stop()


def test_one_mail_per_changed_aircraft(inbox: Inbox) -> None:
    company = make_company(
        alerts={
            "email": ["ops@skyway.example", "dispatch@skyway.example"],
            "smtp_conn_id": "smtp_alerts",
            "from_email": "aerosync@skyway.example",
        }
    )
    now = datetime.now(UTC)
    records = [
        StatusRecord(
            company.id, "N1", "run-9", now, Outcome.FAILED, http_status=500,
            messages=[{"code": "HTTP_500", "title": "Server error", "level": "error"}],
        ),
        StatusRecord(company.id, "N2", "run-9", now, Outcome.HELD),
        StatusRecord(company.id, "N3", "run-9", now, Outcome.UPLOADED),  # was failed
        StatusRecord(company.id, "N4", "run-9", now, Outcome.FAILED),  # already failed
        StatusRecord(company.id, "N5", "run-9", now, Outcome.UPLOADED),  # was fine
    ]  # fmt: skip
    previous = {"N3": "failed", "N4": "failed", "N5": "uploaded"}
    events = state_changes(previous, records)
    assert send_alerts(company, events, {}) == 3
    subjects = sorted(str(m["Subject"]) for m in inbox.messages)
    assert subjects == [
        "[AeroSync] skyway_charter N1: upload FAILED",
        "[AeroSync] skyway_charter N2: upload HELD",
        "[AeroSync] skyway_charter N3: recovered",
    ]
    first = inbox.messages[0]
    assert "ops@skyway.example" in str(first["To"]) and "dispatch@" in str(first["To"])
    assert str(first["From"]) == "aerosync@skyway.example"


def test_a_dead_mail_server_is_logged_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_ALERTS",
        json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": 9,
                "extra": {"disable_ssl": True, "disable_tls": True, "retry_limit": 0, "timeout": 2},
            }
        ),
    )
    company = make_company(
        alerts={"email": ["ops@skyway.example"], "smtp_conn_id": "smtp_alerts",
                "from_email": "aerosync@skyway.example"}
    )  # fmt: skip
    events = state_changes(
        {}, [StatusRecord(company.id, "N1", "r", datetime.now(UTC), Outcome.HELD)]
    )
    assert send_alerts(company, events, {}) == 0


# -- both channels: e-mail (an SMTP server that requires a login) and a Slack-style webhook ----
SMTP_PASSWORD = "smtp-alerts-pw-6d91c2"
WEBHOOK_TOKEN = "T0ALERTS9/B0ALERTS7/wh-secret-token-5f3a9c"


@pytest.fixture
def channels(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SmtpInbox, WebhookServer]]:
    inbox = SmtpInbox("aerosync", SMTP_PASSWORD).start()
    webhook = WebhookServer(WEBHOOK_TOKEN).start()
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_BOTH", json.dumps(inbox.connection()))
    monkeypatch.setenv("AIRFLOW_CONN_WEBHOOK_BOTH", json.dumps(webhook.connection()))
    try:
        yield inbox, webhook
    finally:
        inbox.stop()
        webhook.stop()


def _both(**alerts: Any) -> Any:
    return make_company(
        alerts={"email": ["ops@skyway.example"], "smtp_conn_id": "smtp_both",
                "from_email": "aerosync@skyway.example", "webhook_conn_id": "webhook_both",
                **alerts}
    )  # fmt: skip


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in (SMTP_PASSWORD, WEBHOOK_TOKEN, "wh-secret-token-5f3a9c"):
            assert secret not in text, f"{secret[:6]}… leaked"


def _logs(caplog: pytest.LogCaptureFixture, capsys: Any) -> tuple[list[str], list[str]]:
    """(AeroSync's own log lines, every other log line): Airflow's logging writes through
    structlog to stdout or through the standard library, depending on what configured it first
    in this process; both are read. The test SMTP server's own log (`mail.log`) is not ours."""
    captured = capsys.readouterr()
    lines = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.name != "mail.log"]
    lines += (captured.out + captured.err).splitlines()
    ours = [line for line in lines if "aerosync." in line]
    return ours, [line for line in lines if line not in ours]


def _assert_logs_clean(ours: list[str], others: list[str]) -> None:
    """AeroSync's own log lines hold no secret as they are. The providers' and libraries' lines
    (the HTTP hook's warning quotes a refused URL; urllib3's DEBUG names it) hold none once
    through Airflow's secrets masker, as a task log has them: the alert registered the webhook's
    path and the SMTP password with it before the first call (the fault matrix reads real task
    logs)."""
    from airflow.sdk.log import redact

    _assert_no_secret(*ours)
    _assert_no_secret(*(str(redact(line)) for line in others))


def test_each_alert_arrives_once_by_email_and_once_by_webhook(
    channels: tuple[SmtpInbox, WebhookServer],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox, webhook = channels
    caplog.set_level(logging.DEBUG)
    company = _both()
    now = datetime.now(UTC)
    events = state_changes(
        {"N1": "uploaded", "N2": "uploaded"},
        [
            StatusRecord(company.id, "N1", "run-3", now, Outcome.UPLOADED_WITH_ERRORS,
                         http_status=200, messages=[{"code": "END_AIRPORT_INVALID",
                         "title": "Invalid end airport", "activity_id": "LEG-7"}]),
            StatusRecord(company.id, "N2", "run-3", now, Outcome.NOT_MARKETED,
                         last_success_at=now),
        ],
    )  # fmt: skip
    crew = crew_sync_alert(
        company=company.id, company_name=company.name, dag_id=company.crew_dag_id,
        run_id="scheduled__2026", window="2026-11-23T03:00Z to 2026-11-24T03:00Z",
        failed_sources={}, failed_steps={},
        quarantined=[QuarantinedRow("hris", "employees.csv line 2",
                                    (("status_known", "employment_status"),))],
    )  # fmt: skip
    assert crew is not None
    assert send_alerts(company, [*events, crew], {}) == 3
    subjects = [
        "[AeroSync] skyway_charter N1: uploaded WITH ERRORS (the marketplace changed part of it)",
        "[AeroSync] skyway_charter N2: no longer marketed (the marketplace keeps its last "
        "schedule)",
        "[AeroSync] skyway_charter crew sync: 1 row(s) QUARANTINED",
    ]
    assert inbox.subjects() == sorted(subjects)
    assert inbox.logins == ["aerosync"] * 3  # the password was really used
    assert [p["path"] for p in webhook.posts] == [webhook.path] * 3
    posted = sorted(webhook.texts())
    assert [t.splitlines()[0] for t in posted] == sorted(subjects)
    # The same words by both channels.
    for text in posted:
        (body,) = inbox.bodies(text.splitlines()[0])
        assert "\n".join(text.splitlines()[1:]) in unescape(body)
    assert any("Invalid end airport (activity LEG-7)" in t for t in posted)
    assert any('"activities": []' in t for t in posted)
    ours, others = _logs(caplog, capsys)
    assert not ours  # nothing went wrong
    _assert_logs_clean(ours, others)


def test_a_failing_webhook_never_stops_the_email_and_leaks_nothing(
    channels: tuple[SmtpInbox, WebhookServer],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox, webhook = channels
    caplog.set_level(logging.DEBUG)
    webhook.status = 500
    company = _both()
    events = state_changes(
        {}, [StatusRecord(company.id, "N1", "r", datetime.now(UTC), Outcome.FAILED)]
    )
    assert send_alerts(company, events, {}) == 1
    assert len(inbox.messages) == 1 and len(webhook.posts) == 1  # tried once, never retried
    ours, others = _logs(caplog, capsys)
    assert any("N1 (failed) not sent by webhook" in line and "500" in line for line in ours), ours
    _assert_logs_clean(ours, others)
    # A webhook whose server is gone: refused connection, the URL in the error is redacted.
    webhook.stop()
    assert send_alerts(company, events, {}) == 1
    assert len(inbox.messages) == 2
    ours, others = _logs(caplog, capsys)
    assert any("not sent by webhook: ConnectionError" in line for line in ours), ours
    _assert_logs_clean(ours, others)


def test_a_webhook_only_company_needs_no_mail_server(
    channels: tuple[SmtpInbox, WebhookServer],
) -> None:
    inbox, webhook = channels
    company = make_company(alerts={"webhook_conn_id": "webhook_both"})
    events = state_changes(
        {}, [StatusRecord(company.id, "N1", "r", datetime.now(UTC), Outcome.HELD)]
    )
    assert send_alerts(company, events, {}) == 1
    assert inbox.messages == [] and len(webhook.posts) == 1
