"""Extract, normalise and validate in one task: the raw extract is handed over in memory, and
normalising it gives and stages exactly what normalising its staged JSON (as two tasks once did)
gave; normalise hands validation its check columns and findings in memory, staging only the
activity bodies the upload sends."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from aerosync.models import Finding, Severity
from aerosync.schedule.decisions import step_validate
from aerosync.schedule.extract import Extracted, step_extract, step_normalise
from aerosync.schedule.stages import ACTIVITIES, DECISIONS, SOURCES, Stores
from aerosync.stores.database import sqlite_engine
from tests.conftest import make_company
from tests.schedule.fms_builder import FmsBuilder

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def fleet(tmp_path: Path) -> FmsBuilder:
    fms = FmsBuilder(tmp_path / "fms.sqlite")
    fms.aircraft("N1EN").aircraft("N2EN", homebase="TEB").aircraft("N3EN", marketed=False)
    for i in range(4):
        fms.leg(f"N1EN-L{i}", "N1EN", NOW + timedelta(hours=6 * i - 12), departure_airport="LGA")
    fms.leg("N1EN-OLD", "N1EN", NOW - timedelta(days=31))  # outside the history window
    fms.leg("N2EN-L0", "N2EN", NOW + timedelta(hours=3), arrival_airport="XXXX")  # unknown
    fms.ground("N2EN-M0", "N2EN", NOW + timedelta(days=2), 8)
    fms.leg("N3EN-L0", "N3EN", NOW + timedelta(hours=1))
    return fms


def staged(stores: Stores, run_id: str) -> dict[str, dict[str, str]]:
    """Every stage a run has written so far, as text."""
    with stores.staging.engine.connect() as conn:
        kinds = conn.execute(
            sa.text("SELECT DISTINCT stage FROM staged_data WHERE run_id = :run"), {"run": run_id}
        ).scalars()
        return {kind: stores.staging.get_text("skyway_charter", run_id, kind) for kind in kinds}


def test_normalising_in_memory_stages_what_the_staged_extract_gave(tmp_path: Path) -> None:
    company = make_company()
    fms = fleet(tmp_path)
    stores = Stores.on(sqlite_engine(tmp_path / "aerosync.db"))
    extracted = step_extract(company, lambda: fms.engine, stores, "mem", NOW)
    assert extracted.summary == {
        "aircraft": 2,  # marketed only
        "activities": 7,
        "services": 0,
        "failed_sources": [],
    }
    assert stores.staging.get("skyway_charter", "mem", SOURCES) == {"*": {}}
    before = copy.deepcopy(extracted)
    in_memory = step_normalise(company, stores, "mem", NOW, extracted)
    assert extracted == before  # normalise reads its input, never changes it

    # What the two-task design did: the extract written as JSON, read back, then normalised.
    as_json = json.loads(
        json.dumps(
            {"aircraft": extracted.aircraft, "activities": extracted.activities,
             "services": extracted.services}
        )
    )  # fmt: skip
    round_trip = Extracted(**as_json, findings=[], summary={})
    from_json = step_normalise(company, stores, "json", NOW, round_trip)
    assert in_memory == from_json
    assert staged(stores, "mem")[ACTIVITIES] == staged(stores, "json")[ACTIVITIES]
    # Normalise stages the bodies the upload sends (and the extract the failed sources): the
    # check columns and findings go to validation in memory.
    assert set(staged(stores, "mem")) == {ACTIVITIES, SOURCES}
    assert in_memory.summary["activities"] == 6 and in_memory.summary["expired"] == 1
    assert in_memory.tails == ["N1EN", "N2EN"]
    assert in_memory.check_columns["activity_id"][:4] == [f"N1EN-L{i}" for i in range(4)]
    assert '"KLGA"' in stores.staging.get_text("skyway_charter", "mem", ACTIVITIES)["N1EN"]

    validated = step_validate(company, stores, "mem", NOW, in_memory)
    assert validated.aircraft == 2 and validated.held == []
    decisions = stores.staging.get("skyway_charter", "mem", DECISIONS)
    assert {tail: d["activities"] for tail, d in decisions.items()} == {"N1EN": 4, "N2EN": 2}


def test_findings_of_the_extract_come_first(tmp_path: Path) -> None:
    company = make_company()
    stores = Stores.on(sqlite_engine(tmp_path / "aerosync.db"))
    fms = fleet(tmp_path).leg("N2EN-BAD", "N2EN", "not a time")  # a finding of normalise
    extracted = step_extract(company, lambda: fms.engine, stores, "r", NOW)
    lms_finding = Finding(
        code="AIRCRAFT_NOT_MARKETED",
        severity=Severity.WARNING,
        tail="N9EN",
        activity_id="LMS-1",
        field="tail",
        message="LMS-1 books N9EN, which is not marketed",
    )
    extracted.findings.append(lms_finding)
    findings = step_normalise(company, stores, "r", NOW, extracted).findings
    assert findings[0] == lms_finding
    assert [f.activity_id for f in findings[1:]] == ["N2EN-BAD"]
