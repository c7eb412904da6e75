"""The crew DAG's `export_regulatory` task: the real callable in a task context, a real companies
file and a SQLite aerosync database holding what the demo's crew-sync run loads. XCom and the log
get counts and paths, never an employee id; a refusal fails the task, names the pilot and field,
is on the Crew sync page's run log, and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException
from airflow.sdk.execution_time.context import OutletEventAccessors, set_current_context
from sqlalchemy import Engine, text

from aerosync.airflow import regulatory_task
from aerosync.airflow.assets import regulatory_export_assets
from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import GRADINGS
from aerosync.demo.crew import CREW
from aerosync.demo.pilot_records import UNSAT_SESSION
from aerosync.stores.database import sqlite_engine
from tests.crew.test_regulatory_sqlite import COMPANY, RUN_WINDOW, _load_demo

pytestmark = pytest.mark.airflow
RUN_ID = "scheduled__regulatory"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    _load_demo(engine, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def exports(tmp_path: Path, store: Engine, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "regulatory"
    config = tmp_path / "companies.yaml"
    config.write_text(
        f"""
data_docs: {{location: "{tmp_path / "docs"}"}}
companies:
  - id: {COMPANY}
    name: Alpine Jets
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_alpine
    fms: {{conn_id: fms_alpine, dialect: reference}}
    training:
      records:
        ebt_gradings: {{csv: "{tmp_path / "drop" / "ebt"}"}}
        regulatory: {{export_to: "{folder}", expiring_within_days: 30}}
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("AEROSYNC_CONFIG", str(config))
    monkeypatch.setenv(
        "AIRFLOW_CONN_AEROSYNC_DB",
        json.dumps({"conn_type": "sqlite", "host": store.url.database}),
    )
    return folder


def _context() -> Any:
    return {
        "dag": SimpleNamespace(dag_id=f"training_sync__{COMPANY}"),
        "run_id": RUN_ID,
        "data_interval_start": RUN_WINDOW.start,
        "data_interval_end": RUN_WINDOW.end,
        "outlet_events": OutletEventAccessors(),
    }


def _logged(store: Engine) -> dict[str, Any]:
    with store.connect() as conn:
        row = conn.execute(
            text("SELECT * FROM training_sync_exports WHERE export = 'regulatory'")
        ).mappings()
        return dict(next(iter(row)))


def test_the_task_writes_every_export_and_returns_counts_only(
    exports: Path, store: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    context = _context()
    with set_current_context(context):  # type: ignore[arg-type]
        summary = regulatory_task.export_regulatory(COMPANY)
    names = sorted(p.name for p in exports.iterdir())
    assert summary["files"] == len(names) == 2 * (2 + summary["people"])
    assert any(n.startswith("faa_prd_training_events__alpine_jets__") for n in names)
    assert summary["people"] == len(CREW)
    said = json.dumps(summary) + capsys.readouterr().out
    assert not [e for e, *_ in CREW if e in said.replace(str(exports), "")]
    logged = _logged(store)
    assert logged["failure"] is None and logged["run_id"] == RUN_ID
    assert logged["row_count"] == summary["prd_events"] + summary["easa_rows"]
    # Each regulatory export's asset event names the window and counts, never a person.
    for asset in regulatory_export_assets(COMPANY):
        extra = context["outlet_events"][asset].extra
        assert extra["window_end"] == RUN_WINDOW.end.isoformat()
        assert extra["prd_events"] == summary["prd_events"]
        assert not [e for e, *_ in CREW if e in json.dumps(extra)]
    # The regulatory suites' validations are kept in the company's Data Docs, like the gate's.
    site = exports.parent / "docs" / COMPANY
    pages = {p.stem for p in (site / "validations").rglob("*.html")}
    assert pages == {"regulatory_prd", "regulatory_easa", "regulatory_expiring"}
    assert all(f"validations/{page}/" in (site / "index.html").read_text() for page in pages)


def test_a_refused_export_fails_the_task_names_the_pilot_and_writes_nothing(
    exports: Path, store: Engine
) -> None:
    records = TrainingStore(store)
    unsat = next(g for g in records.rows(COMPANY, GRADINGS) if g["session_id"] == UNSAT_SESSION)
    broken = {c: unsat[c] for c in GRADINGS.columns} | {"failed_tasks": None}
    records.upsert(COMPANY, GRADINGS, [broken], "corrected", datetime.now(UTC))
    # The session falls in the window the task exports (its date's midnight is in it).
    with store.begin() as conn:
        conn.execute(
            text("UPDATE training_ebt_gradings SET session_date = :d WHERE session_id = :s"),
            {"d": RUN_WINDOW.end.date().isoformat(), "s": UNSAT_SESSION},
        )
    with set_current_context(_context()), pytest.raises(AirflowFailException) as failed:  # type: ignore[arg-type]
        regulatory_task.export_regulatory(COMPANY)
    employee = unsat["employee_id"]
    message = str(failed.value)
    assert f"employee {employee}, field failed_tasks" in message
    assert not [name for _, name, _, _ in CREW if name in message]
    assert not exports.exists() or not list(exports.iterdir())
    assert _logged(store)["failure"] == message
