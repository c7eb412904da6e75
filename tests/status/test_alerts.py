"""One alert per aircraft per state change: failed, held, uploaded with errors, no longer
marketed, recovered; never a storm."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aerosync.models import Outcome
from aerosync.schedule.record import no_longer_marketed
from aerosync.status.alerts import state_changes
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
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
    assert changes({"N1": "uploaded_with_errors"}, record("N1", Outcome.UPLOADED)) == {
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
    ensure_migrated(store.engine)
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


def test_uploaded_with_errors_alerts_when_entered_never_while_it_lasts() -> None:
    errors = record("N1", Outcome.UPLOADED_WITH_ERRORS, messages=[
        {"code": "END_AIRPORT_INVALID", "title": "Invalid end airport", "activity_id": "LEG-7"}
    ])  # fmt: skip
    assert changes({"N1": "uploaded"}, errors) == {"N1": "uploaded_with_errors"}
    assert changes({}, errors) == {"N1": "uploaded_with_errors"}  # the first run of an aircraft
    assert changes({"N1": "held"}, errors) == {"N1": "uploaded_with_errors"}  # out of a hold
    assert changes({"N1": "uploaded_with_errors"}, errors) == {}
    (event,) = state_changes({}, [errors])
    assert event.subject.endswith("uploaded WITH ERRORS (the marketplace changed part of it)")
    text = event.text()
    assert "accepted its schedule" in text and "replaced what it could not take" in text
    assert "- END_AIRPORT_INVALID: Invalid end airport (activity LEG-7)" in text


def _run(store: StatusStore, run: str, at: datetime, fleet: dict[str, Outcome]) -> list[str]:
    """One run as `record_status` records it: this run's aircraft, and those of the last run
    the FMS no longer markets (`no_longer_marketed`); returns the alerts' (tail, change)."""
    gone = [t for t in store.last_fleet("skyway", before_run=run) if t not in fleet]
    records = [StatusRecord("skyway", t, run, at, o) for t, o in fleet.items()]
    records += no_longer_marketed("skyway", run, at, gone)
    store.record(records)
    previous = store.previous_outcomes("skyway", run)
    return [f"{e.tail} {e.change}" for e in state_changes(previous, store.attempts("skyway", run))]


def test_errors_twice_in_a_row_and_an_unmarketed_aircraft_over_three_runs_alert_once_each(
    tmp_path: Path,
) -> None:
    store = StatusStore(sqlite_engine(tmp_path / "aerosync.db"))
    ensure_migrated(store.engine)
    start = NOW - timedelta(hours=1)
    assert _run(store, "run-1", start, {"N1": Outcome.UPLOADED, "N2": Outcome.UPLOADED}) == []
    later = [start + timedelta(minutes=15 * n) for n in (1, 2, 3)]
    # N2 leaves the FMS's marketed aircraft; N1 gets the marketplace's errors, twice.
    errors = {"N1": Outcome.UPLOADED_WITH_ERRORS}
    assert _run(store, "run-2", later[0], errors) == ["N1 uploaded_with_errors", "N2 not_marketed"]
    assert _run(store, "run-3", later[1], errors) == []
    assert _run(store, "run-4", later[2], {"N1": Outcome.UPLOADED}) == ["N1 recovered"]


def test_the_not_marketed_alert_says_the_schedule_stays_and_how_to_clear_it() -> None:
    (gone,) = no_longer_marketed("skyway", "run-2", NOW, ["N2"])
    gone.last_success_at = NOW - timedelta(hours=3)
    (event,) = state_changes({"N2": "uploaded"}, [gone])
    assert event.change == "not_marketed"
    assert event.subject == (
        "[AeroSync] skyway N2: no longer marketed (the marketplace keeps its last schedule)"
    )
    text = event.text()
    assert "no longer marketed in skyway's FMS" in text and "sent once" in text
    assert "keeps the schedule it last accepted (2026-11-24 09:00 UTC)" in text
    assert 'PUT /schedules with lift.aircraftTail "N2" and "activities": []' in text
    assert "has no delete call" in text and "never sends an empty schedule by itself" in text
    (never,) = no_longer_marketed("skyway", "run-2", NOW, ["N3"])
    assert "nothing of AeroSync's stays" in state_changes({}, [never])[0].text()
