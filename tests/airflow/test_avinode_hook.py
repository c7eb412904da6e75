"""The HTTP provider's hook against the sandbox over real HTTP: headers, tokens, no retry."""

from __future__ import annotations

import ast
import inspect
import json
import sys
from collections.abc import Iterator

import pytest
import requests
from airflow.providers.http.hooks.http import HttpHook

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


# -- the provider's public surface the hook is built on ---------------------------------------
# A provider upgrade that renames or reshapes any of these fails here, not in production.


def parameter_names(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_the_http_hook_methods_it_relies_on_keep_their_signatures() -> None:
    init = inspect.signature(HttpHook.__init__).parameters
    assert list(init)[:3] == ["self", "method", "http_conn_id"]
    assert init["method"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    # `run` calls `self.get_conn(headers, extra_options)`: the override must keep that shape.
    assert parameter_names(HttpHook.get_conn) == ["self", "headers", "extra_options"]
    assert parameter_names(AvinodeHook.get_conn) == parameter_names(HttpHook.get_conn)
    assert parameter_names(HttpHook.url_from_endpoint) == ["self", "endpoint"]
    assert parameter_names(HttpHook.get_connection) == ["conn_id"]  # a classmethod


def test_the_http_hook_attributes_it_relies_on_exist() -> None:
    hook = HttpHook(method="PUT", http_conn_id="surface")
    assert hook.http_conn_id == "surface"
    assert hook.base_url == ""
    assert hook.merged_extra == {}
    assert isinstance(hook.keep_alive_adapter, requests.adapters.HTTPAdapter)


def test_url_from_endpoint_joins_the_base_url_it_is_given_without_reading_the_connection() -> None:
    hook = AvinodeHook(avinode_conn_id="no_such_connection", timeout=5)
    hook.base_url = "https://marketplace.example.com/api"
    assert hook.url_from_endpoint("schedules") == "https://marketplace.example.com/api/schedules"


def test_the_connection_fields_are_read_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = {
        "conn_type": "http",
        "host": "127.0.0.1",
        "schema": "http",
        "port": 8765,
        "login": "someone",
        "password": AUTH,
        "extra": {"api_token": API, "verify": False},
    }
    monkeypatch.setenv("AIRFLOW_CONN_AVINODE_TEST", json.dumps(conn))
    found = AvinodeHook.get_connection("avinode_test")
    fields = (found.host, found.schema, found.port, found.password, found.extra_dejson)
    assert fields == ("127.0.0.1", "http", 8765, AUTH, {"api_token": API, "verify": False})
    hook = AvinodeHook(avinode_conn_id="avinode_test", timeout=7)
    session = hook.open_session()
    assert hook.base_url == "http://127.0.0.1:8765"
    assert session.auth is None  # a login on the connection never turns into basic auth
    assert session.headers["Authorization"] == f"Bearer {AUTH}"
    assert session.headers["X-Avinode-ApiToken"] == API
    assert session.verify is False
    assert "api_token" not in session.headers and "verify" not in session.headers
    assert hook.merged_extra == {"timeout": 7, "check_response": False}
    assert set(hook.secrets) >= {AUTH, API}


def test_no_private_http_hook_member_is_overridden_or_used() -> None:
    provider = set(dir(HttpHook)) | set(vars(HttpHook(http_conn_id="surface")))
    private = {name for name in provider if name.startswith("_") and not name.endswith("__")}
    overridden = {name for name in vars(AvinodeHook) if name in private}
    assert not overridden
    tree = ast.parse(inspect.getsource(sys.modules[AvinodeHook.__module__]))
    used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    used |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not used & private
