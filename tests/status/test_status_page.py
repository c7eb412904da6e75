"""The "Schedule uploads" page in a real browser: a real Airflow API server with the plugin (from
the package's entry point), an aerosync store seeded by real pipeline runs against the sandbox,
and Debian's Chromium driven by Playwright. Saves `test-artifacts/status-page.png`."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from aerosync.dev.environment import AirflowEnv
from aerosync.dev.runtime import AirflowRuntime
from aerosync.sandbox.server import SandboxServer, SandboxState
from tests.conftest import require_service
from tests.schedule.test_quality_gate import API, AUTH, NOW, Gate, outcomes

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def seed(gate: Gate) -> None:
    """Two runs: N3 fails then recovers; N1 fails now; N2 is held now; N4 uploads twice."""
    for tail in ("N1", "N2", "N3", "N4"):
        gate.clean_aircraft(tail)
    fault = f"http://127.0.0.1:{gate.sandbox.port}/_sandbox/faults"
    requests.post(fault, json={"tail": "N3", "fault": "500"}, timeout=5).raise_for_status()
    first = gate.run()
    assert outcomes(first)["N3"] == "failed"
    gate.age_history(minutes=20)
    requests.post(fault, json={"tail": "N3", "fault": None}, timeout=5).raise_for_status()
    requests.post(fault, json={"tail": "N1", "fault": "500"}, timeout=5).raise_for_status()
    gate.fms.leg("N2-BROKEN", "N2", NOW + timedelta(days=2), on_block="2026-01-01T00:00:00+00:00")
    second = gate.run()
    requests.post(fault, json={"tail": "N1", "fault": None}, timeout=5).raise_for_status()
    assert outcomes(second) == {
        "N1": "failed",
        "N2": "held",
        "N3": "uploaded",
        "N4": "uploaded",
    }


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AirflowRuntime, Path]]:
    require_service(os.path.exists(CHROMIUM), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    work = tmp_path_factory.mktemp("browser")
    with SandboxServer(port=0, state=SandboxState(accounts=[("gate", AUTH, API)])) as sandbox:
        (work / "seed").mkdir()
        seed(Gate(work / "seed", sandbox))
    store = work / "seed" / "aerosync.db"
    dags = work / "dags"
    dags.mkdir()
    env = AirflowEnv(
        home=work / "airflow",
        dags_folder=dags,
        extra_env={
            "AIRFLOW_CONN_AEROSYNC_DB": json.dumps({"conn_type": "sqlite", "host": str(store)})
        },
    )
    with AirflowRuntime(env) as runtime:
        yield runtime, store


def test_the_page_answers_401_without_a_login(airflow: tuple[AirflowRuntime, Path]) -> None:
    runtime, _ = airflow
    answer = requests.get(f"{runtime.base_url}/aerosync/status", timeout=30)
    assert answer.status_code == 401
    assert "N1" not in answer.text


def test_a_dispatcher_sees_failed_and_held_first_with_reasons(
    airflow: tuple[AirflowRuntime, Path],
) -> None:
    from playwright.sync_api import sync_playwright

    runtime, _ = airflow
    token = runtime.token()  # the UI's login: POST /auth/token as admin
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies([{"name": "_token", "value": token, "url": runtime.base_url}])
            page = context.new_page()
            response = page.goto(f"{runtime.base_url}/aerosync/status", wait_until="load")
            assert response is not None and response.status == 200
            rows = page.locator("#status tbody tr")
            tails = rows.evaluate_all("rs => rs.map(r => r.dataset.tail)")
            order = rows.evaluate_all("rs => rs.map(r => r.dataset.outcome)")
            assert tails[:2] == ["N1", "N2"] and order[:2] == ["failed", "held"]
            assert sorted(tails) == ["N1", "N2", "N3", "N4"]
            failed = page.locator("tr[data-tail='N1']")
            assert "500" in failed.inner_text()
            held = page.locator("tr[data-tail='N2']")
            assert "N2-BROKEN" in held.inner_text() and "ends before it starts" in held.inner_text()
            recovered = page.locator("tr[data-tail='N3']").inner_text()
            assert "uploaded" in recovered and "just now" in recovered
            page.screenshot(path=str(ARTIFACTS / "status-page.png"), full_page=True)
            # Filters: one outcome only.
            page.goto(f"{runtime.base_url}/aerosync/status?outcome=held", wait_until="load")
            assert page.locator("#status tbody tr").evaluate_all(
                "rs => rs.map(r => r.dataset.tail)"
            ) == ["N2"]
        finally:
            browser.close()
    assert (ARTIFACTS / "status-page.png").stat().st_size > 10_000
