"""`aerosync check` against the demo's real set-up (the sandbox over HTTP, SQLite FMS files, the
LMS, HRIS and LRS stubs, connections as AIRFLOW_CONN_* variables), and against it broken."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from aerosync.cli import main
from tests.airflow.setup_check_support import DemoSetUp, broken, demo_set_up, run_cli

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSetUp]:
    with demo_set_up(tmp_path_factory.mktemp("check")) as made:
        yield made


def failed(document: dict, company: str, subject_start: str) -> list[dict]:  # type: ignore[type-arg]
    return [
        c
        for c in document["checks"]
        if c["status"] == "failed"
        and c["company"] == company
        and c["subject"].startswith(subject_start)
    ]


def test_the_demo_set_up_is_ok_on_every_connection(setup: DemoSetUp) -> None:
    result = run_cli(setup.env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok") and "companies file" in lines[0]
    for subject in (
        "skyway_charter  marketplace connection avinode_skyway · tokens accepted",
        "skyway_charter  marketplace connection avinode_skyway_partner (aircraft N650SW)",
        "skyway_charter  FMS connection fms_skyway (reference) · reference/activities.sql",
        "skyway_charter  LMS bookings connection lms_skyway · first page",
        "alpine_jets  HRIS connection hris_alpine · first page",
        "alpine_jets  LRS connection lrs_alpine · first page",
        "alpine_jets  events connection redis_events · reachable",
        "alpine_jets  AMS CSV drop · CSV drop: read: 1 maintenance events to send",
        "*  aerosync database (no connection aerosync_db",
    ):
        (line,) = [line for line in lines if subject in line][:1]
        assert line.startswith("ok "), line
    assert lines[-1].endswith(", 0 warnings, 0 failed"), lines[-1]


def test_a_broken_set_up_names_each_problem_and_exits_1(setup: DemoSetUp) -> None:
    result = run_cli(broken(setup), "--json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is False
    (token,) = failed(document, "skyway_charter", "marketplace connection avinode_skyway")
    assert token["check"] == "tokens accepted"
    assert "the marketplace refused the tokens (HTTP 401" in token["detail"]
    assert "Invalid API token" in token["detail"]
    (legs_activities, legs_services) = failed(document, "alpine_jets", "FMS connection fms_alpine")
    assert legs_activities["check"] == "reference/activities.sql"
    assert "no such table: legs" in legs_activities["detail"]
    assert legs_services["check"] == "reference/services.sql"
    (lms,) = failed(document, "skyway_charter", "LMS bookings connection lms_skyway")
    assert "could not be reached" in lms["detail"] and "ConnectionError" in lms["detail"]
    (store,) = failed(document, "*", "aerosync database (connection aerosync_db)")
    assert store["check"] == "shared by every worker"
    assert "CeleryExecutor" in store["detail"] and "SQLite" in store["detail"]
    # One failure never hides another connection's health: these stayed ok.
    assert not failed(document, "skyway_charter", "marketplace connection avinode_skyway_partner")
    assert not failed(document, "alpine_jets", "marketplace connection avinode_alpine")
    assert len([c for c in document["checks"] if c["status"] == "failed"]) == 5
    for secret in [*setup.secrets(), "wrong-api-token-0000"]:
        assert secret not in result.stdout + result.stderr


def test_the_broken_set_up_in_lines(setup: DemoSetUp) -> None:
    result = run_cli(broken(setup), "--company", "skyway_charter")
    assert result.returncode == 1
    assert (
        "failed   skyway_charter  marketplace connection avinode_skyway · tokens accepted: "
        "the marketplace refused the tokens (HTTP 401"
    ) in result.stdout
    assert "alpine_jets" not in result.stdout


def test_an_unknown_company_is_a_usage_error(
    setup: DemoSetUp, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Path(setup.env["AEROSYNC_CONFIG"])
    assert main(["check", "--file", str(config), "--company", "nobody"]) == 2
    error = capsys.readouterr().err
    assert "no company 'nobody'" in error and "skyway_charter" in error
