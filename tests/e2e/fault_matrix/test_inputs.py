"""Fault-matrix rows for inputs that cannot be right (issue 14, build item 7), through the shared
real Airflow:

* a company whose schedule is a 6-field cron (`*/5 * * * * */10`, which croniter reads as every
  10 seconds) is refused: no `schedule_upload__<id>` DAG, the `aerosync_config_problems` DAG names
  it with the reason, and the other companies' DAGs load;
* a training CSV whose header names a column twice fails the training sync's extract of that
  source, naming the file and the column; nothing of the window is loaded or quarantined (the
  whole file is in doubt, not single rows, so the run fails rather than quarantining rows: the
  user fixes the export and re-runs the window). With the file fixed, the same window loads.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from aerosync.airflow.crew_tasks import TRAINING_CRON
from aerosync.crew.sources import last_complete_window
from tests.e2e.fault_matrix.support import FaultEnv, FaultSetup

pytestmark = pytest.mark.integration
SIX_FIELDS = "inputs_six_field_cron"
FIVE_FIELDS = "inputs_five_field_cron"
TRAINING = "inputs_training_csv"
TRAINING_DAG = f"training_sync__{TRAINING}"
STATEMENT_HEADER = (
    "statement_id", "employee_id", "course_id", "module_id", "verb", "success", "score",
    "completed_at", "stored_at",
)  # fmt: skip
EMPLOYEES = ("E101", "E102", "E103")


def _drops(setup: FaultSetup) -> Path:
    return setup.workdir / "inputs_training"


def _company(company_id: str, name: str, schedule: str, **more: Any) -> dict[str, Any]:
    return {
        "id": company_id,
        "name": name,
        "schedule": schedule,
        "marketplace_conn_id": f"avinode_{company_id}",
        "fms": {"conn_id": f"fms_{company_id}", "dialect": "reference"},
        **more,
    }


def fault_setup(setup: FaultSetup) -> None:
    setup.add_company(_company(SIX_FIELDS, "Seconds Air", "*/5 * * * * */10"))
    setup.add_company(_company(FIVE_FIELDS, "Minutes Air", "*/15 * * * *"))
    drops = _drops(setup)
    for folder in ("hris", "statements"):
        (drops / folder).mkdir(parents=True, exist_ok=True)
    _write(
        drops / "hris" / "employees.csv",
        ("employee_id", "name", "role", "base", "employment_status", "hired_on", "left_on",
         "effective_from"),
        [[e, f"Pilot {e}", "CPT", "LSGG", "active", "2024-01-02", "", "2024-01-02"]
         for e in EMPLOYEES],
    )  # fmt: skip
    setup.add_company(
        _company(
            TRAINING,
            "Training Drops Air",
            "*/15 * * * *",
            training={
                "records": {
                    "hris": {"csv": str(drops / "hris")},
                    "statements": {"csv": str(drops / "statements")},
                    "course_validity_days": {"CRM": 365},
                }
            },
        )
    )


def _write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _statements(now: datetime) -> list[list[str]]:
    """Completions stored inside the window a manual run reads (the last complete day)."""
    window = last_complete_window(TRAINING_CRON, now)
    stored = window.start + timedelta(hours=7)
    at = stored.isoformat().replace("+00:00", "Z")
    return [
        [f"st-{n}", employee, "CRM", "", "passed", "true", "0.9", at, at]
        for n, employee in enumerate(EMPLOYEES)
    ]


def _training_rows(faults: FaultEnv) -> dict[str, int]:
    engine = faults.engine()
    counts = {}
    with engine.connect() as conn:
        for table in (
            "training_employee_versions", "training_records", "training_quarantine",
            "training_audit",
        ):  # fmt: skip
            counts[table] = int(
                conn.execute(
                    sa.text(f"SELECT COUNT(*) FROM {table} WHERE company = :c"), {"c": TRAINING}
                ).scalar_one()
            )
    engine.dispose()
    return counts


def _settle(faults: FaultEnv) -> None:
    """Unpausing the DAG also schedules the latest window: let every run of it end."""
    for run in faults.runtime.dag_runs(TRAINING_DAG):
        faults.runtime.wait_for_run(TRAINING_DAG, run["dag_run_id"], timeout=300)


def test_a_six_field_cron_refuses_only_its_company(faults: FaultEnv) -> None:
    problems = faults.runtime.wait_for_dag("aerosync_config_problems")
    assert faults.runtime.wait_for_dag(f"schedule_upload__{FIVE_FIELDS}")["dag_id"]
    response = faults.runtime.api("GET", f"/dags/schedule_upload__{SIX_FIELDS}", check=False)
    assert response.status_code == 404, response.text[:300]
    details = faults.runtime.get("/dags/aerosync_config_problems/details")
    listed = [line for line in details["doc_md"].splitlines() if SIX_FIELDS in line]
    assert len(listed) == 1, details["doc_md"]
    assert "schedule" in listed[0] and "has 6 fields" in listed[0], listed[0]
    assert "exactly 5" in listed[0] and "seconds" in listed[0], listed[0]
    assert FIVE_FIELDS not in details["doc_md"]
    assert problems["is_paused"] is not None  # listed, never scheduled


def test_a_training_csv_repeating_a_column_fails_its_extract_and_loads_nothing(
    faults: FaultEnv,
) -> None:
    drops = _drops(faults.setup)
    completions = drops / "statements" / "completions.csv"
    rows = [[*row, "E999"] for row in _statements(datetime.now(UTC))]
    _write(completions, (*STATEMENT_HEADER, "employee_id"), rows)

    result = faults.run(TRAINING_DAG)
    _settle(faults)
    assert result.state == "failed", result.states()
    assert result.states()["extract_statements"] == "failed", result.states()
    assert result.states()["extract_hris"] == "success", result.states()
    assert result.states()["validate"] == "upstream_failed", result.states()
    assert result.states()["load"] == "upstream_failed", result.states()
    log = faults.runtime.task_log(TRAINING_DAG, result.run_id, "extract_statements")
    assert f"company {TRAINING}, source statements" in log, log[-2000:]
    assert "'completions.csv'" in log and "'employee_id' more than once" in log, log[-2000:]
    # Nothing of the window is loaded, quarantined or audited; no part of the file stays staged.
    assert _training_rows(faults) == {
        "training_employee_versions": 0, "training_records": 0, "training_quarantine": 0,
        "training_audit": 0,
    }  # fmt: skip
    engine = faults.engine()
    with engine.connect() as conn:
        staged = conn.execute(
            sa.text("SELECT COUNT(*) FROM staged_data WHERE company = :c AND stage = :s"),
            {"c": TRAINING, "s": "training_mapped:statements"},
        ).scalar_one()
    engine.dispose()
    assert staged == 0

    # The export fixed: the same window loads, every completion once.
    _write(completions, STATEMENT_HEADER, _statements(datetime.now(UTC)))
    fixed = faults.run(TRAINING_DAG)
    _settle(faults)
    assert fixed.state == "success", fixed.states()
    loaded = _training_rows(faults)
    assert loaded["training_employee_versions"] == len(EMPLOYEES)
    assert loaded["training_records"] == len(EMPLOYEES)
    assert loaded["training_quarantine"] == 0
    # The error names file and column, and nothing else leaks: no secret of any connection of
    # the matrix is in these runs' logs (tasks that never ran have none), XCom, store or page.
    faults.assert_no_secrets([result, fixed])
