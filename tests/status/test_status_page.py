"""The "Schedule uploads" page in a real browser: a real Airflow API server with the plugin (from
the package's entry point), an aerosync store seeded by real pipeline runs against the sandbox,
and Debian's Chromium driven by Playwright. Saves `test-artifacts/status-page*.png`.

Two companies, two teams (`[core] multi_team`): skyway_charter's upload DAG is in a DAG bundle of
team_a, north_jets' in one of team_b. admin sees both; alice (role user, team_a) may read and
trigger only skyway_charter's DAG, so she sees only skyway_charter and is refused north_jets.

skyway_charter's records come from pipeline runs in this process (`Gate`): N1 last accepted
45 minutes ago (stale: its schedule is every 15 minutes), N5 skipped 2 minutes after a failed
call. north_jets' N7 is uploaded by a real run of its DAG in this Airflow, so its row's log link
leads to a real task log."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
import sqlalchemy as sa

from aerosync.config.companies import CREW_DAG_PREFIX, UPLOAD_DAG_PREFIX
from aerosync.dev.environment import AirflowEnv, AirflowUser, DagBundle
from aerosync.dev.runtime import AirflowRuntime
from aerosync.dev.stack import connection_env, marketplace_connection
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.status.page import COLOURS, LINE_COLOURS
from aerosync.stores.database import iso, sqlite_engine
from aerosync.stores.status import StatusStore
from tests.conftest import require_service
from tests.schedule.fms_builder import FmsBuilder
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
    """Two runs 45 minutes apart: N3 fails then recovers; N1 fails now (its last success is the
    first run's, stale); N2 is held now; N4 uploads twice; N5's call fails 2 minutes before the
    second run, which skips it (the 5-minute spacing counts failed calls too)."""
    for tail in ("N1", "N2", "N3", "N4", "N5"):
        gate.clean_aircraft(tail)
    fault = f"http://127.0.0.1:{gate.sandbox.port}/_sandbox/faults"

    def set_fault(tail: str, kind: str | None) -> None:
        requests.post(fault, json={"tail": tail, "fault": kind}, timeout=5).raise_for_status()

    set_fault("N3", "500")
    set_fault("N5", "500")
    first = gate.run()
    assert outcomes(first)["N3"] == outcomes(first)["N5"] == "failed"
    gate.age_history(minutes=45)
    move_attempts(gate.store, "N5", datetime.now(UTC) - timedelta(minutes=2))
    set_fault("N3", None)
    set_fault("N5", None)
    set_fault("N1", "500")
    gate.fms.leg("N2-BROKEN", "N2", NOW + timedelta(days=2), on_block="2026-01-01T00:00:00+00:00")
    second = gate.run()
    set_fault("N1", None)
    assert outcomes(second) == {
        "N1": "failed",
        "N2": "held",
        "N3": "uploaded",
        "N4": "uploaded",
        "N5": "skipped",
    }


def move_attempts(store: sa.Engine, tail: str, at: datetime) -> None:
    """Every recorded attempt of `tail` made at `at`, as if its call had been then."""
    with store.begin() as conn:
        conn.execute(
            sa.text("UPDATE upload_status SET attempted_at = :at WHERE tail = :tail"),
            {"at": iso(at), "tail": tail},
        )


def bundle(work: Path, company: str, team: str) -> DagBundle:
    folder = work / f"bundle-{team}"
    folder.mkdir()
    (folder / f"{company}_upload.py").write_text(BUNDLE_DAG.format(company=company, team=team))
    return DagBundle(f"uploads-{team}", folder, team=team)


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AirflowRuntime, Path]]:
    """The Airflow, the store it reads, and the sandbox alive throughout: north_jets' DAG runs
    for real once before the tests (about 10-20 s)."""
    require_service(os.path.exists(CHROMIUM), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    work = tmp_path_factory.mktemp("browser")
    store = work / "seed" / "aerosync.db"
    with SandboxServer(port=0, state=SandboxState(accounts=[("gate", AUTH, API)])) as sandbox:
        (work / "seed").mkdir()
        seed(Gate(work / "seed", sandbox))
        north_fms = FmsBuilder(work / "fms-north.sqlite")  # N7, for the real run
        north_fms.aircraft("N7")
        for i in range(4):
            north_fms.leg(f"N7-L{i}", "N7", NOW + timedelta(hours=6 * i - 12))
        dags = work / "dags"
        dags.mkdir()
        (work / "companies.yaml").write_text(COMPANIES)
        connections = {
            "aerosync_db": {"conn_type": "sqlite", "host": str(store)},
            "avinode_skyway": marketplace_connection(sandbox.url, AUTH, API, timeout=5),
            "fms_north": {"conn_type": "sqlite", "host": str(north_fms.path)},
        }
        env = AirflowEnv(
            home=work / "airflow",
            dags_folder=dags,
            users=(ALICE,),
            bundles=(bundle(work, SKYWAY, "team_a"), bundle(work, NORTH, "team_b")),
            extra_env={
                **connection_env(connections),
                "AEROSYNC_CONFIG": str(work / "companies.yaml"),
            },
        )
        with AirflowRuntime(env) as runtime:
            for company in (SKYWAY, NORTH):
                runtime.wait_for_dag(UPLOAD_DAG_PREFIX + company)
            north = runtime.run_dag(UPLOAD_DAG_PREFIX + NORTH, timeout=240)
            assert north.succeeded, (north.states(), runtime.logs_tail())
            runtime.pause(UPLOAD_DAG_PREFIX + NORTH)  # as it was: nothing else runs it
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
            assert sorted(tails) == ["N1", "N2", "N3", "N4", "N5", "N7"]
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
        assert sorted(shown(page, "tail")) == ["N1", "N2", "N3", "N4", "N5"]
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
        for tail in ("N1", "N2", "N3", "N4", "N5", "N7"):
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


def background(page: Page, selector: str) -> str:
    colour: str = page.locator(selector).evaluate("e => getComputedStyle(e).backgroundColor")
    return colour


def rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def test_a_stale_aircraft_is_flagged_and_a_fresh_one_is_not(
    airflow: tuple[AirflowRuntime, Path],
) -> None:
    """N1's last accepted schedule is 45 minutes old, its company uploads every 15 minutes
    (stale after 30, from the companies file the api-server reads); N4 and N7 went just now."""
    runtime, _ = airflow
    with browser_page(runtime, runtime.token()) as page:
        page.goto(f"{runtime.base_url}/aerosync/status", wait_until="load")
        stale = page.locator("tr[data-tail='N1']")
        assert stale.get_attribute("data-stale") == "true"
        assert stale.locator("span.stale-flag").is_visible()
        words = stale.locator(".stale-words").inner_text()
        age = r"(4[5-9] min|5\d min|1 h( \d+ min)?)"  # 45 minutes and whatever the tests took
        assert re.fullmatch(rf"brokers see a schedule {age} old; expected every 15 min", words)
        for fresh in ("N4", "N7"):
            row = page.locator(f"tr[data-tail='{fresh}']")
            assert row.get_attribute("data-stale") == "false"
            assert row.locator(".stale-flag").count() == 0
        flagged = page.locator("tr[data-stale='true']").evaluate_all(
            "rs => rs.map(r => r.dataset.tail)"
        )
        assert "N1" in flagged and not {"N3", "N4", "N7"} & set(flagged)
        assert f"{len(flagged)} stale" in page.locator("#summary").inner_text()
        stale.screenshot(path=str(ARTIFACTS / "status-page-stale-row.png"))
        page.screenshot(path=str(ARTIFACTS / "status-page-stale.png"), full_page=True)


def test_a_skip_is_neutral_with_the_last_failure_beside_it(
    airflow: tuple[AirflowRuntime, Path],
) -> None:
    """N5 was skipped by the 5-minute spacing 2 minutes after its call failed with HTTP 500:
    its badge is grey, the failure beside it in red."""
    runtime, _ = airflow
    with browser_page(runtime, runtime.token()) as page:
        page.goto(f"{runtime.base_url}/aerosync/status", wait_until="load")
        row = page.locator("tr[data-tail='N5']")
        assert row.get_attribute("data-outcome") == "skipped"
        skip = background(page, "tr[data-tail='N5'] span.badge.outcome-skipped")
        failed = background(page, "tr[data-tail='N1'] span.badge.outcome-failed")
        assert skip == rgb(COLOURS["skipped"]) and failed == rgb(COLOURS["failed"])
        channels = [int(c) for c in re.findall(r"\d+", skip)]
        assert max(channels) - min(channels) < 20  # a grey: no hue that could mean anything
        last = row.locator("a.badge.last-real[data-last-outcome='failed']")
        assert "HTTP 500" in last.inner_text() and "failed" in last.inner_text()
        assert background(page, "tr[data-tail='N5'] a.last-real") == failed
        reason = row.locator("li.finding[data-code='UPLOADED_RECENTLY']")
        assert "less than 5 minutes ago" in reason.inner_text()
        assert reason.evaluate("e => getComputedStyle(e).color") == rgb(LINE_COLOURS["routine"])
        row.screenshot(path=str(ARTIFACTS / "status-page-skip-row.png"))


def test_a_rows_log_link_opens_its_upload_task_log(
    airflow: tuple[AirflowRuntime, Path],
) -> None:
    """N7's record was written by the mapped `upload` task of a real run: its log link opens
    that task instance's log in the Airflow UI, and the log is about N7."""
    runtime, store = airflow
    dag_id = UPLOAD_DAG_PREFIX + NORTH
    (record,) = StatusStore(sqlite_engine(store)).latest(NORTH)
    assert record.tail == "N7" and record.outcome.value == "uploaded"
    assert record.upload_map_index is not None
    assert runtime.dag_run(dag_id, record.run_id)["state"] == "success"
    map_index = record.upload_map_index
    api_log = runtime.task_log(dag_id, record.run_id, "upload", map_index=map_index)
    assert f"{NORTH} N7: uploaded (HTTP 200)" in api_log
    expected = f"/dags/{dag_id}/runs/{record.run_id}/tasks/upload/mapped/{map_index}"
    with browser_page(runtime, runtime.token()) as page:
        page.goto(f"{runtime.base_url}/aerosync/status", wait_until="load")
        row = page.locator("tr[data-tail='N7']")
        assert unquote(row.locator("a.run-link").get_attribute("href") or "") == (
            f"/dags/{dag_id}/runs/{record.run_id}"
        )
        link = row.locator("a.log-link")
        assert link.get_attribute("target") == "_top"
        with page.expect_navigation(wait_until="load"):
            link.click()
        assert unquote(urlsplit(page.url).path) == expected
        page.get_by_text(f"{NORTH} N7: uploaded (HTTP 200)").first.wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "status-page-log-link.png"), full_page=True)
