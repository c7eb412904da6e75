"""Secrets under echoing servers, through the HTTP provider's hooks against the sandbox over real
HTTP: the HRIS and LRS reads and EBT posts of the training sync (an error echoing
`Authorization: Basic ...` reaches no log line and no message; a source paging in a loop fails
naming the page), and the marketplace hook and sender (http refused except on loopback; an
echoing gateway recorded with its status, no token)."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from aerosync.airflow import crew_io as training_io
from aerosync.airflow.avinode_hook import AvinodeHook
from aerosync.airflow.operators import HookSender
from aerosync.config.training import LrsSource, RestSource
from aerosync.crew.sources import Window
from aerosync.models import Outcome
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.schedule.marketplace_url import InsecureMarketplace
from aerosync.schedule.upload import ConnectionProblem, _send

pytestmark = pytest.mark.airflow
LOGIN, PASSWORD = "crew-sync", "hris-pass-90c1d2"
BASIC = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
AUTH, API = "mk-auth-token-4411aa", "mk-api-token-7722bb"
ROWS = [{"employee_id": f"E{n}", "name": f"Crew {n}"} for n in range(1, 8)]
WINDOW = Window(datetime(2026, 3, 1, 3, tzinfo=UTC), datetime(2026, 3, 2, 3, tzinfo=UTC))


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    with SandboxServer(port=0, state=SandboxState(accounts=[("acct", AUTH, API)])) as server:
        base = f"http://127.0.0.1:{server.port}"
        for name, path in (("LRS_SEC", "/xapi"), ("HRIS_SEC", "/hris")):
            conn = {"conn_type": "http", "host": base + path, "login": LOGIN,
                    "password": PASSWORD, "extra": {"timeout": 5}}  # fmt: skip
            monkeypatch.setenv(f"AIRFLOW_CONN_{name}", json.dumps(conn))
        requests.post(f"{base}/_sandbox/hris/employees", json=ROWS, timeout=5).raise_for_status()
        yield server


def control(server: SandboxServer, path: str, payload: object) -> None:
    url = f"http://127.0.0.1:{server.port}/_sandbox/{path}"
    requests.post(url, json=payload, timeout=5).raise_for_status()


def assert_clean(text: str) -> None:
    assert PASSWORD not in text and BASIC not in text, text


def test_the_echo_switches_really_echo_basic_auth(sandbox: SandboxServer) -> None:
    control(sandbox, "hris/employees/fault", {"fault": "echo"})
    control(sandbox, "lrs/fault", {"fault": "echo"})
    base = f"http://127.0.0.1:{sandbox.port}"
    for path in ("/hris/employees", "/xapi/statements"):
        answer = requests.get(base + path, auth=(LOGIN, PASSWORD), timeout=5)
        assert answer.status_code == 401 and f"Basic {BASIC}" in answer.text


def test_the_provider_itself_would_log_the_echoed_header(
    sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Why training_io checks answers itself: `check_response=True` logs an error's body (this
    runs before any test here registers the base64 with the secrets masker)."""
    from airflow.providers.http.hooks.http import HttpHook

    control(sandbox, "hris/employees/fault", {"fault": "echo"})
    with pytest.raises(Exception, match="401"):
        HttpHook(method="GET", http_conn_id="hris_sec").run(
            "employees", extra_options={"check_response": True}
        )
    assert BASIC in capsys.readouterr().out


@pytest.mark.parametrize("read", ["hris", "lrs", "post"])
def test_an_error_echoing_basic_auth_leaks_into_no_log_and_no_message(
    sandbox: SandboxServer,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    read: str,
) -> None:
    control(sandbox, "hris/employees/fault", {"fault": "echo"})
    control(sandbox, "lrs/fault", {"fault": "echo"})
    caplog.set_level(logging.DEBUG)
    with pytest.raises(training_io.SourceError) as caught:
        if read == "hris":
            list(training_io.rest_items(RestSource(conn_id="hris_sec", endpoint="employees")))
        elif read == "lrs":
            list(training_io.lrs_statements(LrsSource(conn_id="lrs_sec"), WINDOW))
        else:
            training_io.post_statements(LrsSource(conn_id="lrs_sec"), [{"actor": {}}])
    message = str(caught.value)
    assert "HTTP 401" in message and "Basic ***" in message, message
    assert ("page 1" in message) if read != "post" else ("statements 1 to 1" in message)
    captured = capsys.readouterr()
    for text in (message, caplog.text, captured.out, captured.err):
        assert_clean(text)


def test_an_hris_whose_next_page_loops_fails_naming_the_page(sandbox: SandboxServer) -> None:
    control(sandbox, "hris/employees/fault", {"fault": "loop"})
    source = RestSource(conn_id="hris_sec", endpoint="employees", page_size=3)
    repeats = "employees: page 2 repeats the rows of page 1"
    with pytest.raises(training_io.SourceError, match=repeats):
        list(training_io.rest_items(source))
    control(sandbox, "hris/employees/fault", {"fault": "repeat"})
    with pytest.raises(training_io.SourceError, match="page 1 was already read as page 1"):
        list(training_io.rest_items(source))
    log = requests.get(f"http://127.0.0.1:{sandbox.port}/_sandbox/lrs/requests", timeout=5)
    assert len(log.json()) == 4  # two pages each, then stopped


def test_an_lrs_whose_more_links_loop_fails_naming_the_page(sandbox: SandboxServer) -> None:
    now = datetime.now(UTC)
    stored = (now - timedelta(hours=1)).isoformat()
    statement = {"actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": "v"},
                 "object": {"id": "o"}, "stored": stored}  # fmt: skip
    base = f"http://127.0.0.1:{sandbox.port}"
    requests.post(
        f"{base}/xapi/statements",
        json=[statement],
        headers={"X-Experience-API-Version": "1.0.3"},
        timeout=5,
    ).raise_for_status()
    control(sandbox, "lrs/fault", {"fault": "loop"})
    window = Window(now - timedelta(days=1), now)
    with pytest.raises(training_io.SourceError, match=r"LRS \(statements\): page 2 repeats"):
        list(training_io.lrs_statements(LrsSource(conn_id="lrs_sec"), window))


# -- the marketplace ------------------------------------------------------------------------


def connect(monkeypatch: pytest.MonkeyPatch, host: str, **fields: object) -> None:
    conn = {"conn_type": "http", "host": host, "password": AUTH, "extra": {"api_token": API},
            **fields}  # fmt: skip
    monkeypatch.setenv("AIRFLOW_CONN_AVINODE_SEC", json.dumps(conn))


@pytest.mark.parametrize(
    ("host", "fields"),
    [("http://marketplace.example.com/api", {}), ("marketplace.example.com", {"schema": "http"})],
)
def test_plain_http_to_another_machine_is_refused_before_any_call(
    monkeypatch: pytest.MonkeyPatch, host: str, fields: dict[str, object]
) -> None:
    connect(monkeypatch, host, **fields)
    with pytest.raises(InsecureMarketplace, match=r"'avinode_sec'.*in clear"):
        AvinodeHook(avinode_conn_id="avinode_sec", timeout=5).open_session()
    sender = HookSender("AeroSync/test", 5)
    with pytest.raises(ConnectionProblem, match="nothing was sent"):
        sender("avinode_sec", b"{}")
    result = _send(sender, "avinode_sec", '{"activities": []}', [], 5)
    assert result.outcome is Outcome.FAILED and result.http_status is None
    (message,) = result.messages
    assert message.code == "CONNECTION_INVALID" and "avinode_sec" in message.title
    assert AUTH not in message.title and API not in message.title


def test_a_host_without_a_scheme_is_https(monkeypatch: pytest.MonkeyPatch) -> None:
    connect(monkeypatch, "marketplace.example.com/api")
    hook = AvinodeHook(avinode_conn_id="avinode_sec", timeout=5)
    hook.open_session()
    assert hook.url_from_endpoint("schedules") == "https://marketplace.example.com/api/schedules"
    assert set(hook.secrets) >= {AUTH, API}


@pytest.mark.parametrize("fault", ["echo400text", "echo500"])
def test_an_echoing_gateway_is_recorded_with_its_status_and_no_token(
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    connect(monkeypatch, sandbox.url)
    control(sandbox, "faults", {"tail": "N1", "fault": fault})
    body = json.dumps({"lift": {"aircraftTail": "N1"}, "activities": []})
    caplog.set_level(logging.DEBUG)
    result = _send(HookSender("AeroSync/test", 5), "avinode_sec", body, [], 5)
    assert result.outcome is Outcome.FAILED and result.http_status == int(fault[4:7])
    shown = json.dumps([m.to_dict() for m in result.messages])
    assert "Bearer ***" in shown and AUTH not in shown and API not in shown, shown
    assert AUTH not in caplog.text and API not in caplog.text
    assert len(requests.get(f"http://127.0.0.1:{sandbox.port}/_sandbox/requests", timeout=5)
               .json()) == 1  # fmt: skip


def test_company_secrets_gather_every_connection_of_the_company(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aerosync.airflow.masking import company_secrets
    from aerosync.config.companies import CompanyConfig

    connect(monkeypatch, sandbox.url)
    fms = {"conn_type": "postgres", "host": "db", "login": "fms", "password": "fms-pw-123456"}
    monkeypatch.setenv("AIRFLOW_CONN_FMS_SEC", json.dumps(fms))
    company = CompanyConfig.model_validate(
        {"id": "co", "name": "Co", "schedule": "*/15 * * * *", "marketplace_conn_id": "avinode_sec",
         "fms": {"conn_id": "fms_sec", "dialect": "reference"},
         "training": {"records": {"hris": {"rest": {"conn_id": "hris_sec", "endpoint": "e"}}}}}
    )  # fmt: skip
    secrets = company_secrets(company)
    for value in (AUTH, API, "fms-pw-123456", PASSWORD, BASIC):
        assert value in secrets
