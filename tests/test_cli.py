"""`aerosync` as a user runs it (a subprocess): --version, -o, --fail-on, exit codes, a read that
never creates a database, and the aerosync database found where tasks and the page find it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from aerosync import __version__
from aerosync.models import Outcome
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
from aerosync.stores.status import StatusStore
from aerosync.stores.status_records import StatusRecord

pytestmark = pytest.mark.unit
COMPANY = {
    "id": "skyway_charter",
    "name": "Skyway Charter",
    "schedule": "*/15 * * * *",
    "marketplace_conn_id": "avinode_skyway",
    "fms": {"conn_id": "fms_skyway", "dialect": "reference"},
}


def aerosync(
    *args: str, env: dict[str, str] | None = None, home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI with no companies file and no connection from the test's environment."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k != "AEROSYNC_CONFIG" and not k.startswith(("AIRFLOW_CONN_", "AIRFLOW__"))
    }
    if home is not None:
        clean["AIRFLOW_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "aerosync.cli", *args],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write_store(path: Path, company: str = "skyway_charter") -> None:
    """N1 uploaded a minute ago; N2 failed, its last success two hours ago (stale at */15)."""
    now = datetime.now(UTC)
    store = StatusStore(sqlite_engine(path))
    ensure_migrated(store.engine)
    store.record(
        [
            StatusRecord(
                company=company,
                tail="N1SW",
                run_id="r1",
                attempted_at=now - timedelta(minutes=1),
                outcome=Outcome.UPLOADED,
                last_success_at=now - timedelta(minutes=1),
            ),
            StatusRecord(
                company=company,
                tail="N2SW",
                run_id="r1",
                attempted_at=now - timedelta(minutes=1),
                outcome=Outcome.FAILED,
                http_status=500,
                last_success_at=now - timedelta(hours=2),
            ),
        ],
        history_read=True,  # the last successes are given
    )
    store.engine.dispose()


@pytest.fixture
def store(tmp_path: Path) -> str:
    path = tmp_path / "store.db"
    write_store(path)
    return f"sqlite:///{path}"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "companies.yaml"
    alpine = {**COMPANY, "id": "alpine_jets", "name": "Alpine Jets"}
    path.write_text(yaml.safe_dump({"companies": [COMPANY, alpine]}), encoding="utf-8")
    return path


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_version() -> None:
    done = aerosync("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"aerosync {__version__}"


def test_outputs_table_json_yaml(store: str, config: Path) -> None:
    as_json = aerosync("status", "--db", store, "-o", "json")
    assert as_json.returncode == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    assert [(r["tail"], r["outcome"], r["stale"]) for r in rows] == [
        ("N1SW", "uploaded", None),  # no companies file: staleness not judged
        ("N2SW", "failed", None),
    ]
    assert json.loads(aerosync("status", "--db", store, "--json").stdout) == rows  # the alias
    assert yaml.safe_load(aerosync("status", "--db", store, "-o", "yaml").stdout) == rows
    judged = json.loads(
        aerosync("status", "--db", store, "-o", "json", "--config", str(config)).stdout
    )
    assert [r["stale"] for r in judged] == [False, True]
    table = aerosync("status", "--db", store, "--config", str(config)).stdout
    assert table.splitlines()[0].startswith("COMPANY") and "(stale)" in table
    (stale_line,) = [line for line in table.splitlines() if "(stale)" in line]
    assert "N2SW" in stale_line


def test_config_check_outputs(config: Path) -> None:
    as_yaml = aerosync("config", "check", "--file", str(config), "-o", "yaml")
    data = yaml.safe_load(as_yaml.stdout)
    assert data["file"] == str(config) and data["refused"] == [] and data["warnings"] == []
    assert [c["id"] for c in data["companies"]] == ["alpine_jets", "skyway_charter"]
    assert json.loads(aerosync("config", "check", "--file", str(config), "--json").stdout) == data


@pytest.mark.parametrize(
    ("fail_on", "code", "named"),
    [
        ("failed", 1, "skyway_charter N2SW: failed"),
        ("held,unknown", 0, None),
        ("stale", 1, "skyway_charter N2SW: stale"),
        ("failed,stale", 1, "skyway_charter N2SW: failed, stale"),
    ],
)
def test_fail_on(store: str, config: Path, fail_on: str, code: int, named: str | None) -> None:
    done = aerosync("status", "--db", store, "--config", str(config), "--fail-on", fail_on)
    assert done.returncode == code, done.stderr
    assert "N2SW" in done.stdout  # the data is printed either way
    if named:
        assert named in done.stderr
    else:
        assert done.stderr == ""


def test_fail_on_usage_errors(store: str) -> None:
    stale = aerosync("status", "--db", store, "--fail-on", "stale")
    assert stale.returncode == 2 and "companies file" in stale.stderr
    bogus = aerosync("status", "--db", store, "--fail-on", "late")
    assert bogus.returncode == 2 and "unknown state late" in bogus.stderr
    wrong_format = aerosync("status", "--db", store, "-o", "xml")
    assert wrong_format.returncode == 2
    missing = aerosync("status", "--db", store, "--config", "/no/such/companies.yaml")
    assert missing.returncode == 2 and "cannot read /no/such/companies.yaml" in missing.stderr


def test_unknown_company_is_an_error(store: str, config: Path) -> None:
    unknown = aerosync("status", "--db", store, "--company", "skyway")
    assert unknown.returncode == 2
    assert "unknown company 'skyway'; known: skyway_charter" in unknown.stderr
    configured = aerosync("status", "--db", store, "--company", "nope", "--config", str(config))
    assert "known: alpine_jets, skyway_charter" in configured.stderr
    # Configured but never uploaded: known, and nothing to show.
    quiet = aerosync("status", "--db", store, "--company", "alpine_jets", "--config", str(config))
    assert quiet.returncode == 0 and "No upload has been recorded for company 'alpine_jets'" in (
        quiet.stdout
    )


def test_a_wrong_db_creates_nothing(tmp_path: Path) -> None:
    before = tree(tmp_path)
    done = aerosync("status", "--db", f"sqlite:///{tmp_path}/missing/dir/aerosync.db")
    assert done.returncode == 3
    assert f"no aerosync database at {tmp_path}/missing/dir/aerosync.db" in done.stderr
    assert tree(tmp_path) == before


def test_a_wrong_airflow_home_creates_nothing(tmp_path: Path) -> None:
    home = tmp_path / "not" / "airflow"
    before = tree(tmp_path)
    done = aerosync("status", home=home)
    assert done.returncode == 3
    assert f"no aerosync database at {home}/aerosync.db (AIRFLOW_HOME={home})" in done.stderr
    assert tree(tmp_path) == before


def test_a_database_without_status_is_not_given_tables(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    engine = sqlite_engine(empty)
    engine.connect().close()
    done = aerosync("status", "--db", f"sqlite:///{empty}")
    assert done.returncode == 3 and "cannot read upload status" in done.stderr
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar() == 0


def test_config_check_names_the_file_and_says_when_there_is_none(tmp_path: Path) -> None:
    none = aerosync("config", "check")
    assert none.returncode == 1 and none.stdout.startswith("no companies file")
    assert "ok" not in none.stdout.split()
    path = tmp_path / "companies.yaml"
    slow = {**COMPANY, "schedule": "0 3 * * *"}
    path.write_text(yaml.safe_dump({"companies": [slow]}), encoding="utf-8")
    done = aerosync("config", "check", env={"AEROSYNC_CONFIG": str(path)})
    assert done.returncode == 0, done.stdout  # warnings do not fail the check
    lines = done.stdout.splitlines()
    assert lines[0] == f"read     {path}"
    assert lines[1].startswith("ok       skyway_charter")
    assert lines[2].startswith("warning  company 'skyway_charter': schedule '0 3 * * *'")
    beside = tmp_path / "dags"
    beside.mkdir()
    (beside / "aerosync_companies.yaml").write_text(path.read_text(), encoding="utf-8")
    found = aerosync("config", "check", "--dags-folder", str(beside))
    assert found.stdout.startswith(f"read     {beside / 'aerosync_companies.yaml'}")


def test_sandbox_help_documents_options_and_test_tokens() -> None:
    from aerosync.sandbox.marketplace import DEFAULT_ACCOUNT

    done = aerosync("sandbox", "--help")
    assert done.returncode == 0
    assert "--port PORT  port (default: 8765)" in done.stdout and "--host" in done.stdout
    assert DEFAULT_ACCOUNT[1] in done.stdout and DEFAULT_ACCOUNT[2] in done.stdout
    assert "not secrets" in done.stdout and "AEROSYNC_SANDBOX_ACCOUNTS" in done.stdout
