"""Extract and normalise in one task: the raw extract is handed over in memory, and normalising
it stages exactly what normalising its staged JSON (as two tasks once did) staged."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aerosync.db import sqlite_engine
from aerosync.models import Finding, Severity
from aerosync.pipeline import (
    ACTIVITIES,
    CHECKS,
    FINDINGS,
    SOURCES,
    Extracted,
    Stores,
    step_extract,
    step_normalise,
)
from tests.conftest import make_company
from tests.fms_builder import FmsBuilder

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


def staged(stores: Stores, run_id: str) -> dict[str, object]:
    return {
        kind: stores.staging.get_text("skyway_charter", run_id, kind)
        for kind in (ACTIVITIES, CHECKS, FINDINGS)
    }


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
    assert staged(stores, "mem") == staged(stores, "json")
    assert in_memory["activities"] == 6 and in_memory["expired"] == 1
    assert '"KLGA"' in stores.staging.get_text("skyway_charter", "mem", ACTIVITIES)["N1EN"]


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
    step_normalise(company, stores, "r", NOW, extracted)
    findings = stores.staging.get("skyway_charter", "r", FINDINGS)["*"]
    assert Finding.from_dict(findings[0]) == lms_finding
    assert [f["activity_id"] for f in findings[1:]] == ["N2EN-BAD"]
