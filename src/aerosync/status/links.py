"""Where a status record's run and task log are in the Airflow 3 UI.

The UI's routes (airflow/ui/src/router.tsx, in the installed dist as well): a run's grid is
`dags/{dag_id}/runs/{run_id}`, a task instance's log `.../tasks/{task_id}`, a mapped one's
`.../tasks/{task_id}/mapped/{map_index}`, and the list of a mapped task's instances
`.../tasks/{task_id}/mapped`. Paths are relative to the UI's root (`ui_root`, "" when Airflow is
served at "/"); the page lives in an iframe of that UI, so links open with `target="_top"`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from aerosync.config.companies import UPLOAD_DAG_PREFIX
from aerosync.models import Outcome
from aerosync.stores.status_records import RealAttempt, StatusRecord

# The schedule-upload DAG's tasks (aerosync.airflow.dag_factory builds them with these ids).
BUILD_TASK = "build_schedules"
UPLOAD_TASK = "upload"
RECORD_TASK = "record_status"

# Who writes a record without an upload task's map index: a hold is decided by the build step
# (validation, a failed source, a guard), the rest of them by `record_status`.
_WRITTEN_BY_UPLOAD = frozenset(
    {
        Outcome.UPLOADED,
        Outcome.UPLOADED_WITH_ERRORS,
        Outcome.FAILED,
        Outcome.UNKNOWN,
        Outcome.IN_FLIGHT,
        Outcome.SKIPPED,
    }
)


@dataclass(frozen=True)
class RunLinks:
    run: str  # the run's grid
    log: str  # the log of the task that decided the record
    log_task: str  # that task, as people read it: "upload #2", "build_schedules"


def _quoted(text: str) -> str:
    return quote(text, safe="")


def run_url(ui_root: str, dag_id: str, run_id: str) -> str:
    return f"{ui_root}/dags/{_quoted(dag_id)}/runs/{_quoted(run_id)}"


def task_url(
    ui_root: str, dag_id: str, run_id: str, task_id: str, map_index: int | None = None
) -> str:
    base = f"{run_url(ui_root, dag_id, run_id)}/tasks/{_quoted(task_id)}"
    return base if map_index is None else f"{base}/mapped/{map_index}"


def _links(
    ui_root: str, company: str, run_id: str, outcome: Outcome, map_index: int | None
) -> RunLinks:
    dag_id = f"{UPLOAD_DAG_PREFIX}{company}"
    run = run_url(ui_root, dag_id, run_id)
    if map_index is not None:
        log = task_url(ui_root, dag_id, run_id, UPLOAD_TASK, map_index)
        return RunLinks(run, log, f"{UPLOAD_TASK} #{map_index}")
    if outcome in _WRITTEN_BY_UPLOAD:  # an older record: the list of the upload's instances
        instances = f"{task_url(ui_root, dag_id, run_id, UPLOAD_TASK)}/mapped"
        return RunLinks(run, instances, UPLOAD_TASK)
    task = BUILD_TASK if outcome is Outcome.HELD else RECORD_TASK
    return RunLinks(run, task_url(ui_root, dag_id, run_id, task), task)


def record_links(record: StatusRecord, ui_root: str = "") -> RunLinks:
    """The run of `record` and the log of the task instance that decided it."""
    return _links(ui_root, record.company, record.run_id, record.outcome, record.upload_map_index)


def data_docs_url(company: str) -> str:
    """The company's Data Docs site as the plugin serves it (`/aerosync/data-docs/...`),
    relative to the pages (`/aerosync/status`, `/aerosync/crew`): GX's index, latest run first."""
    return f"data-docs/{_quoted(company)}/index.html"


def real_attempt_links(company: str, real: RealAttempt, ui_root: str = "") -> RunLinks:
    """The same for a skip's last real attempt."""
    try:
        outcome = Outcome(real.outcome)
    except ValueError:
        outcome = Outcome.FAILED
    return _links(ui_root, company, real.run_id, outcome, real.upload_map_index)
