"""Staleness (last success older than twice the schedule's interval) and the states that make
`aerosync status --fail-on` exit 1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aerosync.cli_conventions import UsageError
from aerosync.models import Outcome
from aerosync.status.cli import StatusRequest, findings, parse_fail_on, shown_outcome
from aerosync.status.staleness import Freshness, freshness_by_company, staleness
from aerosync.stores.status_records import RealAttempt, StatusRecord
from tests.conftest import make_company

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _record(
    outcome: Outcome = Outcome.UPLOADED, success_ago: timedelta | None = None, tail: str = "N1"
) -> StatusRecord:
    return StatusRecord(
        company="skyway_charter",
        tail=tail,
        run_id="r",
        attempted_at=NOW,
        outcome=outcome,
        last_success_at=NOW - success_ago if success_ago is not None else None,
    )


def is_stale(record: StatusRecord, interval: timedelta, now: datetime) -> bool:
    verdict = staleness(record, Freshness(interval, 2 * interval), now)
    return verdict is not None and verdict.stale


@pytest.mark.parametrize(
    ("ago", "stale"),
    [(timedelta(minutes=29), False), (timedelta(minutes=30), False), (timedelta(minutes=31), True)],
)
def test_stale_after_twice_the_interval(ago: timedelta, stale: bool) -> None:
    assert is_stale(_record(success_ago=ago), timedelta(minutes=15), NOW) is stale


def test_never_accepted_is_stale_and_not_marketed_is_not() -> None:
    """Brokers see nothing of ours for an aircraft the marketplace never accepted."""
    assert is_stale(_record(Outcome.FAILED), timedelta(minutes=15), NOW)
    old = timedelta(days=3)
    assert not is_stale(_record(Outcome.NOT_MARKETED, old), timedelta(minutes=15), NOW)
    assert is_stale(_record(Outcome.HELD, old), timedelta(minutes=15), NOW)


def test_intervals_come_from_the_companies_schedules() -> None:
    companies = [make_company(), make_company(id="alpine_jets", schedule="0 */2 * * *")]
    assert {c: f.expected_every for c, f in freshness_by_company(companies).items()} == {
        "skyway_charter": timedelta(minutes=15),
        "alpine_jets": timedelta(hours=2),
    }


def test_fail_on_states_are_checked() -> None:
    assert parse_fail_on("failed, held,UNKNOWN,stale") == {"failed", "held", "unknown", "stale"}
    assert parse_fail_on(None) == frozenset()
    with pytest.raises(UsageError, match="unknown state broken"):
        parse_fail_on("failed,broken")
    with pytest.raises(UsageError, match="companies file"):
        StatusRequest(fail_on=frozenset({"stale"})).check()


def test_a_skip_shows_the_failure_behind_it() -> None:
    skip = _record(Outcome.SKIPPED)
    assert shown_outcome(skip) == "skipped"
    skip.last_real_attempt = RealAttempt("r0", "failed", 500, "2026-11-24T11:58:00.000000Z", [], [])
    assert shown_outcome(skip) == "failed"
    assert findings([skip], set(), frozenset({"failed"})) == ["skyway_charter N1: failed"]


def test_findings_name_each_aircraft_and_its_states() -> None:
    records = [
        _record(Outcome.UPLOADED, tail="N1"),
        _record(Outcome.HELD, timedelta(hours=2), tail="N2"),
        _record(Outcome.UPLOADED, timedelta(hours=2), tail="N3"),
    ]
    stale = {("skyway_charter", "N2"), ("skyway_charter", "N3")}
    assert findings(records, stale, frozenset({"held", "stale"})) == [
        "skyway_charter N2: held, stale",
        "skyway_charter N3: stale",
    ]
    assert findings(records, stale, frozenset({"failed"})) == []
