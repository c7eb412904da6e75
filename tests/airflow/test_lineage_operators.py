"""The OpenLineage provider and AeroSync's operators: off without a transport; on, the crew steps
are asked for their own datasets (not the PythonOperator's source code), and the task facets the
provider adds by itself carry no `op_kwargs` or other operator arguments."""

from __future__ import annotations

import json

import pytest
from airflow.providers.openlineage import conf as ol_conf
from airflow.providers.openlineage.extractors.base import DefaultExtractor
from airflow.providers.openlineage.extractors.manager import ExtractorManager
from airflow.providers.openlineage.utils.utils import TaskInfo
from airflow.sdk import DAG

from aerosync.airflow.crew_operator import CrewStepOperator
from aerosync.airflow.crew_tasks import load
from aerosync.airflow.operators import BuildSchedulesOperator, UploadSchedulesOperator

pytestmark = pytest.mark.airflow
PLANTED = "Planted Person"


def _without_lineage_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith(("AIRFLOW__OPENLINEAGE__", "OPENLINEAGE_")):
            monkeypatch.delenv(key)


def test_provider_is_off_without_a_transport_and_on_with_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_lineage_env(monkeypatch)
    assert ol_conf.is_disabled()
    transport = {"type": "file", "log_file_path": "/tmp/ol.jsonl", "append": True}
    monkeypatch.setenv("AIRFLOW__OPENLINEAGE__TRANSPORT", json.dumps(transport))
    assert not ol_conf.is_disabled()
    assert not ol_conf.include_full_task_info()  # op_kwargs stay out of the task facets


def test_aerosync_operators_get_the_default_extractor_and_leak_no_arguments() -> None:
    with DAG("lineage_probe", schedule=None):
        crew = CrewStepOperator(
            task_id="load",
            python_callable=load,
            op_kwargs={"company_id": "alpine_jets", "sources": ["hris"], "probe": PLANTED},
        )
        build = BuildSchedulesOperator(task_id="build_schedules", company_id="alpine_jets")
        upload = UploadSchedulesOperator(
            task_id="upload",
            company_id="alpine_jets",
            batch={"batch": 0, "tails": ["N1"], "label": PLANTED},
        )
    manager = ExtractorManager()
    for task in (crew, build, upload):
        assert manager.get_extractor_class(task) is DefaultExtractor, task.task_id
        facet = json.dumps(TaskInfo(task), default=str)
        assert PLANTED not in facet, task.task_id
        assert "op_kwargs" not in facet and "batch" not in facet
