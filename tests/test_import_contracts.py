"""The import-linter contracts of pyproject.toml bite: the tree keeps them, and a deliberate
breach in a copy of the tree is caught, naming the contract it breaks.

lint-imports runs as a subprocess, as `make lint` runs it, with the tree under test first on
PYTHONPATH: the import graph is built from source files alone, so the copy is never imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "pyproject.toml"
# Installed beside this interpreter by the dev extra (import-linter's console script).
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

AIRFLOW_CONTRACT = "Nothing outside aerosync.airflow imports airflow"
FLOWS_CONTRACT = "The two flows never import each other"
LAYERS_CONTRACT = "Imports run one way"
CYCLES_CONTRACT = "No import cycles between sibling modules"


def lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "250", "NO_COLOR": "1"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(CONFIG)],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def src_copy(tmp_path: Path) -> Path:
    shutil.copytree(
        REPO / "src" / "aerosync",
        tmp_path / "aerosync",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return tmp_path


def add_line(module: Path, line: str) -> None:
    module.write_text(module.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def broken(result: subprocess.CompletedProcess[str], contract: str) -> bool:
    return any(
        row.startswith(contract) and " BROKEN" in row  # "BROKEN (1 ignored import)" too
        for row in result.stdout.splitlines()
    )


def test_the_tree_keeps_every_contract() -> None:
    result = lint_imports(REPO / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_untouched_copy_keeps_every_contract(src_copy: Path) -> None:
    # The copy is what the next tests break: it must start clean, or they prove nothing.
    result = lint_imports(src_copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_airflow_in_a_flow_module_breaks_the_airflow_contract(src_copy: Path) -> None:
    add_line(src_copy / "aerosync" / "schedule" / "guards.py", "import airflow")
    result = lint_imports(src_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken(result, AIRFLOW_CONTRACT), result.stdout
    assert "aerosync.schedule.guards -> airflow" in result.stdout
    for kept in (FLOWS_CONTRACT, LAYERS_CONTRACT, CYCLES_CONTRACT):
        assert not broken(result, kept), result.stdout


def test_a_flow_importing_the_other_flow_breaks_independence_and_layers(
    src_copy: Path,
) -> None:
    add_line(src_copy / "aerosync" / "crew" / "values.py", "import aerosync.schedule.guards")
    result = lint_imports(src_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken(result, FLOWS_CONTRACT), result.stdout
    assert broken(result, LAYERS_CONTRACT), result.stdout
    assert "aerosync.crew.values -> aerosync.schedule.guards" in result.stdout


def test_a_store_importing_a_flow_breaks_the_layers(src_copy: Path) -> None:
    add_line(src_copy / "aerosync" / "stores" / "database.py", "import aerosync.airflow.masking")
    result = lint_imports(src_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken(result, LAYERS_CONTRACT), result.stdout
    assert "aerosync.stores.database -> aerosync.airflow.masking" in result.stdout


def test_a_cycle_between_modules_breaks_the_cycles_contract(src_copy: Path) -> None:
    # guards is imported by in_flight; importing it back closes a cycle inside schedule/.
    add_line(src_copy / "aerosync" / "schedule" / "guards.py", "import aerosync.schedule.in_flight")
    result = lint_imports(src_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken(result, CYCLES_CONTRACT), result.stdout
    assert "No cycles are allowed in aerosync.schedule." in result.stdout
