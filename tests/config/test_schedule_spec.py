"""Schedules faster than every 5 minutes are refused, including the irregular cron gaps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aerosync.config.schedule_spec import ScheduleError, check_schedule, shortest_cron_gap

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("expression", "gap_minutes"),
    [
        ("*/15 * * * *", 15),
        ("*/5 * * * *", 5),
        ("*/7 * * * *", 4),  # :56 then :00 of the next hour
        ("0,3 9 * * *", 3),
        ("0-4 * * * *", 1),
        ("58 * * * *", 60),
        ("55 8,9 * * 1-5", 60),
    ],
)
def test_shortest_gap(expression: str, gap_minutes: int) -> None:
    assert shortest_cron_gap(expression) == timedelta(minutes=gap_minutes)


@pytest.mark.parametrize("text", ["*/7 * * * *", "0,3 9 * * *", "4m", "90s"])
def test_too_fast_is_refused_with_the_reason(text: str) -> None:
    with pytest.raises(ScheduleError, match="5 minutes"):
        check_schedule(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("*/5 * * * * */10", "has 6 fields; a cron schedule has exactly 5"),
        ("0 6 * * * *", "a sixth field would count seconds"),
        ("*/5 * * * * * *", "has 7 fields"),
        ("0 6 * *", "exactly 5 fields"),
        ("0 6 * * * 2030", "exactly 5 fields"),
    ],
)
def test_only_five_field_crons_are_accepted(text: str, words: str) -> None:
    with pytest.raises(ScheduleError, match=words):
        check_schedule(text)


@pytest.mark.parametrize("text", ["*/5 * * * *", "0 6 * * *", "10m", "1h", "@hourly", "@daily"])
def test_accepted(text: str) -> None:
    assert check_schedule(text)


def test_garbage_is_named() -> None:
    with pytest.raises(ScheduleError, match="neither a cron expression nor a duration"):
        check_schedule("every quarter hour")
