"""Each dialect query runs as the extract runs it, with a row limit; a missing table or column
is named, per query, and the other queries still run."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from aerosync.demo.fleet import build_demo_fms
from aerosync.models import CheckStatus
from aerosync.schedule.sources.fms_contract import FMS_COLUMNS, fms_verdicts, missing_columns

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def demo_fms(tmp_path: Path) -> Path:
    path = tmp_path / "fms.sqlite"
    build_demo_fms(path, NOW, company="skyway_charter")
    return path


def test_the_demo_fms_meets_the_contract_within_the_row_limit(tmp_path: Path) -> None:
    path = demo_fms(tmp_path)
    verdicts = fms_verdicts(lambda: sa.create_engine(f"sqlite:///{path}"), "reference", NOW, 5, 2)
    assert [v.name for v in verdicts] == [f"reference/{q}.sql" for q in FMS_COLUMNS]
    assert all(v.status is CheckStatus.OK for v in verdicts)
    assert "(2 rows read, limit 2)" in verdicts[1].detail


def test_a_missing_table_fails_its_queries_only(tmp_path: Path) -> None:
    path = demo_fms(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE leg_services")
    verdicts = fms_verdicts(lambda: sa.create_engine(f"sqlite:///{path}"), "reference", NOW, 5)
    assert [v.status for v in verdicts] == [CheckStatus.OK, CheckStatus.OK, CheckStatus.FAILED]
    assert "no such table: leg_services" in verdicts[2].detail


def test_missing_contract_columns_are_named() -> None:
    present = [c.upper() for c in FMS_COLUMNS["aircraft"] if c != "homebase"] + ["extra"]
    assert missing_columns("aircraft", present) == ["homebase"]


def test_an_engine_that_cannot_be_opened_is_one_verdict() -> None:
    def broken() -> sa.Engine:
        raise ValueError("no SQL hook for conn type 'http'")

    (verdict,) = fms_verdicts(broken, "reference", NOW, 5)
    assert verdict.status is CheckStatus.FAILED and "cannot be opened" in verdict.detail
