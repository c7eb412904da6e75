"""The wheel a team installs: built from this repository as `python -m build` builds it (the
same backend, hatchling), it holds the SQL dialects, the suites, the aerosync schema and the DAG
file template, and an installation from it finds them without this repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[1]
# What an installed AeroSync reads from its own wheel.
SHIPPED = [
    "aerosync/_data/dags/aerosync_dags.py",
    "aerosync/stores/migrations/baseline/schema.sql",
    "aerosync/stores/migrations/baseline/training.sql",
    "aerosync/stores/migrations/script.py.mako",
    "aerosync/stores/migrations/versions/0001_baseline.py",
    "aerosync/_data/sql/reference/aircraft.sql",
    "aerosync/_data/sql/reference/activities.sql",
    "aerosync/_data/sql/reference/services.sql",
    "aerosync/_data/sql/reference/crew_legs.sql",
    "aerosync/_data/expectations/activities.json",
    "aerosync/_data/expectations/aircraft.json",
    "aerosync/_data/expectations/training_employees.json",
    "aerosync/_data/expectations/training_flights.json",
    "aerosync/_data/config/companies.yaml",
]
# Run from the unpacked wheel, in a folder that is not this repository.
FROM_THE_WHEEL = """
import json, sys
from pathlib import Path
import aerosync
from aerosync.cli import main
from aerosync.config.dialects import dialects, sql_path
from aerosync.config.resources import data_dir
from aerosync.quality.suites import load_suite_definition, suite_path
from aerosync.stores.migrate import migrate
from sqlalchemy import create_engine
folder = Path(sys.argv[1])
folder.mkdir()
print(json.dumps({
    "package": aerosync.__file__,
    "version": aerosync.__version__,
    "dialects": dialects(),
    "activities_sql": str(sql_path("reference", "activities.sql")),
    "migration": migrate(create_engine(f"sqlite:///{folder.parent / 'store.db'}")).to_dict(),
    "suite": str(suite_path("activities")),
    "expectations": len(load_suite_definition("activities")["expectations"]),
    "template": str(data_dir("dags") / "aerosync_dags.py"),
    "init_dags": main(["init-dags", str(folder)]),
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet"]
    subprocess.run(
        [*pip, "--wheel-dir", str(out), str(REPO)],
        check=True,
        timeout=300,
    )
    (built,) = out.glob("aerosync-*.whl")
    return built


def test_the_wheel_holds_the_data_and_the_dag_file_template(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        template = archive.read("aerosync/_data/dags/aerosync_dags.py").decode("utf-8")
    assert [name for name in SHIPPED if name not in names] == []
    assert template == (REPO / "dags" / "aerosync_dags.py").read_text("utf-8")
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)


def test_an_installation_from_the_wheel_finds_its_data_without_the_repository(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AEROSYNC_")}
    env["PYTHONPATH"] = str(site)  # before the repository's editable install
    done = subprocess.run(
        [sys.executable, "-c", FROM_THE_WHEEL, str(elsewhere / "dags")],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    data = site / "aerosync" / "_data"
    assert found["package"] == str(site / "aerosync" / "__init__.py")
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert found["version"] == project["version"]  # from the wheel's own metadata
    assert found["dialects"] == ["reference"]
    assert found["activities_sql"] == str(data / "sql" / "reference" / "activities.sql")
    # The store's migrations ship in the wheel: an empty database reaches head from them.
    from aerosync.stores.schema_version import HEAD

    assert found["migration"]["from"] is None and found["migration"]["to"] == HEAD
    assert found["suite"] == str(data / "expectations" / "activities.json")
    assert found["expectations"] > 10
    assert found["template"] == str(data / "dags" / "aerosync_dags.py")
    assert found["init_dags"] == 0
    written = (elsewhere / "dags" / "aerosync_dags.py").read_text("utf-8")
    assert written == (REPO / "dags" / "aerosync_dags.py").read_text("utf-8")
