"""Smoke-size runs of every benchmark command, so the benchmarks never rot. They assert that
each ran and produced sane figures, never a timing target (those live in benchmarks/RESULTS.md)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_service
from tests.e2e.support import postgres_available, redis_available

pytestmark = pytest.mark.benchmark
REPO = Path(__file__).resolve().parents[2]


def bench(tmp_path: Path, script: str, *args: str, timeout: float = 600) -> dict[str, Any]:
    output = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, f"benchmarks/{script}", *args, "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(output.read_text())
    return result


def test_parse_benchmark(tmp_path: Path) -> None:
    result = bench(tmp_path, "bench_parse.py", "--companies", "20", "--runs", "2")
    # 20 companies' upload DAGs (the aerosync_maintenance DAG is not counted)
    assert result["folder"]["dags"] == 20 and result["folder"]["import_errors"] == 0
    assert result["task"]["dags"] == 1 and result["task"]["import_errors"] == 0
    assert result["task"]["median_s"] > 0 and result["folder"]["median_s"] > 0
    assert result["layout"] == "file" and result["folder"]["target_s"] == 2.0


def test_parse_benchmark_of_a_companies_folder(tmp_path: Path) -> None:
    """Issue 17: the same with one file per company; the code measured is named."""
    result = bench(
        tmp_path, "bench_parse.py", "--companies", "20", "--runs", "1", "--layout", "folder"
    )
    assert result["layout"] == "folder" and result["companies"] == 20
    assert result["folder"]["dags"] == 20 and result["task"]["dags"] == 1
    assert result["task"]["aerosync"].endswith("aerosync/__init__.py")
    assert len(result["task"]["samples_s"]) == 1 and result["task"]["median_s"] > 0


def test_pipeline_core_benchmark(tmp_path: Path) -> None:
    result = bench(
        tmp_path, "bench_pipeline_core.py", "--aircraft", "10", "--activities", "40", "--runs", "2"
    )
    assert result["activities_normalised"] == result["activities_extracted"] == 400
    assert result["aircraft_sendable"] == 10 and result["aircraft_held"] == 0
    assert result["activities_per_s"] > 0
    assert result["code"]["commit"] and result["machine"]["nproc"] >= 1


def test_end_to_end_big_with_floor_and_naive(tmp_path: Path) -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    result = bench(
        tmp_path,
        "bench_end_to_end.py",
        "big",
        "--aircraft", "4", "--activities", "12", "--runs", "1", "--naive",
    )  # fmt: skip
    assert result["states"] == ["success"] and result["naive"]["states"] == ["success"]
    tasks = result["tasks_of_median_run"]
    assert sorted(tasks) == ["build_schedules", "record_status", "upload"]
    assert tasks["upload"]["count"] == 1  # 4 aircraft: one batch
    assert result["naive"]["tasks"]["upload_one"]["count"] == 4  # one per aircraft
    assert result["work_s"]["median"] > 0 and result["idle_s"]["median"] >= 0
    assert 0 < result["task_cpu_s"]["median"] <= result["cpu_s"]["median"]
    assert result["floor_s"] > 0 and result["floor_sandbox_nagle_s"] > 0
    assert result["ours_over_floor"] > 0 and result["naive_over_ours_cpu"] > 0
    assert 50 < result["peak_rss_mb"]["median"] < 4096


def test_end_to_end_many_operators(tmp_path: Path) -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    result = bench(
        tmp_path,
        "bench_end_to_end.py",
        "many",
        "--companies", "3", "--aircraft", "3", "--activities", "10", "--runs", "1",
    )  # fmt: skip
    assert result["companies"] == 3 and result["states"] == ["success"]
    assert result["tasks_of_median_run"]["upload"]["count"] == 3  # one batch per company
    assert result["task_instances_per_run"] == 3 * 3  # build_schedules, upload, record_status
    assert result["wall_s"]["median"] > 0 and result["cpu_s_per_aircraft"] > 0


def test_steps_profile_in_one_process(tmp_path: Path) -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    result = bench(
        tmp_path, "profile_steps.py", "--aircraft", "4", "--activities", "12", "--runs", "1"
    )
    steps = result["steps_median_s"]
    assert result["outcomes_of_last_run"]["uploaded"] == 4
    assert steps["floor"] > 0 and steps["upload"] > 0
    parts = sum(steps[name] for name in steps if name not in ("total", "floor"))
    assert parts <= steps["total"] + 0.01


def test_executors_local_against_celery(tmp_path: Path) -> None:
    """The integrator-scale comparison at its smallest: both executors, one cycle each."""
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    result = bench(
        tmp_path,
        "bench_executors.py",
        "--companies", "2", "--aircraft", "2", "--activities", "10", "--runs", "1",
        "--settle", "2", "--cycle-timeout", "300",
    )  # fmt: skip
    local, celery = result["executors"]["local"], result["executors"]["celery"]
    for executor in (local, celery):
        assert executor["run_states"] == {"success": 2} and executor["timed_out_cycles"] == 0
        assert executor["task_instances"]["median"] == 2 * 3  # three tasks a company
        assert executor["aircraft_held_by_marketplace"] == [2 * 2]  # every aircraft sent
        assert 0 < executor["task_cpu_s"]["median"] < executor["cpu_s"]["median"]
        assert executor["cpu_s_per_company_run"]["median"] == pytest.approx(
            executor["cpu_s"]["median"] / 2, abs=0.01
        )
        assert executor["frozen_cpu_s_max"] < 0.5  # the other Airflow stayed frozen
        capacity = executor["capacity"]
        per_company = executor["cpu_s_per_company_run"]["median"]
        budget = 900 * result["machine"]["nproc"] * capacity["target_utilisation"]
        assert capacity["workers_for_target_by_cpu"] == math.ceil(5000 * per_company / budget)
    # Under Celery the tasks ran on the workers, whose CPU is counted; not so under Local.
    assert set(celery["hostnames"]) <= {"worker_a", "worker_b"}
    assert celery["cpu_by_component_s"]["worker_a"] + celery["cpu_by_component_s"]["worker_b"] > 0
    assert not set(local["hostnames"]) & {"worker_a", "worker_b"}
    assert "worker_a" not in local["cpu_by_component_s"]
    assert any("workers for 5000 companies = ceil(" in line for line in result["summary"])
