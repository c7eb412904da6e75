"""A row links to its run's grid and to the log of the task instance that decided it."""

from __future__ import annotations

import pytest

from aerosync.models import Outcome
from aerosync.status.links import real_attempt_links, record_links, run_url, task_url
from aerosync.stores.status_records import StatusRecord
from tests.conftest import NOW

pytestmark = pytest.mark.unit
RUN = "scheduled__2026-11-24T12:00:00+00:00"
DAG = "/dags/schedule_upload__skyway/runs/scheduled__2026-11-24T12%3A00%3A00%2B00%3A00"


def record(outcome: Outcome, map_index: int | None = None) -> StatusRecord:
    return StatusRecord("skyway", "N1", RUN, NOW, outcome, upload_map_index=map_index)


def test_the_airflow_3_routes() -> None:
    assert run_url("", "d", "r 1") == "/dags/d/runs/r%201"
    mapped = task_url("/airflow", "d", "r", "upload", 3)
    assert mapped == "/airflow/dags/d/runs/r/tasks/upload/mapped/3"
    assert task_url("", "d", "r", "record_status") == "/dags/d/runs/r/tasks/record_status"


def test_an_upload_record_opens_its_own_mapped_instance() -> None:
    links = record_links(record(Outcome.FAILED, 2))
    assert links.run == DAG
    assert links.log == f"{DAG}/tasks/upload/mapped/2" and links.log_task == "upload #2"
    skip = record_links(record(Outcome.SKIPPED, 0), ui_root="/airflow")
    assert skip.log == f"/airflow{DAG}/tasks/upload/mapped/0"


def test_records_of_other_tasks_open_their_task() -> None:
    assert record_links(record(Outcome.HELD)).log == f"{DAG}/tasks/build_schedules"
    assert record_links(record(Outcome.NOT_ATTEMPTED)).log == f"{DAG}/tasks/record_status"
    assert record_links(record(Outcome.NOT_MARKETED)).log == f"{DAG}/tasks/record_status"
    # written by an upload before the map index was recorded: the list of its instances
    assert record_links(record(Outcome.UPLOADED)).log == f"{DAG}/tasks/upload/mapped"


def test_a_skips_last_real_attempt_opens_that_runs_instance() -> None:
    real = record(Outcome.FAILED, 4).real_attempt()
    assert real.upload_map_index == 4
    links = real_attempt_links("skyway", real)
    assert links.log == f"{DAG}/tasks/upload/mapped/4"
