"""The `avinode` connection type: Airflow's ProvidersManager lists it with its form, and the real
api-server's connection test (`POST /api/v2/connections/test`, the UI's "Test" button) gives the
same verdicts as `aerosync check` for a good and a bad connection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from aerosync.dev.environment import AirflowEnv
from aerosync.dev.runtime import AirflowRuntime
from aerosync.sandbox.server import SandboxServer, SandboxState
from tests.airflow.provider_shim import pythonpath_with_provider

AUTH, API = "type-auth-token-6120", "type-api-token-8841"

PROVIDERS = """
import json
from airflow.providers_manager import ProvidersManager
pm = ProvidersManager()
hook = pm.hooks["avinode"]
widgets = {k: (w.field_name, w.is_sensitive) for k, w in pm.connection_form_widgets.items()
           if k.startswith("extra__avinode__")}
print(json.dumps({"hook": hook.hook_class_name, "attr": hook.connection_id_attribute_name,
                  "name": hook.hook_name, "testable": hook.connection_testable,
                  "widgets": widgets, "behaviour": pm.field_behaviours["avinode"],
                  "http": pm.hooks["http"].hook_class_name}))
"""


@pytest.mark.airflow
def test_providers_manager_lists_the_avinode_type_with_its_form(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": pythonpath_with_provider(tmp_path / "shim")}
    env["AIRFLOW_HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [sys.executable, "-c", PROVIDERS], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["hook"] == "aerosync.airflow.avinode_hook.AvinodeHook"
    assert found["attr"] == "avinode_conn_id" and found["testable"] is True
    assert found["name"] == "Avinode Marketplace"
    assert found["widgets"] == {"extra__avinode__api_token": ["api_token", True]}
    assert found["behaviour"]["relabeling"]["password"] == "Authentication token"
    assert "login" in found["behaviour"]["hidden_fields"]
    assert found["http"].endswith("HttpHook")  # the http type stays the HTTP provider's


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0, state=SandboxState(accounts=[("acct", AUTH, API)])) as server:
        yield server


@pytest.mark.integration
def test_airflows_connection_test_says_what_aerosync_check_says(
    tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aerosync.airflow.avinode_hook import AvinodeHook

    env = AirflowEnv(
        home=tmp_path / "airflow",
        dags_folder=tmp_path / "dags",
        extra_env={
            "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
            "PYTHONPATH": pythonpath_with_provider(tmp_path / "shim"),
        },
    )
    (tmp_path / "dags").mkdir()
    with AirflowRuntime(env) as runtime:
        meta = requests.get(  # what the UI builds the connection form from
            f"{runtime.base_url}/ui/connections/hook_meta",
            headers={"Authorization": f"Bearer {runtime.token()}"},
            timeout=60,
        ).json()
        (avinode,) = [m for m in meta if m["connection_type"] == "avinode"]
        assert avinode["extra_fields"]["api_token"]["schema"]["format"] == "password"
        assert avinode["standard_fields"]["password"]["title"] == "Authentication token"
        answers = {}
        for label, api_token in (("good", API), ("bad", "not-the-api-token-1234")):
            body = {
                "connection_id": f"avinode_{label}",
                "conn_type": "avinode",
                "host": sandbox.url,
                "password": AUTH,
                "extra": json.dumps({"api_token": api_token}),
            }
            answers[label] = runtime.api("POST", "/connections/test", json=body).json()
    # The same connections checked here, as `aerosync check` checks them.
    for label, api_token in (("good", API), ("bad", "not-the-api-token-1234")):
        conn = {"conn_type": "avinode", "host": sandbox.url, "password": AUTH,
                "extra": {"api_token": api_token}}  # fmt: skip
        monkeypatch.setenv(f"AIRFLOW_CONN_AVINODE_{label.upper()}", json.dumps(conn))
        verdicts = AvinodeHook(avinode_conn_id=f"avinode_{label}").check_verdicts()
        answer = answers[label]
        assert answer["status"] is all(v.ok for v in verdicts), answer
        for verdict in verdicts:
            assert verdict.detail in answer["message"]
        assert AUTH not in answer["message"] and api_token not in answer["message"]
    assert answers["good"]["status"] is True
    assert answers["bad"]["status"] is False
    assert "the marketplace refused the tokens (HTTP 401" in answers["bad"]["message"]
