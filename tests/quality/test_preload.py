"""Only the scheduler and Celery workers preload the validation stack; every other Airflow
process stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = (
    "import sys\n"
    "from aerosync.quality.preload import preload_in_scheduler\n"
    "assert 'great_expectations' not in sys.modules\n"
    "done = preload_in_scheduler({argv!r})\n"
    "from aerosync.airports import _tables\n"
    "print(len(done), 'great_expectations' in sys.modules, 'pandas' in sys.modules,\n"
    "      _tables.cache_info().currsize == 1)\n"
)


pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["airflow", "scheduler", "--skip-serve-logs"], "13 True True True"),
        (["airflow", "celery", "worker", "--concurrency", "2"], "13 True True True"),
        (["airflow", "celery", "flower"], "0 False False False"),
        (["airflow", "dag-processor"], "0 False False False"),
        (["airflow", "api-server", "--port", "8080"], "0 False False False"),
        (["airflow", "dags", "trigger", "scheduler"], "0 False False False"),
        (["airflow"], "0 False False False"),
    ],
)
def test_preload_only_in_the_scheduler(argv: list[str], expected: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.split("\n")[-2] == expected, out.stdout + out.stderr


@pytest.mark.unit
def test_the_preloading_process_is_named_for_the_task_log() -> None:
    from aerosync.quality.preload import CELERY_WORKER, SCHEDULER, preloading_process

    assert preloading_process(["airflow", "scheduler"]) == SCHEDULER
    assert preloading_process(["/venv/bin/airflow", "celery", "worker", "-q", "x"]) == CELERY_WORKER
    assert preloading_process(["airflow", "celery", "stop"]) is None
    assert preloading_process(["airflow", "tasks", "run"]) is None


def test_the_scheduler_compiles_the_data_docs_templates_for_its_tasks() -> None:
    probe = (
        "from aerosync.quality.preload import preload_in_scheduler\n"
        "preload_in_scheduler(['airflow', 'scheduler'])\n"
        "from aerosync.quality import data_docs_views as views\n"
        "print(sorted(len(env.cache) > 20 for env in views._ENVIRONMENTS.values()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split("\n")[-2] == "[True, True]", out.stdout + out.stderr
