"""The HTTP provider's hook against the sandbox over real HTTP: headers, tokens, no retry."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from aerosync.airflow.avinode_hook import AvinodeHook
from aerosync.sandbox.server import SandboxServer, SandboxState

pytestmark = pytest.mark.airflow
AUTH, API = "hook-auth-token-5513", "hook-api-token-8820"
BODY = {
    "lift": {"aircraftTail": "N1"},
    "activities": [
        {
            "activityId": "A",
            "activityType": "Maintenance",
            "startAirport": {"icao": "KTEB"},
            "endAirport": {"icao": "KTEB"},
            "startDateTime": "2026-11-25T08:00Z",
            "endDateTime": "2026-11-25T10:00Z",
        }
    ],
}


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0, state=SandboxState(accounts=[("acct", AUTH, API)])) as server:
        yield server


def connect(monkeypatch: pytest.MonkeyPatch, url: str, **extra: object) -> None:
    conn = {
        "conn_type": "http",
        "host": url,
        "password": AUTH,
        "extra": {"api_token": API, **extra},
    }
    monkeypatch.setenv("AIRFLOW_CONN_AVINODE_TEST", json.dumps(conn))


def test_put_carries_both_tokens_and_the_avinode_headers(sandbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    connect(monkeypatch, sandbox.url)
    hook = AvinodeHook(avinode_conn_id="avinode_test", timeout=5)
    response = hook.put_schedule(hook.open_session(), json.dumps(BODY).encode(), "AeroSync/9.9")
    assert response.status_code == 200
    (logged,) = requests.get(f"http://127.0.0.1:{sandbox.port}/_sandbox/requests", timeout=5).json()
    headers = {k.lower(): v for k, v in logged["headers"].items()}
    assert headers["x-avinode-product"] == "AeroSync/9.9"
    assert headers["x-avinode-apiversion"] == "v1.0"
    assert headers["x-avinode-senttimestamp"].endswith("Z")
    assert "api_token" not in headers  # extras are read by name, never spread into headers


def test_a_server_error_is_returned_once_not_retried(sandbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    connect(monkeypatch, sandbox.url)
    requests.post(
        f"http://127.0.0.1:{sandbox.port}/_sandbox/faults",
        json={"tail": "N1", "fault": "500"},
        timeout=5,
    )
    hook = AvinodeHook(avinode_conn_id="avinode_test", timeout=5)
    response = hook.put_schedule(hook.open_session(), json.dumps(BODY).encode(), "AeroSync/9.9")
    assert response.status_code == 500
    log = requests.get(f"http://127.0.0.1:{sandbox.port}/_sandbox/requests", timeout=5).json()
    assert len(log) == 1


def test_refused_connection_raises_once(sandbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    connect(monkeypatch, sandbox.url)
    requests.post(
        f"http://127.0.0.1:{sandbox.port}/_sandbox/faults",
        json={"tail": "N1", "fault": "refuse"},
        timeout=5,
    )
    hook = AvinodeHook(avinode_conn_id="avinode_test", timeout=5)
    with pytest.raises(requests.ConnectionError):
        hook.put_schedule(hook.open_session(), json.dumps(BODY).encode(), "AeroSync/9.9")


def test_missing_api_token_is_a_clear_error(sandbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    conn = {"conn_type": "http", "host": sandbox.url, "password": AUTH}
    monkeypatch.setenv("AIRFLOW_CONN_AVINODE_TEST", json.dumps(conn))
    with pytest.raises(ValueError, match="api_token"):
        AvinodeHook(avinode_conn_id="avinode_test", timeout=5).open_session()
