"""The whole DagBag: no import errors, and every DAG follows the house policy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.dags
REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / "include" / "config" / "companies.yaml"


@pytest.fixture(autouse=True)
def demo_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's companies, named explicitly: without AEROSYNC_CONFIG there are none."""
    monkeypatch.setenv("AEROSYNC_CONFIG", str(DEMO_CONFIG))


@pytest.fixture(scope="module")
def dagbag():  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AEROSYNC_CONFIG", str(DEMO_CONFIG))
        return DagBag(dag_folder=str(REPO / "dags"))


def test_no_import_errors(dagbag) -> None:  # type: ignore[no-untyped-def]
    assert dagbag.import_errors == {}


def test_one_upload_dag_per_demo_company(dagbag) -> None:  # type: ignore[no-untyped-def]
    ids = sorted(d for d in dagbag.dag_ids if d.startswith("schedule_upload__"))
    assert ids == ["schedule_upload__alpine_jets", "schedule_upload__skyway_charter"]


def test_policy(dagbag) -> None:  # type: ignore[no-untyped-def]
    for dag_id, dag in dagbag.dags.items():
        assert dag.doc_md, dag_id
        assert dag.tags and "aerosync" in dag.tags, dag_id
        assert dag.catchup is False, dag_id
        assert dag.max_active_runs == 1, dag_id
        for task in dag.tasks:
            assert task.retries == 0, f"{dag_id}.{task.task_id}"
            assert task.owner and task.owner != "airflow", f"{dag_id}.{task.task_id}"
            # Rule 6: every task has an execution timeout, so no source keeps a company waiting.
            assert task.execution_timeout is not None, f"{dag_id}.{task.task_id}"
            assert task.execution_timeout.total_seconds() > 0, f"{dag_id}.{task.task_id}"


def test_upload_dag_shape(dagbag) -> None:  # type: ignore[no-untyped-def]
    dag = dagbag.dags["schedule_upload__skyway_charter"]
    assert [t.task_id for t in dag.topological_sort()] == [
        "build_schedules",
        "upload",
        "record_status",
    ]
    assert dag.get_task("upload").upstream_task_ids == {
        "build_schedules"
    }  # mapped over its batches
    assert dag.timetable.expression == "*/15 * * * *"
    assert dag.get_task("record_status").trigger_rule == "all_done"


def test_training_dag_shape(dagbag) -> None:  # type: ignore[no-untyped-def]
    dag = dagbag.dags["training_sync__alpine_jets"]
    from airflow.sdk import AssetOrTimeSchedule, CronDataIntervalTimetable

    # Real data intervals (not a trigger timetable): each run reads its own window; the demo
    # company's events (training.records.events) also start it, through its crew-events asset.
    assert isinstance(dag.timetable, AssetOrTimeSchedule)
    daily = dag.timetable.timetable
    assert isinstance(daily, CronDataIntervalTimetable)
    assert daily.expression == "0 3 * * *"
    assert dag.max_active_runs == 1
    assert "training-sync" in dag.tags and "company:alpine_jets" in dag.tags
    assert [t.task_id for t in dag.topological_sort()][-2:] == ["retention", "finish"]
    assert {t.task_id for t in dag.tasks} == {
        "extract_hris", "extract_courses", "extract_statements", "extract_qualifications",
        "extract_ebt_gradings", "extract_flights", "extract_roster", "validate", "load",
        "export_status", "export_regulatory", "post_ebt", "retention", "finish",
    }  # fmt: skip
    assert dag.get_task("validate").upstream_task_ids == {
        "extract_hris", "extract_courses", "extract_statements", "extract_qualifications",
        "extract_ebt_gradings", "extract_flights", "extract_roster",
    }  # fmt: skip
    assert "`extract_flights` reads the crew on the legs flown" in (dag.doc_md or "")
    assert dag.get_task("retention").upstream_task_ids == {
        "export_status", "export_regulatory", "post_ebt",
    }  # fmt: skip
    assert dag.get_task("export_regulatory").upstream_task_ids == {"load"}
    # Readiness is a DAG of its own, run when the tables it reads are loaded (test_asset_dags).
    assert "crew_readiness__alpine_jets" in dagbag.dag_ids
    # Only companies with training.records get one.
    assert "training_sync__skyway_charter" not in dagbag.dag_ids


def test_dag_file_does_not_import_pandas_or_gx_at_parse_time() -> None:
    code = (
        "import sys, runpy; runpy.run_path(sys.argv[1]);"
        "bad = [m for m in ('pandas', 'great_expectations', 'requests_toolbelt', 'sqlalchemy.orm')"
        " if m in sys.modules and m != 'sqlalchemy.orm'];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(REPO / "dags" / "aerosync_dags.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    heavy = [m for m in out.stdout.strip().split(",") if m]
    assert "great_expectations" not in heavy
    assert "pandas" not in heavy


def test_broken_company_does_not_stop_the_others(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    config = tmp_path / "companies.yaml"
    config.write_text(
        """
companies:
  - id: good_co
    name: Good
    schedule: "10m"
    marketplace_conn_id: avinode_good
    fms: {conn_id: fms_good, dialect: reference}
  - id: fast_co
    name: Too Fast
    schedule: "*/1 * * * *"
    marketplace_conn_id: avinode_fast
    fms: {conn_id: fms_fast, dialect: reference}
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("AEROSYNC_CONFIG", str(config))
    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    assert "schedule_upload__good_co" in bag.dag_ids
    assert "schedule_upload__fast_co" not in bag.dag_ids
    problems = bag.dags["aerosync_config_problems"]
    assert "fast_co" in problems.doc_md and "5 minutes" in problems.doc_md


def test_a_training_task_parses_only_its_own_dag(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "training_sync__alpine_jets")
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_TASK_ID", "validate")
    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    assert sorted(bag.dag_ids) == ["training_sync__alpine_jets"]


def test_execution_timeouts_come_from_the_company_config() -> None:
    from datetime import timedelta

    from aerosync.airflow.crew_dag import build_training_dag
    from aerosync.airflow.dag_factory import build_upload_dag
    from tests.conftest import make_company

    company = make_company(
        task_timeout_minutes=7,
        training={"records": {"hris": {"csv": "/tmp/hris"}, "task_timeout_minutes": 11}},
    )
    upload = build_upload_dag(company)
    assert {t.execution_timeout for t in upload.tasks} == {timedelta(minutes=7)}
    training = build_training_dag(company)
    assert training is not None
    assert {t.execution_timeout for t in training.tasks} == {timedelta(minutes=11)}
    assert make_company().task_timeout == timedelta(minutes=30)  # the default


def test_a_company_with_alerts_gets_a_crew_alert_task_beside_the_chain() -> None:
    """The alert runs whatever happened to the extracts and the gate (`all_done`) and is not
    upstream of `finish`, so a failed source still fails the run."""
    from aerosync.airflow.crew_dag import build_training_dag
    from tests.conftest import make_company

    records = {"hris": {"csv": "/tmp/hris"}, "qualifications": {"csv": "/tmp/q"}}
    company = make_company(alerts={"webhook_conn_id": "slack_ops"}, training={"records": records})
    dag = build_training_dag(company)
    assert dag is not None
    alert = dag.get_task("alert")
    assert alert.trigger_rule == "all_done" and alert.retries == 0
    assert alert.upstream_task_ids == {"extract_hris", "extract_qualifications", "validate"}
    assert alert.downstream_task_ids == set()
    assert "The task `alert` tells" in (dag.doc_md or "")
    quiet = build_training_dag(make_company(training={"records": records}))
    assert quiet is not None and "alert" not in quiet.task_ids


def test_every_task_carries_its_company_queue_pool_and_priority(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """`queue`, `pool`, `priority_weight` (and the execution timeout) of the companies file reach
    every task of both DAGs: the crew sync's own where set, else the company's."""
    from airflow.dag_processing.dagbag import DagBag

    config = tmp_path / "companies.yaml"
    config.write_text(
        """
companies:
  - id: east_co
    name: East
    schedule: "10m"
    marketplace_conn_id: avinode_east
    fms: {conn_id: fms_east, dialect: reference}
    queue: fms_east
    pool: shared_pool
    priority_weight: 7
    training:
      records: {hris: {csv: /drops/hris}, queue: crew, priority_weight: 3}
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("AEROSYNC_CONFIG", str(config))
    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    expected = {
        "schedule_upload__east_co": ("fms_east", "shared_pool", 7),
        "training_sync__east_co": ("crew", "shared_pool", 3),
    }
    for dag_id, placement in expected.items():
        tasks = bag.dags[dag_id].tasks
        assert {(t.queue, t.pool, t.priority_weight) for t in tasks} == {placement}, dag_id


def test_the_demo_dags_carry_their_company_placement(dagbag) -> None:  # type: ignore[no-untyped-def]
    from aerosync.config.companies_file import load_config

    for company in load_config().companies:
        for dag_id in (company.dag_id, company.crew_dag_id):
            placement = (
                company.task_placement()
                if dag_id == company.dag_id
                else company.crew_task_placement()
            )
            for task in getattr(dagbag.dags.get(dag_id), "tasks", []):
                assert task.priority_weight == placement["priority_weight"], task
                assert task.queue == placement.get("queue", "default"), task
                assert task.pool == placement.get("pool", "default_pool"), task


def test_maintenance_dag_purges_daily_with_the_files_rules(dagbag) -> None:  # type: ignore[no-untyped-def]
    from aerosync.config.retention import Retention

    dag = dagbag.dags["aerosync_maintenance"]
    assert dag.timetable.expression == "0 0 * * *"  # @daily
    assert "maintenance" in dag.tags
    (task,) = dag.tasks
    assert task.task_id == "purge_old_rows"
    assert task.op_kwargs == {"retention": Retention().model_dump()}  # the demo file sets none
