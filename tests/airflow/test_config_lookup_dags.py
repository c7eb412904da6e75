"""Where the DAG file finds its companies file, and what the Airflow UI shows when there is none,
or when companies load with warnings: the `aerosync_config_problems` DAG."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.dags
REPO = Path(__file__).resolve().parents[2]
GOOD = {
    "id": "beside_co",
    "name": "Beside Co",
    "schedule": "10m",
    "marketplace_conn_id": "avinode_beside",
    "fms": {"conn_id": "fms_beside", "dialect": "reference"},
}


def _dag_folder(tmp_path: Path, companies: list[dict[str, object]] | None = None) -> Path:
    """A DAG folder holding a copy of the shipped DAG file, and a companies file beside it."""
    folder = tmp_path / "dags"
    folder.mkdir()
    shutil.copy(REPO / "dags" / "aerosync_dags.py", folder / "aerosync_dags.py")
    if companies is not None:
        text = yaml.safe_dump({"companies": companies})
        (folder / "aerosync_companies.yaml").write_text(text, encoding="utf-8")
    return folder


def _bag(folder: Path):  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(folder))
    assert bag.import_errors == {}
    return bag


def test_no_config_anywhere_gives_only_the_problems_dag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AEROSYNC_CONFIG", raising=False)
    folder = _dag_folder(tmp_path)
    bag = _bag(folder)
    assert sorted(bag.dag_ids) == ["aerosync_config_problems"]  # never the demo's companies
    problems = bag.dags["aerosync_config_problems"]
    assert "no companies file" in problems.doc_md
    assert "AEROSYNC_CONFIG" in problems.doc_md and str(folder) in problems.doc_md
    assert "config-problem" in problems.tags
    report = problems.get_task("report_problems")
    with pytest.raises(ValueError, match="no companies file"):
        report.python_callable(["company '*': no companies file"], [])


def test_the_companies_file_beside_the_dag_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AEROSYNC_CONFIG", raising=False)
    bag = _bag(_dag_folder(tmp_path, [GOOD]))
    assert sorted(bag.dag_ids) == ["aerosync_maintenance", "schedule_upload__beside_co"]


def test_aerosync_config_comes_before_the_file_beside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _dag_folder(tmp_path, [GOOD])
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(yaml.safe_dump({"companies": [{**GOOD, "id": "env_co"}]}))
    monkeypatch.setenv("AEROSYNC_CONFIG", str(elsewhere))
    assert sorted(_bag(folder).dag_ids) == ["aerosync_maintenance", "schedule_upload__env_co"]


def test_warnings_show_on_the_problems_dag_whose_task_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AEROSYNC_CONFIG", raising=False)
    merged = {"PAX": "Flight", "FERRY": "Flight", "EMPTY_LEG": "Flight"}
    slow = {**GOOD, "schedule": "0 3 * * *", "activity_types": merged}
    bag = _bag(_dag_folder(tmp_path, [slow]))
    assert sorted(bag.dag_ids) == [
        "aerosync_config_problems",
        "aerosync_maintenance",
        "schedule_upload__beside_co",
    ]
    problems = bag.dags["aerosync_config_problems"]
    assert "config-warning" in problems.tags and "config-problem" not in problems.tags
    assert "Refused" not in problems.doc_md
    assert "24 hours between uploads" in problems.doc_md
    assert "PAX, FERRY and EMPTY_LEG all become type 'Flight'" in problems.doc_md
    report = problems.get_task("report_problems")
    report.python_callable([], ["company 'beside_co': schedule ..."])  # does not raise
    assert "warning: company 'beside_co'" in capsys.readouterr().out


def test_a_team_repositorys_dialect_is_known_to_the_dag_files_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.config.team_repository import team_repository

    for name in ("AEROSYNC_CONFIG", "AEROSYNC_SQL_PATH", "AEROSYNC_EXPECTATIONS_PATH"):
        monkeypatch.delenv(name, raising=False)
    acme = {**GOOD, "id": "acme_air", "fms": {"conn_id": "fms_acme", "dialect": "acme_fms"}}
    team = team_repository(tmp_path / "team", [acme])
    # No problems DAG: the company and the maintenance DAG every companies file brings.
    assert sorted(_bag(team.dags).dag_ids) == ["aerosync_maintenance", "schedule_upload__acme_air"]
