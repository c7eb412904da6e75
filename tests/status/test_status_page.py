"""The "Schedule uploads" page in a real browser: a real Airflow API server with the plugin (from
the package's entry point), an aerosync store seeded by real pipeline runs against the sandbox,
and Debian's Chromium driven by Playwright. Saves `test-artifacts/status-page*.png`.

Two companies, two teams (`[core] multi_team`): skyway_charter's upload DAG is in a DAG bundle of
team_a, north_jets' in one of team_b. admin sees both; alice (role user, team_a) may read and
trigger only skyway_charter's DAG, so she sees only skyway_charter and is refused north_jets."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from aerosync.config.companies import CREW_DAG_PREFIX, UPLOAD_DAG_PREFIX
from aerosync.dev.environment import AirflowEnv, AirflowUser, DagBundle
from aerosync.dev.runtime import AirflowRuntime
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.stores.database import sqlite_engine
from tests.conftest import require_service
from tests.schedule.test_quality_gate import API, AUTH, NOW, Gate, outcomes

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SKYWAY, NORTH = "skyway_charter", "north_jets"
ALICE = AirflowUser("alice", "user", "alice-pass-5531", teams=("team_a",))
HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'self'"
    ),
    "x-frame-options": "SAMEORIGIN",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}
COMPANIES = f"""
companies:
  - id: {SKYWAY}
    name: Skyway Charter
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_skyway
    fms: {{conn_id: fms_skyway, dialect: reference}}
  - id: {NORTH}
    name: North Jets
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_skyway
    fms: {{conn_id: fms_north, dialect: reference}}
"""
# One company's upload DAG per bundle: a bundle's team is its DAGs' team, and the companies file
# (AEROSYNC_CONFIG) is one for the whole Airflow, so each bundle's file builds its own company.
BUNDLE_DAG = """\
\"\"\"The schedule-upload DAG of {company} alone: this bundle belongs to {team}.\"\"\"

from aerosync.airflow.dag_factory import build_upload_dag
from aerosync.config.companies_file import load_config

dag = build_upload_dag(load_config(only="{company}").company("{company}"))
"""


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


def seed_second_company(work: Path, sandbox: SandboxServer, store: Path) -> None:
    """north_jets' N7 uploaded, into the same aerosync store as skyway_charter's aircraft."""
    north = Gate(work / "seed-north", sandbox, id=NORTH, name="North Jets")
    north.store = sqlite_engine(store)
    north.clean_aircraft("N7")
    assert outcomes(north.run()) == {"N7": "uploaded"}


def bundle(work: Path, company: str, team: str) -> DagBundle:
    folder = work / f"bundle-{team}"
    folder.mkdir()
    (folder / f"{company}_upload.py").write_text(BUNDLE_DAG.format(company=company, team=team))
    return DagBundle(f"uploads-{team}", folder, team=team)


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AirflowRuntime, Path]]:
    require_service(os.path.exists(CHROMIUM), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    work = tmp_path_factory.mktemp("browser")
    store = work / "seed" / "aerosync.db"
    with SandboxServer(port=0, state=SandboxState(accounts=[("gate", AUTH, API)])) as sandbox:
        (work / "seed").mkdir()
        seed(Gate(work / "seed", sandbox))
        (work / "seed-north").mkdir()
        seed_second_company(work, sandbox, store)
    dags = work / "dags"
    dags.mkdir()
    (work / "companies.yaml").write_text(COMPANIES)
    env = AirflowEnv(
        home=work / "airflow",
        dags_folder=dags,
        users=(ALICE,),
        bundles=(bundle(work, SKYWAY, "team_a"), bundle(work, NORTH, "team_b")),
        extra_env={
            "AIRFLOW_CONN_AEROSYNC_DB": json.dumps({"conn_type": "sqlite", "host": str(store)}),
            "AEROSYNC_CONFIG": str(work / "companies.yaml"),
        },
    )
    with AirflowRuntime(env) as runtime:
        for company in (SKYWAY, NORTH):
            runtime.wait_for_dag(UPLOAD_DAG_PREFIX + company)
        yield runtime, store


def test_the_page_answers_401_without_a_login(airflow: tuple[AirflowRuntime, Path]) -> None:
    runtime, _ = airflow
    answer = requests.get(f"{runtime.base_url}/aerosync/status", timeout=30)
    assert answer.status_code == 401
    assert "N1" not in answer.text
    assert {k: answer.headers.get(k) for k in HEADERS} == HEADERS


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
            assert sorted(tails) == ["N1", "N2", "N3", "N4", "N7"]
            assert {k: response.headers.get(k) for k in HEADERS} == HEADERS
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


@contextmanager
def browser_page(runtime: AirflowRuntime, token: str) -> Iterator[Page]:
    """A Chromium page logged in as the token's user (the UI's `_token` cookie)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies([{"name": "_token", "value": token, "url": runtime.base_url}])
            yield context.new_page()
        finally:
            browser.close()


def shown(page: Page, attribute: str) -> list[str]:
    rows = page.locator("#status tbody tr[data-tail]")
    values: list[str] = rows.evaluate_all(f"rs => rs.map(r => r.dataset.{attribute})")
    return values


def company_options(page: Page) -> list[str]:
    options = page.locator("select[name='company'] option")
    values: list[str] = options.evaluate_all("os => os.map(o => o.value).filter(v => v)")
    return values


def run_ids(runtime: AirflowRuntime, company: str) -> list[str]:
    return [run["dag_run_id"] for run in runtime.dag_runs(UPLOAD_DAG_PREFIX + company)]


def post_upload_now(
    runtime: AirflowRuntime, token: str, company: str, **headers: str
) -> requests.Response:
    """The form's post, sent like a browser would: the login in the cookie, no redirects."""
    return requests.post(
        f"{runtime.base_url}/aerosync/upload-now",
        data={"company": company},
        cookies={"_token": token},
        headers=headers,
        allow_redirects=False,
        timeout=60,
    )


def test_upload_now_in_the_browser_creates_a_run_and_says_what_the_guard_does(
    airflow: tuple[AirflowRuntime, Path],
) -> None:
    runtime, _ = airflow
    before = run_ids(runtime, SKYWAY)
    with browser_page(runtime, runtime.token()) as page:
        page.goto(f"{runtime.base_url}/aerosync/status", wait_until="load")
        button = page.locator(
            f"form.upload-now:has(input[name='company'][value='{SKYWAY}']) button"
        )
        with page.expect_navigation(wait_until="load"):
            button.click()
        assert "/aerosync/status?" in page.url and f"company={SKYWAY}" in page.url
        text = page.locator("body").inner_text()
        assert set(shown(page, "company")) == {SKYWAY}
        page.screenshot(path=str(ARTIFACTS / "status-page-upload-now.png"), full_page=True)
    (new,) = [run for run in run_ids(runtime, SKYWAY) if run not in before]
    run = runtime.dag_run(UPLOAD_DAG_PREFIX + SKYWAY, new)
    assert run["run_type"] == "manual" and run["triggering_user_name"] == "admin"
    assert run["triggered_by"] == "ui"  # the page's Referer is passed on: a person clicked
    assert new in text and "last 5 minutes will be skipped" in text
    assert "is paused: the run waits until it is unpaused" in text  # paused at creation


def test_a_team_user_sees_and_triggers_only_her_teams_company(
    airflow: tuple[AirflowRuntime, Path],
) -> None:
    runtime, _ = airflow
    token = runtime.login(ALICE.name, ALICE.password)
    with browser_page(runtime, token) as page:
        response = page.goto(f"{runtime.base_url}/aerosync/status", wait_until="load")
        assert response is not None and response.status == 200
        assert set(shown(page, "company")) == {SKYWAY}
        assert sorted(shown(page, "tail")) == ["N1", "N2", "N3", "N4"]
        assert company_options(page) == [SKYWAY]
        page.screenshot(path=str(ARTIFACTS / "status-page-alice.png"), full_page=True)
        refused = page.goto(f"{runtime.base_url}/aerosync/status?company={NORTH}")
        assert refused is not None and refused.status == 403
        assert "N7" not in page.content()
        page.screenshot(path=str(ARTIFACTS / "status-page-alice-refused.png"))
        tab = page.goto(f"{runtime.base_url}/aerosync/status?dag_id={UPLOAD_DAG_PREFIX}{NORTH}")
        assert tab is not None and tab.status == 403
    before = run_ids(runtime, NORTH)
    origin = {"Origin": runtime.base_url}
    answer = post_upload_now(runtime, token, NORTH, **origin)
    assert answer.status_code == 403
    assert f"You may not trigger {NORTH}" in answer.text
    assert {k: answer.headers.get(k) for k in HEADERS} == HEADERS
    # Airflow itself refuses her the same run: the page asks the same question it does.
    direct = requests.post(
        f"{runtime.base_url}/api/v2/dags/{UPLOAD_DAG_PREFIX}{NORTH}/dagRuns",
        json={"logical_date": None},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert direct.status_code == 403
    assert run_ids(runtime, NORTH) == before
    # Her own company's upload is triggered as her, with her own token.
    mine = post_upload_now(runtime, token, SKYWAY, **origin)
    assert mine.status_code == 303, mine.text
    (run_id,) = parse_qs(urlsplit(mine.headers["location"]).query)["triggered"]
    run = runtime.dag_run(UPLOAD_DAG_PREFIX + SKYWAY, run_id)
    assert run["triggering_user_name"] == ALICE.name


def test_a_post_from_another_origin_triggers_nothing(
    airflow: tuple[AirflowRuntime, Path],
) -> None:
    runtime, _ = airflow
    before = run_ids(runtime, SKYWAY)
    foreign = post_upload_now(runtime, runtime.token(), SKYWAY, Origin="http://127.0.0.1:9")
    assert foreign.status_code == 403 and "did not come from the Schedule uploads page" in (
        foreign.text
    )
    unnamed = post_upload_now(runtime, runtime.token(), SKYWAY)  # neither Origin nor Referer
    assert unnamed.status_code == 403
    anonymous = requests.post(
        f"{runtime.base_url}/aerosync/upload-now",
        data={"company": SKYWAY},
        headers={"Origin": runtime.base_url},
        timeout=30,
    )
    assert anonymous.status_code == 401
    assert run_ids(runtime, SKYWAY) == before


def test_the_dag_tab_shows_only_its_company_and_nothing_on_other_dags(
    airflow: tuple[AirflowRuntime, Path],
) -> None:
    runtime, _ = airflow
    with browser_page(runtime, runtime.token()) as page:
        tab = page.goto(f"{runtime.base_url}/aerosync/status?dag_id={UPLOAD_DAG_PREFIX}{NORTH}")
        assert tab is not None and tab.status == 200
        assert shown(page, "tail") == ["N7"] and company_options(page) == [NORTH]
        crew = page.goto(f"{runtime.base_url}/aerosync/status?dag_id={CREW_DAG_PREFIX}{SKYWAY}")
        assert crew is not None and crew.status == 200
        assert "not a schedule upload" in page.locator("body").inner_text()
        assert page.locator("[data-tail], [data-company]").count() == 0
        for tail in ("N1", "N2", "N3", "N4", "N7"):
            assert tail not in page.content()
        assert {k: crew.headers.get(k) for k in HEADERS} == HEADERS
        # Inside the Airflow UI: the tab frames the page (same origin, which the headers allow).
        page.goto(
            f"{runtime.base_url}/dags/{UPLOAD_DAG_PREFIX}{NORTH}/plugin/schedule-uploads-dag",
            wait_until="load",
        )
        framed = page.frame_locator("iframe").locator("tr[data-tail='N7']")
        framed.wait_for(state="visible", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "status-page-dag-tab.png"))
