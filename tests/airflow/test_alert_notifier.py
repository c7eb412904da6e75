"""Alert e-mails through the SMTP provider's notifier, to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from aerosync.airflow.alert_notifier import send_alerts
from aerosync.dev.environment import free_port
from aerosync.models import Outcome
from aerosync.status.alerts import state_changes
from aerosync.stores.status_records import StatusRecord
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
