"""The demo company's crew sync through a real scheduler (LocalExecutor, PostgreSQL metadata and
aerosync database), one manual run over the demo's drops: `export_regulatory` writes the FAA PRD
file (with the demo's UNSAT event), every pilot's EASA record and the expiring report; its log
and XCom name no one and hold no medical date."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aerosync.demo.crew import CREW, build_training_data, write_drops
from aerosync.demo.crew_setup import DEMO_DAYS, demo_run_day
from aerosync.dev.stack import aerosync_airflow
from tests.conftest import POSTGRES_URL, require_service
from tests.e2e.support import postgres_available

pytestmark = pytest.mark.integration
COMPANY = "alpine_jets"
DAG_ID = f"training_sync__{COMPANY}"


@pytest.mark.timeout(900)
def test_the_demo_crew_sync_writes_the_regulatory_exports(tmp_path: Path) -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    now = datetime.now(UTC)
    first = now.date() - timedelta(days=DEMO_DAYS)
    data = build_training_data(first, DEMO_DAYS, broken=False, broken_on=demo_run_day(now))
    drops = write_drops(tmp_path / "drops", data)
    out = tmp_path / "regulatory"
    config = tmp_path / "companies.yaml"
    config.write_text(
        f"""
companies:
  - id: {COMPANY}
    name: Alpine Jets
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_alpine
    fms: {{conn_id: fms_alpine, dialect: reference}}
    training:
      records:
        hris: {{csv: "{drops["hris"]}"}}
        qualifications: {{csv: "{drops["qualifications"]}"}}
        ebt_gradings: {{csv: "{drops["ebt"]}"}}
        courses: {{csv: "{drops["courses"]}"}}
        regulatory: {{export_to: "{out}", expiring_within_days: 30}}
""",
        encoding="utf-8",
    )
    with aerosync_airflow(
        tmp_path, admin_url=POSTGRES_URL, name="aerosync_regulatory_e2e", config=config,
        connections={},
    ) as airflow:  # fmt: skip
        runtime = airflow.runtime
        run = runtime.run_dag(DAG_ID, timeout=600)
        states = {ti["task_id"]: ti["state"] for ti in run.task_instances}
        assert states["export_regulatory"] == "success", states
        log = runtime.task_log(DAG_ID, run.run_id, "export_regulatory")
        xcom = json.dumps(runtime.xcom_values(DAG_ID))
    names = sorted(p.name for p in out.iterdir())
    prd = [n for n in names if n.startswith("faa_prd_training_events__") and n.endswith(".csv")]
    assert len(prd) == 1
    rows = list(csv.DictReader(io.StringIO((out / prd[0]).read_text(encoding="utf-8"))))
    assert [r["result"] for r in rows] == ["UNSAT"] and rows[0]["failed_tasks"]
    assert sum(n.startswith("easa_training_record__") for n in names) == 2 * len(CREW)
    medical = {
        d
        for q in data.qualifications
        if q["qualification"] == "MEDICAL"
        for d in (q["issued_on"], q["expires_on"])
    }
    said = log + xcom
    assert "regulatory exports of" in log
    assert not [n for _, n, _, _ in CREW if n in said] and not [d for d in medical if d in said]
    assert not [e for e, *_ in CREW if e in xcom]
