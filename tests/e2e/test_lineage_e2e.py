"""OpenLineage through a real scheduler: the demo's Alpine Jets (a SQLite FMS, an AMS drop, the
demo crew's HRIS and LRS in the sandbox, CSV and roster XML drops, flights from the FMS, every
export) with the provider's file transport on. One upload run and one crew-sync run; then

- the events in the file form the expected graph: START and COMPLETE per task, the exact inputs
  and outputs, column lineage, and datasets that chain from the sources to the exports;
- the demo crew's personal values (names, e-mail addresses, medical dates) are nowhere in the
  task logs, the XCom values or the lineage events (and the search finds a value planted in a
  control file, so it does look).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
import yaml

from aerosync.config.resources import data_dir
from aerosync.demo.crew import CREW, TrainingData, build_training_data
from aerosync.demo.crew_setup import DEMO_DAYS, demo_run_day, prepare_training
from aerosync.demo.maintenance import prepare_ams
from aerosync.demo.run import prepare, start_sandbox
from aerosync.dev.runs import RunResult
from aerosync.dev.stack import AerosyncAirflow, aerosync_airflow
from tests.conftest import POSTGRES_URL, require_service
from tests.e2e.support import postgres_available

pytestmark = pytest.mark.integration
COMPANY = "alpine_jets"
UPLOAD_DAG, CREW_DAG = f"schedule_upload__{COMPANY}", f"training_sync__{COMPANY}"
READINESS_DAG = f"crew_readiness__{COMPANY}"
NAMESPACE = "aerosync_lineage_test"
FMS_TABLES = ("aircraft", "empty_leg_offers", "ground_events", "leg_services", "legs", "trips")


@dataclass
class Lineage:
    airflow: AerosyncAirflow
    sandbox_url: str
    workdir: Path
    events_file: Path
    config: dict[str, Any]
    upload: RunResult
    crew: RunResult
    readiness: RunResult
    now: datetime

    def events(self) -> list[dict[str, Any]]:
        lines = self.events_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def sandbox_root(self) -> str:
        parts = urlsplit(self.sandbox_url)
        return f"{parts.scheme}://{parts.netloc}"

    def store(self) -> tuple[str, str]:
        url = sa.engine.make_url(self.airflow.store_url)
        return f"postgres://{url.host}:{url.port or 5432}", f"{url.database}.public"


def _alpine_only(workdir: Path) -> Path:
    raw = yaml.safe_load((data_dir("config") / "companies.yaml").read_text(encoding="utf-8"))
    raw["companies"] = [c for c in raw["companies"] if c["id"] == COMPANY]
    path = workdir / "alpine.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def lineage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lineage]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    workdir = tmp_path_factory.mktemp("lineage_e2e")
    now = datetime.now(UTC)
    events_file = workdir / "openlineage.jsonl"
    sandbox = start_sandbox(now)
    try:
        env = prepare(workdir, sandbox.url, now)
        env.update(prepare_training(workdir, sandbox.port, _alpine_only(workdir), now))
        env.update(prepare_ams(workdir, Path(env["AEROSYNC_CONFIG"]), now))
        # The demo HRIS has no e-mail addresses; a real one does: the same employees with one.
        answer = requests.post(
            f"http://127.0.0.1:{sandbox.port}/_sandbox/hris/employees",
            json=demo_data(now).employees,
            timeout=10,
        )
        answer.raise_for_status()
        transport = {"type": "file", "log_file_path": str(events_file), "append": True}
        env["AIRFLOW__OPENLINEAGE__TRANSPORT"] = json.dumps(transport)
        env["AIRFLOW__OPENLINEAGE__NAMESPACE"] = NAMESPACE
        config_path = Path(env["AEROSYNC_CONFIG"])
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))["companies"][0]
        with aerosync_airflow(
            workdir,
            admin_url=POSTGRES_URL,
            name="aerosync_lineage",
            config=config_path,
            connections={},
            extra_env=env,
        ) as airflow:
            upload = airflow.runtime.run_dag(UPLOAD_DAG, timeout=300)
            crew = airflow.runtime.run_dag(CREW_DAG, timeout=600)
            # The harness runs no scheduled or asset-triggered runs: readiness by hand, as of
            # the same last complete window as the crew run's.
            readiness = airflow.runtime.run_dag(READINESS_DAG, timeout=300)
            yield Lineage(
                airflow, sandbox.url, workdir, events_file, config, upload, crew, readiness, now
            )
    finally:
        sandbox.stop()


def _by_task(events: list[dict[str, Any]], dag_id: str) -> dict[str, list[dict[str, Any]]]:
    """Task-level events of a DAG by task id (job name `<dag_id>.<task_id>`)."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        name = event["job"]["name"]
        if name.startswith(f"{dag_id}."):
            found[name.removeprefix(f"{dag_id}.")].append(event)
    return found


def _complete(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["eventType"] == "COMPLETE"]


def _names(datasets: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(d["namespace"], d["name"]) for d in datasets}


def _only(events: list[dict[str, Any]], key: str) -> set[tuple[str, str]]:
    (event,) = _complete(events)
    return _names(event[key])


def test_upload_and_crew_runs_succeed_and_every_task_has_start_and_complete(
    lineage: Lineage,
) -> None:
    assert lineage.upload.state == "success", lineage.upload.task_instances
    assert lineage.crew.state == "success", [
        (t["task_id"], t["state"]) for t in lineage.crew.task_instances
    ]
    events = lineage.events()
    assert {e["job"]["namespace"] for e in events} == {NAMESPACE}
    assert lineage.readiness.state == "success", lineage.readiness.task_instances
    for result in (lineage.upload, lineage.crew, lineage.readiness):
        tasks = _by_task(events, result.dag_id)
        ran: dict[str, int] = defaultdict(int)
        for ti in result.task_instances:
            if ti["state"] == "success":
                ran[ti["task_id"]] += 1
        assert ran
        for task_id, count in ran.items():
            kinds = sorted(e["eventType"] for e in tasks[task_id])
            assert kinds == ["COMPLETE"] * count + ["START"] * count, (task_id, kinds)


def test_no_task_log_reports_a_lineage_extraction_failure(lineage: Lineage) -> None:
    """A facet method that raised is only a warning in the task log (the provider swallows it):
    the events would lack their datasets without failing the run."""
    logs = sorted((lineage.airflow.home / "logs").glob("dag_id=*/**/*.log"))
    assert logs
    failures = [
        str(path)
        for path in logs
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if "OpenLineage" in line and ("failed" in line.lower() or "unable" in line.lower())
    ]
    assert failures == []


def test_upload_run_lineage_names_fms_tables_ams_drop_staging_and_schedules(
    lineage: Lineage,
) -> None:
    events = _by_task(lineage.events(), UPLOAD_DAG)
    fms = f"sqlite://{(lineage.workdir / f'fms_{COMPANY}.sqlite').resolve()}"
    store, db = lineage.store()
    build_in = _only(events["build_schedules"], "inputs")
    assert build_in == {(fms, t) for t in FMS_TABLES} | {("file", lineage.config["ams"]["csv"])}
    staging = (store, f"{db}.staged_data")
    assert _only(events["build_schedules"], "outputs") == {
        staging,
        (store, f"{db}.validation_results"),
    }
    uploads = _complete(events["upload"])
    assert uploads, "one COMPLETE per mapped upload"
    sandbox, api = lineage.sandbox_root(), urlsplit(lineage.sandbox_url).path.rstrip("/")
    written = set().union(*(_names(e["outputs"]) for e in uploads))
    engine = sa.create_engine(lineage.airflow.store_url)
    with engine.connect() as conn:
        sent = {
            r.tail
            for r in conn.execute(
                sa.text(
                    "SELECT tail FROM upload_status WHERE company = :c AND outcome LIKE 'uploaded%'"
                ),
                {"c": COMPANY},
            )
        }
    engine.dispose()
    assert sent, "the upload sent schedules"
    assert {(sandbox, f"{api}/schedules/{tail}") for tail in sent} <= written
    assert all(ns == sandbox and name.startswith(f"{api}/schedules/") for ns, name in written)
    for event in uploads:  # chain: the plan build_schedules staged is what upload reads
        assert _names(event["inputs"]) == {staging}


def test_crew_run_lineage_chains_sources_staging_tables_and_exports(lineage: Lineage) -> None:
    events = _by_task(lineage.events(), CREW_DAG)
    store, db = lineage.store()
    staging = (store, f"{db}.staged_data")
    fms = f"sqlite://{(lineage.workdir / f'fms_{COMPANY}.sqlite').resolve()}"
    records = lineage.config["training"]["records"]
    sandbox = lineage.sandbox_root()
    expected_inputs = {
        "extract_hris": {(sandbox, "/hris/employees")},
        "extract_statements": {(sandbox, "/xapi/statements")},
        "extract_qualifications": {("file", records["qualifications"]["csv"])},
        "extract_ebt_gradings": {("file", records["ebt_gradings"]["csv"])},
        "extract_roster": {("file", records["roster"]["xml"])},
        "extract_courses": {("file", records["courses"]["csv"])},
        "extract_flights": {(fms, t) for t in ("aircraft", "leg_crew", "legs", "trips")},
    }
    for task_id, inputs in expected_inputs.items():
        assert _only(events[task_id], "inputs") == inputs, task_id
        assert _only(events[task_id], "outputs") == {staging}, task_id
    assert _only(events["validate"], "inputs") == {staging}
    assert _only(events["validate"], "outputs") == {staging, (store, f"{db}.training_quarantine")}
    (load,) = _complete(events["load"])
    extracted = set().union(*(_only(events[t], "outputs") for t in expected_inputs))
    assert extracted <= _names(load["inputs"])  # the chain: what the extracts staged is loaded
    tables = {
        "training_employee_versions",
        "training_records",
        "training_qualifications",
        "training_ebt_gradings",
        "training_roster",
        "training_leg_crew",
        "training_courses",
        "training_enrolments",
        "training_audit",
    }
    assert _names(load["outputs"]) == {(store, f"{db}.{t}") for t in tables}
    outputs = {d["name"].rsplit(".", 1)[-1]: d for d in load["outputs"]}
    employees = outputs["training_employee_versions"]["facets"]["columnLineage"]["fields"]
    assert employees["name"]["inputFields"][0] | {"transformations": None} == {
        "namespace": sandbox,
        "name": "/hris/employees",
        "field": "name",
        "transformations": None,
    }
    gradings = outputs["training_ebt_gradings"]["facets"]["columnLineage"]["fields"]
    assert gradings["employee_id"]["inputFields"][0]["field"] == "pilot_id"
    assert gradings["employee_id"]["inputFields"][0]["name"] == records["ebt_gradings"]["csv"]
    legs = outputs["training_leg_crew"]["facets"]["columnLineage"]["fields"]
    assert {
        (f["namespace"], f["name"], f["field"]) for f in legs["tail_number"]["inputFields"]
    } == {(fms, "aircraft", "tail_number")}
    assert "columnLineage" not in outputs["training_records"].get("facets", {})  # LRS: unknown
    crew_tables = {(store, f"{db}.{t}") for t in tables - {"training_audit"}}
    assert _only(events["export_status"], "outputs") == {("file", records["export_to"])}
    assert _only(events["export_status"], "inputs") == crew_tables
    assert _only(events["export_regulatory"], "inputs") == crew_tables
    assert _only(events["export_regulatory"], "outputs") == {
        ("file", records["regulatory"]["export_to"])
    }
    readiness = _by_task(lineage.events(), READINESS_DAG)
    assert _only(readiness["export_readiness"], "inputs") == crew_tables
    assert _only(readiness["export_readiness"], "outputs") == {
        ("file", records["readiness"]["export_to"])
    }
    assert _only(events["post_ebt"], "outputs") == {(sandbox, "/xapi/statements")}
    # Across the flows: the FMS tables the crew sync reads are the upload's own datasets.
    upload = _by_task(lineage.events(), UPLOAD_DAG)
    shared = expected_inputs["extract_flights"] & _only(upload["build_schedules"], "inputs")
    assert shared == {(fms, t) for t in ("aircraft", "legs", "trips")}


# -- personal data --------------------------------------------------------------------------


def demo_data(now: datetime) -> TrainingData:
    """The demo's training data as `prepare_training` made it, each employee with an e-mail
    address (`first.last@alpine-jets.example`)."""
    first = now.date() - timedelta(days=DEMO_DAYS)
    data = build_training_data(first, DEMO_DAYS, broken=True, broken_on=demo_run_day(now))
    for employee in data.employees:
        employee["email"] = employee["name"].lower().replace(" ", ".") + "@alpine-jets.example"
    return data


def personal_values(now: datetime) -> list[str]:
    """The demo crew's names, e-mail addresses and medical dates, as the HRIS and crew
    management gave them."""
    data = demo_data(now)
    values = {name for _, name, _, _ in CREW}
    for employee in data.employees:
        values |= {str(v) for v in employee.values() if isinstance(v, str) and "@" in v}
    for row in data.qualifications:
        if row["qualification"] == "MEDICAL":
            values |= {row["issued_on"], row["expires_on"]}
    return sorted(values)


def find_values(texts: dict[str, str], values: list[str]) -> list[tuple[str, str]]:
    """(where, value) for each value found in each text (case-insensitive)."""
    patterns = {v: re.compile(re.escape(v), re.IGNORECASE) for v in values}
    return [
        (where, value)
        for where, text in texts.items()
        for value, pattern in patterns.items()
        if pattern.search(text)
    ]


def test_no_personal_value_in_task_logs_xcom_or_lineage_events(lineage: Lineage) -> None:
    values = personal_values(lineage.now)
    assert len([v for v in values if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)]) >= 6, values
    assert len([v for v in values if "@" in v]) == len(CREW), values
    # The run did carry them: the crew's names and medicals are in the aerosync store.
    engine = sa.create_engine(lineage.airflow.store_url)
    with engine.connect() as conn:
        stored = {
            str(value)
            for query in (
                "SELECT name FROM training_employee_versions",
                "SELECT issued_on FROM training_qualifications WHERE qualification = 'MEDICAL'",
            )
            for (value,) in conn.execute(sa.text(query))
        }
    engine.dispose()
    assert {name for _, name, _, _ in CREW} <= stored
    assert len(stored & set(values)) >= len(CREW) + 6
    logs = lineage.airflow.home / "logs"
    control = logs / "control" / "planted.log"
    control.parent.mkdir(parents=True, exist_ok=True)
    planted = values[-1]
    control.write_text(f"a line that names {planted} on purpose\n", encoding="utf-8")
    texts = {
        str(path): path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(logs.rglob("*"))
        if path.is_file()
    }
    task_logs = [p for p in texts if "/dag_id=" in p]
    assert any(f"dag_id={CREW_DAG}" in p for p in task_logs), "the crew sync's logs are searched"
    assert any(f"dag_id={UPLOAD_DAG}" in p for p in task_logs), "the upload's logs are searched"
    xcoms = {
        dag_id: lineage.airflow.runtime.xcom_values(dag_id)
        for dag_id in (UPLOAD_DAG, CREW_DAG, READINESS_DAG)
    }
    assert all(xcoms.values()), "XCom values were really read"
    texts |= {f"xcom {dag_id}": json.dumps(v) for dag_id, v in xcoms.items()}
    events = lineage.events_file.read_text(encoding="utf-8")
    assert len(events.splitlines()) > 20, "the lineage events were written"
    texts["lineage events"] = events
    assert find_values(texts, values) == [(str(control), planted)]
