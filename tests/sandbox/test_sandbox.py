"""The local marketplace sandbox over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.schedule.marketplace import request_headers

pytestmark = pytest.mark.unit
ACCOUNTS = [("one", "auth-one-1234", "api-one-5678"), ("two", "auth-two-1234", "api-two-5678")]


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0, state=SandboxState(accounts=ACCOUNTS)) as server:
        yield server


def activity(activity_id: str, start: str = "KTEB", end: str = "EGLL", **kw: Any) -> dict[str, Any]:
    return {
        "activityId": activity_id,
        "activityType": kw.pop("type", "PassengerFlight"),
        "startAirport": {"icao": start},
        "endAirport": {"icao": end},
        "startDateTime": "2026-11-25T08:00Z",
        "endDateTime": "2026-11-25T10:00Z",
        **kw,
    }


def put(
    server: SandboxServer,
    tail: str,
    activities: list[dict[str, Any]],
    account: int = 0,
    headers: dict[str, str] | None = None,
    timeout: float = 5,
) -> requests.Response:
    _, auth, api = ACCOUNTS[account]
    sent = {
        **request_headers("AeroSync/test"),
        "Authorization": f"Bearer {auth}",
        "X-Avinode-ApiToken": api,
        **(headers or {}),
    }
    sent = {k: v for k, v in sent.items() if v is not None}
    body = {"lift": {"aircraftTail": tail}, "activities": activities}
    return requests.put(f"{server.url}/schedules", json=body, headers=sent, timeout=timeout)


def control(server: SandboxServer, path: str, payload: dict[str, Any] | None = None) -> Any:
    base = f"http://127.0.0.1:{server.port}/_sandbox/{path}"
    response = (
        requests.post(base, json=payload, timeout=5)
        if payload is not None
        else (requests.get(base, timeout=5))
    )
    return response


def test_accepts_a_schedule_and_reads_it_back(sandbox: SandboxServer) -> None:
    response = put(sandbox, "N1", [activity("A"), activity("B")])
    assert response.status_code == 200
    assert response.json()["meta"] == {"errors": [], "warnings": [], "infos": []}
    held = control(sandbox, "schedules/N1").json()
    assert [a["activityId"] for a in held["activities"]] == ["A", "B"]
    assert held["account"] == "one"


def test_each_call_replaces_the_whole_schedule(sandbox: SandboxServer) -> None:
    put(sandbox, "N1", [activity("A"), activity("B")])
    put(sandbox, "N1", [activity("C")])
    held = control(sandbox, "schedules/N1").json()
    assert [a["activityId"] for a in held["activities"]] == ["C"]


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Authorization": "Bearer nope"}, 401, "ERR_INPUT_GENERIC_INVALID"),
        ({"Authorization": None}, 401, "ERR_INPUT_GENERIC_INVALID"),
        ({"X-Avinode-ApiToken": "api-two-5678"}, 401, "ERR_INPUT_GENERIC_INVALID"),
        ({"X-Avinode-SentTimestamp": None}, 400, "ERR_INPUT_MISSING"),
        ({"X-Avinode-SentTimestamp": "yesterday"}, 400, "ERR_INPUT_GENERIC_INVALID"),
        ({"X-Avinode-ApiVersion": "v2"}, 400, "ERR_INPUT_GENERIC_INVALID"),
        ({"X-Avinode-Product": None}, 400, "ERR_INPUT_MISSING"),
    ],
)
def test_bad_headers_are_refused(
    sandbox: SandboxServer, headers: dict[str, str], status: int, code: str
) -> None:
    response = put(sandbox, "N1", [activity("A")], headers=headers)
    assert response.status_code == status
    assert response.json()["meta"]["errors"][0]["code"] == code
    assert control(sandbox, "schedules/N1").status_code == 404


def test_long_activity_type_is_a_400_with_its_path(sandbox: SandboxServer) -> None:
    response = put(sandbox, "N1", [activity("A"), activity("B", type="X" * 21)])
    assert response.status_code == 400
    assert response.json()["meta"]["errors"][0]["path"] == "activities[1].activityType"


def test_unknown_airport_is_replaced_by_the_homebase_and_reported(sandbox: SandboxServer) -> None:
    control(sandbox, "homebases", {"tail": "N1", "icao": "KBED"})
    response = put(sandbox, "N1", [activity("A"), activity("B", start="ZZZZ")])
    assert response.status_code == 200
    (error,) = response.json()["meta"]["errors"]
    assert error == {
        "title": "Invalid start airport",
        "code": "START_AIRPORT_INVALID",
        "path": "activities[1].startAirport",
    }
    held = control(sandbox, "schedules/N1").json()
    assert held["activities"][1]["startAirport"] == {"icao": "KBED"}


def test_faults_500_slow_refuse_and_clear(sandbox: SandboxServer) -> None:
    control(sandbox, "faults", {"tail": "N1", "fault": "500"})
    assert put(sandbox, "N1", [activity("A")]).status_code == 500
    control(sandbox, "faults", {"tail": "N1", "fault": "slow:2"})
    with pytest.raises(requests.Timeout):
        put(sandbox, "N1", [activity("A")], timeout=0.5)
    control(sandbox, "faults", {"tail": "N1", "fault": "refuse"})
    with pytest.raises(requests.ConnectionError):
        put(sandbox, "N1", [activity("A")])
    control(sandbox, "faults", {"tail": "N1", "fault": None})
    assert put(sandbox, "N1", [activity("A")]).status_code == 200
    assert put(sandbox, "N2", [activity("A")]).status_code == 200


def test_two_accounts_and_a_redacted_request_log(sandbox: SandboxServer) -> None:
    put(sandbox, "N1", [activity("A")], account=0)
    put(sandbox, "N2", [activity("A")], account=1)
    held = control(sandbox, "schedules").json()
    assert {t: b["account"] for t, b in held.items()} == {"N1": "one", "N2": "two"}
    log = control(sandbox, "requests").text
    for _, auth, api in ACCOUNTS:
        assert auth not in log and api not in log
    assert len(control(sandbox, "requests?tail=N2").json()) == 1
