"""The DAG file with a companies folder (one file per company) and with a big companies file: the
folder's parse makes every company's DAG, a task's parse only its own, and a broken company file
is listed by `aerosync_config_problems` while the others load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.config.test_company_slice import _companies, _hand_written

pytestmark = pytest.mark.dags
REPO = Path(__file__).resolve().parents[2]


def _folder(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    (folder / "_defaults.yaml").write_text("defaults: {owner: ops_team}\n", encoding="utf-8")
    for entry in _companies(count):
        keys = {k: v for k, v in entry.items() if k not in ("id", "training")}
        (folder / f"{entry['id']}.yaml").write_text(yaml.safe_dump(keys), encoding="utf-8")
    return folder


def _bag(dag_folder: Path):  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(dag_folder))


def test_the_folder_parse_makes_every_companys_dag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path / "companies", 6)
    (folder / "op_0004.yaml").write_text("name: Broken\nschedule: '*/1 * * * *'\n")
    monkeypatch.setenv("AEROSYNC_CONFIG", str(folder))
    bag = _bag(REPO / "dags")
    assert bag.import_errors == {}
    uploads = sorted(d for d in bag.dag_ids if d.startswith("schedule_upload__"))
    assert uploads == [f"schedule_upload__op_000{i}" for i in (0, 1, 2, 3, 5)]
    assert {t.owner for t in bag.dags["schedule_upload__op_0000"].tasks} == {"ops_team"}
    problems = bag.dags["aerosync_config_problems"].doc_md
    assert "op_0004" in problems and str(folder) in problems


def test_a_tasks_parse_makes_only_its_dag_from_the_folder_beside_the_dag_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dags = tmp_path / "dags"
    dags.mkdir()
    shutil.copy(REPO / "dags" / "aerosync_dags.py", dags)
    _folder(dags / "aerosync_companies", 4)
    monkeypatch.delenv("AEROSYNC_CONFIG", raising=False)
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "schedule_upload__op_0002")
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_TASK_ID", "upload")
    bag = _bag(dags)
    assert bag.import_errors == {}
    assert sorted(bag.dag_ids) == ["schedule_upload__op_0002"]


def test_a_tasks_parse_of_a_big_file_makes_its_dag_as_the_folder_parse_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "companies.yaml"
    config.write_text(_hand_written(_companies(300)), encoding="utf-8")
    monkeypatch.setenv("AEROSYNC_CONFIG", str(config))
    whole = _bag(REPO / "dags")
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "schedule_upload__op_0299")
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_TASK_ID", "upload")
    own = _bag(REPO / "dags")
    assert sorted(own.dag_ids) == ["schedule_upload__op_0299"]
    mine, theirs = own.dags["schedule_upload__op_0299"], whole.dags["schedule_upload__op_0299"]
    assert mine.doc_md == theirs.doc_md and mine.timetable == theirs.timetable
    assert [t.task_id for t in mine.tasks] == [t.task_id for t in theirs.tasks]


def test_a_tasks_parse_pauses_the_collector_and_gives_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from aerosync.airflow import dag_factory
    from aerosync.airflow.parsing import company_dags

    config = tmp_path / "companies.yaml"
    config.write_text(_hand_written(_companies(5)), encoding="utf-8")
    monkeypatch.setenv("AEROSYNC_CONFIG", str(config))
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "schedule_upload__op_0003")
    collecting: list[bool] = []
    real_load = dag_factory.load_config

    def load_config(**kwargs):  # type: ignore[no-untyped-def]
        collecting.append(gc.isenabled())
        return real_load(**kwargs)

    monkeypatch.setattr(dag_factory, "load_config", load_config)
    dags = company_dags(str(REPO / "dags" / "aerosync_dags.py"))
    assert list(dags) == ["schedule_upload__op_0003"]
    assert collecting == [False] and gc.isenabled()
