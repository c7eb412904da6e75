"""The sandbox's echoing answers: a gateway in front of the marketplace that answers with the
request's headers, tokens included, as plain text or in Avinode's JSON envelope; and what the
upload records of them: the status, never a token."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from aerosync.models import Outcome
from aerosync.sandbox.echo import EchoFault, echo_fault
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.schedule.marketplace import interpret_response, request_headers
from aerosync.schedule.upload import _send
from tests.sandbox.test_sandbox import ACCOUNTS, activity, control, put

pytestmark = pytest.mark.unit
_, AUTH, API = ACCOUNTS[0]


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0, state=SandboxState(accounts=ACCOUNTS)) as server:
        yield server


def test_fault_names() -> None:
    assert echo_fault("echo500") == EchoFault(500, False)
    assert echo_fault("echo400text") == EchoFault(400, True)
    assert echo_fault("500") is None and echo_fault(None) is None and echo_fault("echo") is None


@pytest.mark.parametrize(("fault", "status"), [("echo400text", 400), ("echo500", 500)])
def test_an_echoing_gateway_is_a_failure_with_its_status_and_no_token(
    sandbox: SandboxServer, fault: str, status: int
) -> None:
    control(sandbox, "faults", {"tail": "N1", "fault": fault})
    response = put(sandbox, "N1", [activity("A")])
    assert response.status_code == status
    assert f"Bearer {AUTH}" in response.text and API in response.text  # really echoed
    assert response.headers["Content-Type"].startswith(
        "text/plain" if fault.endswith("text") else "application/json"
    )
    result = interpret_response(response.status_code, response.text, ["A"], [AUTH, API])
    assert result.outcome is Outcome.FAILED and result.http_status == status
    shown = repr([m.to_dict() for m in result.messages])
    assert AUTH not in shown and API not in shown and "Bearer ***" in shown, shown
    (logged,) = control(sandbox, "requests").json()
    assert logged["status"] == status and logged["headers"]["Authorization"] == "***"


class TokenSender:
    """A plain `requests` sender that knows its connection's secrets (as `HookSender` does)."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server

    def secrets(self, conn_id: str) -> list[str]:
        return [AUTH, API]

    def __call__(self, conn_id: str, body: bytes) -> requests.Response:
        headers = {**request_headers("AeroSync/test"), "Authorization": f"Bearer {AUTH}",
                   "X-Avinode-ApiToken": API}  # fmt: skip
        return requests.put(f"{self.server.url}/schedules", data=body, headers=headers, timeout=5)


def test_the_upload_records_what_a_sender_knowing_its_secrets_got_redacted(
    sandbox: SandboxServer,
) -> None:
    control(sandbox, "faults", {"tail": "N1", "fault": "echo500text"})
    body = json.dumps({"lift": {"aircraftTail": "N1"}, "activities": [activity("A")]})
    result = _send(TokenSender(sandbox), "avinode_x", body, ["A"], 5)
    assert result.outcome is Outcome.FAILED and result.http_status == 500
    (message,) = result.messages
    assert "HTTP 500" in message.title and "Bearer ***" in message.title, message
    assert AUTH not in message.title and API not in message.title
