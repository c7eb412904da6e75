"""One alert per aircraft per state change: failed, held, recovered; never a storm."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aerosync.models import Outcome
from aerosync.status.alerts import state_changes
from aerosync.stores.database import sqlite_engine
from aerosync.stores.status import StatusStore
from aerosync.stores.status_records import StatusRecord

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def record(tail: str, outcome: Outcome, run: str = "run-2", **kw: object) -> StatusRecord:
    return StatusRecord(
        company="skyway", tail=tail, run_id=run, attempted_at=NOW, outcome=outcome, **kw
    )  # type: ignore[arg-type]


def changes(previous: dict[str, str], *records: StatusRecord) -> dict[str, str]:
    return {e.tail: e.change for e in state_changes(previous, list(records))}


def test_first_failure_and_hold_alert_repeats_do_not() -> None:
    assert changes({}, record("N1", Outcome.FAILED), record("N2", Outcome.HELD)) == {
        "N1": "failed",
        "N2": "held",
    }
    assert changes({"N1": "failed", "N2": "held"}, record("N1", Outcome.FAILED)) == {}
    assert changes({"N1": "held"}, record("N1", Outcome.FAILED)) == {"N1": "failed"}


def test_recovery_alerts_once_and_plain_success_is_quiet() -> None:
    assert changes({"N1": "failed"}, record("N1", Outcome.UPLOADED)) == {"N1": "recovered"}
    assert changes({"N1": "held"}, record("N1", Outcome.UPLOADED_WITH_ERRORS)) == {
        "N1": "recovered"
    }
    assert changes({"N1": "uploaded"}, record("N1", Outcome.UPLOADED)) == {}
    assert changes({}, record("N1", Outcome.UPLOADED)) == {}


def test_a_skip_changes_nothing() -> None:
    assert changes({"N1": "failed"}, record("N1", Outcome.SKIPPED)) == {}


def test_the_message_names_the_reasons_and_the_schedule_that_stays() -> None:
    (event,) = state_changes(
        {},
        [
            record(
                "N1",
                Outcome.HELD,
                last_success_at=NOW - timedelta(hours=2),
                reasons=[
                    {"code": "ROW_INVALID", "message": "end before start", "activity_id": "L7"}
                ],
            )
        ],
    )
    assert event.subject == "[AeroSync] skyway N1: upload HELD"
    text = event.text()
    assert "end before start" in text and "activity L7" in text
    assert "previous marketplace schedule stays" in text and "10:00 UTC" in text


def test_previous_outcomes_skip_skips_and_ignore_this_run(tmp_path: Path) -> None:
    store = StatusStore(sqlite_engine(tmp_path / "aerosync.db"))
    store.ensure_schema()
    earlier = NOW - timedelta(minutes=30)
    store.record(
        [
            StatusRecord("skyway", "N1", "run-0", earlier, Outcome.FAILED),
            StatusRecord("skyway", "N1", "run-1", earlier + timedelta(minutes=10), Outcome.SKIPPED),
            StatusRecord("skyway", "N2", "run-1", earlier, Outcome.UPLOADED),
            StatusRecord("skyway", "N2", "run-2", NOW, Outcome.HELD),
        ]
    )
    assert store.previous_outcomes("skyway", "run-2") == {"N1": "failed", "N2": "uploaded"}
