"""The expiring report: what a person must renew within N days of the day, a renewed record not
listed, a medical never, nothing dated after the day; and its suite passes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from aerosync.crew.readiness.days import add_months
from aerosync.crew.regulatory.checks import problems
from aerosync.crew.regulatory.expiring import expiring
from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import GRADINGS, QUALIFICATIONS, RECORDS
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
from tests.conftest import require_service
from tests.e2e.support import fresh_postgres_database, postgres_available

pytestmark = pytest.mark.integration
DAY = date(2026, 11, 24)


def _q(employee: str, code: str, issued: int, expires: int) -> dict[str, Any]:
    return {
        "employee_id": employee,
        "qualification": code,
        "issued_on": (DAY + timedelta(days=issued)).isoformat(),
        "expires_on": (DAY + timedelta(days=expires)).isoformat(),
    }


def _record(record_id: str, verb: str, completed: int, expires: int | None) -> dict[str, Any]:
    at = f"{DAY + timedelta(days=completed)}T09:00:00.000000Z"
    return {
        "record_id": record_id, "employee_id": "E2", "course_id": "CRM", "module_id": None,
        "verb": verb, "success": "true" if verb == "passed" else "false", "score": 0.8,
        "completed_at": at, "stored_at": at,
        "expires_at": None if expires is None else (DAY + timedelta(days=expires)).isoformat(),
    }  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = sqlite_engine(tmp_path / "aerosync.db")
        yield engine
        engine.dispose()
        return
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_expiring") as url:
        engine = sa.create_engine(url)
        yield engine
        engine.dispose()


def test_the_report_lists_what_expires_within_the_horizon(engine: Engine) -> None:
    ensure_migrated(engine)
    store, now = TrainingStore(engine), datetime.now(UTC)
    quals = [
        _q("E1", "LINE_CHECK", -355, 10),  # expires in 10 days
        _q("E1", "OPC", -360, 5),  # expires in 5 days, but renewed:
        _q("E1", "OPC", -2, 363),
        _q("E1", "MEDICAL", -362, 3),  # never listed
        _q("E2", "TYPE_RATING:C56X", -334, 31),  # a day past the horizon
        _q("E2", "LPC", -180, -1),  # expired yesterday
        _q("E3", "LINE_CHECK", 1, 5),  # issued after the day: not known yet
    ]
    store.upsert("acme", QUALIFICATIONS, quals, "r1", now)
    session = add_months(DAY + timedelta(days=20), -12)  # valid through DAY + 19
    grading = {c: None for c in GRADINGS.values} | {
        "session_id": "S1", "employee_id": "E2", "session_date": session.isoformat(), "apk": 3,
    }  # fmt: skip
    store.upsert("acme", GRADINGS, [grading], "r1", now)
    records = [_record("crm-1", "passed", -335, 30), _record("crm-2", "failed", -3, None)]
    store.upsert("acme", RECORDS, records, "r1", now)

    report = expiring(engine, "acme", DAY, 30)
    listed = [(r["employee_id"], r["item"], r["days_left"]) for r in report.rows]
    assert listed == [("E1", "LINE_CHECK", 10), ("E2", "EBT module", 19), ("E2", "CRM", 30)]
    assert all(r["run_id"] == "r1" and r["audit_id"] for r in report.rows)
    assert problems([report]) == []
    wider = [(r["employee_id"], r["item"]) for r in expiring(engine, "acme", DAY, 31).rows]
    assert ("E2", "TYPE_RATING:C56X") in wider and ("E1", "OPC") not in wider
    assert "MEDICAL" not in report.csv_text() + report.json_text()
