"""An aircraft is stale when brokers see a schedule older than its company allows: twice the
schedule's longest interval between runs, or `stale_after_minutes`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from aerosync.config.schedule_spec import longest_cron_gap, longest_interval
from aerosync.models import Outcome
from aerosync.status.staleness import (
    Freshness,
    duration_words,
    freshness_by_company,
    stale_flags,
    staleness,
)
from aerosync.stores.status_records import StatusRecord
from tests.conftest import NOW, make_company

pytestmark = pytest.mark.unit
EVERY_15 = Freshness(timedelta(minutes=15), timedelta(minutes=30))


def record(outcome: Outcome, success_minutes_ago: int | None, tail: str = "N1") -> StatusRecord:
    success = None if success_minutes_ago is None else NOW - timedelta(minutes=success_minutes_ago)
    return StatusRecord("skyway_charter", tail, "run-1", NOW, outcome, last_success_at=success)


@pytest.mark.parametrize(
    ("schedule", "interval"),
    [
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("*/15 * * * *", timedelta(minutes=15)),
        ("*/5 * * * *", timedelta(minutes=5)),
        ("0 * * * *", timedelta(hours=1)),
        ("0 9,17 * * *", timedelta(hours=16)),  # the night is the longest gap
        ("0 6-18 * * 1-5", timedelta(days=2, hours=12)),  # Friday 18:00 to Monday 06:00
        ("@daily", timedelta(days=1)),
        ("0 6 1 * *", timedelta(days=31)),  # monthly: walked past the first week
    ],
)
def test_the_expected_interval_is_the_longest_gap_between_runs(
    schedule: str, interval: timedelta
) -> None:
    assert longest_interval(schedule) == interval


def test_a_cron_gap_refuses_what_is_not_a_five_field_cron() -> None:
    with pytest.raises(ValueError, match="exactly 5"):
        longest_cron_gap("*/5 * * * * */10")


def test_the_threshold_defaults_to_twice_the_interval_and_can_be_set() -> None:
    assert make_company(schedule="*/15 * * * *").stale_after == timedelta(minutes=30)
    assert make_company(schedule="0 9,17 * * *").stale_after == timedelta(hours=32)
    set_by_hand = make_company(schedule="*/15 * * * *", stale_after_minutes=90)
    assert set_by_hand.stale_after == timedelta(minutes=90)
    assert set_by_hand.expected_interval == timedelta(minutes=15)
    with pytest.raises(ValidationError, match="stale_after_minutes"):
        make_company(stale_after_minutes=0)
    assert freshness_by_company([set_by_hand]) == {
        "skyway_charter": Freshness(timedelta(minutes=15), timedelta(minutes=90))
    }


def test_a_last_success_older_than_the_threshold_is_stale_whatever_the_outcome() -> None:
    fresh = staleness(record(Outcome.UPLOADED, 0), EVERY_15, NOW)
    assert fresh is not None and not fresh.stale
    at_threshold = staleness(record(Outcome.FAILED, 30), EVERY_15, NOW)
    assert at_threshold is not None and not at_threshold.stale
    old = staleness(record(Outcome.SKIPPED, 190), EVERY_15, NOW)
    assert old is not None and old.stale
    assert old.words() == "brokers see a schedule 3 h 10 min old; expected every 15 min"


def test_never_accepted_is_stale_and_not_marketed_or_unknown_companies_are_not_judged() -> None:
    never = staleness(record(Outcome.HELD, None), EVERY_15, NOW)
    assert never is not None and never.stale and "never accepted" in never.words()
    assert staleness(record(Outcome.NOT_MARKETED, 500), EVERY_15, NOW) is None
    assert staleness(record(Outcome.FAILED, 500), None, NOW) is None
    flags = stale_flags(
        [record(Outcome.FAILED, 500, "N1"), record(Outcome.UPLOADED, 1, "N2")],
        {"skyway_charter": EVERY_15},
        NOW,
    )
    assert {tail: v.stale for (_, tail), v in flags.items()} == {"N1": True, "N2": False}
    assert stale_flags([record(Outcome.FAILED, 500)], {}, NOW) == {}


def test_durations_read_as_a_dispatcher_says_them() -> None:
    assert duration_words(timedelta(minutes=45)) == "45 min"
    assert duration_words(timedelta(hours=3)) == "3 h"
    assert duration_words(timedelta(hours=3, minutes=5)) == "3 h 5 min"
    assert duration_words(timedelta(days=2, hours=4, minutes=10)) == "2 days 4 h"


def test_the_cli_json_says_whether_each_aircraft_is_stale() -> None:
    from aerosync.status.cli import record_json

    freshness = {"skyway_charter": EVERY_15}
    old = record_json(record(Outcome.FAILED, 190), freshness, NOW)
    assert old["stale"] is True and old["stale_reason"].startswith("brokers see a schedule 3 h")
    fresh = record_json(record(Outcome.UPLOADED, 1), freshness, NOW)
    assert fresh["stale"] is False and fresh["stale_reason"] is None
    assert record_json(record(Outcome.FAILED, 190), {}, NOW)["stale"] is None
