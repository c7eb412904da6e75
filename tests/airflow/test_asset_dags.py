"""The DAG folder's assets: every output task has its outlet, and each company's readiness DAG is
scheduled on the crew-table assets it reads, as its companies-file entry configures them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aerosync.airflow import assets

pytestmark = pytest.mark.dags
REPO = Path(__file__).resolve().parents[2]
CONFIG = """
companies:
  - id: full_co
    name: Full
    schedule: "10m"
    marketplace_conn_id: avinode_full
    fms: {conn_id: fms_full, dialect: reference}
    training:
      records:
        hris: {csv: /drops/hris}
        statements: {csv: /drops/statements}
        qualifications: {csv: /drops/qualifications}
        ebt_gradings: {csv: /drops/ebt}
        flights: {}
        roster: {csv: /drops/roster}
        export_to: /exports/status
        post_ebt_to: {conn_id: lrs_full}
        readiness: {export_to: /exports/readiness}
        queue: crew
        priority_weight: 3
  - id: roster_co
    name: Roster Only
    schedule: "10m"
    marketplace_conn_id: avinode_roster
    fms: {conn_id: fms_roster, dialect: reference}
    training:
      records:
        roster: {csv: /drops/roster}
        readiness: {export_to: /exports/readiness}
  - id: quals_co
    name: Qualifications, no readiness
    schedule: "10m"
    marketplace_conn_id: avinode_quals
    fms: {conn_id: fms_quals, dialect: reference}
    training:
      records: {qualifications: {csv: /drops/q}}
"""


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    config = tmp_path_factory.mktemp("assets") / "companies.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AEROSYNC_CONFIG", str(config))
        bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    return bag


def _uris(task: Any) -> list[str]:
    return [outlet.uri for outlet in task.outlets]


def _crew(company: str, *tables: str) -> list[str]:
    return [f"aerosync://{company}/crew/{table}" for table in tables]


def test_every_output_task_has_its_outlet(dagbag: Any) -> None:
    for company in ("full_co", "roster_co", "quals_co"):
        upload = dagbag.dags[f"schedule_upload__{company}"]
        assert _uris(upload.get_task("record_status")) == [
            f"aerosync://{company}/marketplace/schedules"
        ]
        assert _uris(upload.get_task("upload")) == [] == _uris(upload.get_task("build_schedules"))
    crew = dagbag.dags["training_sync__full_co"]
    assert _uris(crew.get_task("load")) == _crew(
        "full_co",
        "training_employee_versions", "training_records", "training_enrolments",
        "training_qualifications", "training_ebt_gradings", "training_leg_crew",
        "training_roster",
    )  # fmt: skip
    assert _uris(crew.get_task("export_status")) == ["aerosync://full_co/exports/training_status"]
    assert _uris(crew.get_task("post_ebt")) == ["aerosync://full_co/exports/ebt_results"]
    assert "export_readiness" not in crew.task_ids
    outputs = {"load", "export_status", "post_ebt"}
    assert {t.task_id for t in crew.tasks if t.outlets} == outputs
    quals = dagbag.dags["training_sync__quals_co"]
    assert _uris(quals.get_task("load")) == _crew("quals_co", "training_qualifications")
    readiness = dagbag.dags["crew_readiness__full_co"]
    assert [t.task_id for t in readiness.tasks] == ["export_readiness"]
    assert _uris(readiness.get_task("export_readiness")) == ["aerosync://full_co/exports/readiness"]


def test_readiness_is_scheduled_on_the_tables_it_reads_of_each_company(dagbag: Any) -> None:
    full = dagbag.dags["crew_readiness__full_co"]
    assert type(full.timetable).__name__ == "AssetTriggeredTimetable"  # the task SDK's
    condition = full.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"  # any of them: `|`
    assert [a.uri for a in condition.objects] == _crew(
        "full_co",
        "training_employee_versions", "training_records", "training_qualifications",
        "training_ebt_gradings", "training_leg_crew",
    )  # fmt: skip
    # What the crew DAG's load writes is what readiness listens to: the same assets.
    loaded = set(dagbag.dags["training_sync__full_co"].get_task("load").outlets)
    assert set(condition.objects) <= loaded
    # A company whose sources readiness reads none of: any load of a new window.
    roster = dagbag.dags["crew_readiness__roster_co"].timetable.asset_condition
    assert roster == assets.crew_table_asset("roster_co", "training_roster")
    assert "crew_readiness__quals_co" not in dagbag.dag_ids  # no readiness configured
    assert full.max_active_runs == 1 and full.catchup is False
    assert "readiness" in full.tags and "company:full_co" in full.tags
    assert "aerosync://full_co/crew/<table>" in (full.doc_md or "")
    task = full.get_task("export_readiness")
    assert task.retries == 0 and (task.queue, task.priority_weight) == ("crew", 3)


def test_the_crew_dag_doc_says_where_readiness_went(dagbag: Any) -> None:
    doc = dagbag.dags["training_sync__full_co"].doc_md or ""
    assert "exported by the DAG `crew_readiness__full_co`" in doc


def test_a_readiness_task_parses_only_its_own_dag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    config = tmp_path / "companies.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("AEROSYNC_CONFIG", str(config))
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "crew_readiness__full_co")
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_TASK_ID", "export_readiness")
    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    assert sorted(bag.dag_ids) == ["crew_readiness__full_co"]
