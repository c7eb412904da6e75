"""Upload schedules from the companies file: a cron expression or a duration such as "10m".

The marketplace must never be called for an aircraft more often than every 5 minutes, so any
schedule that can fire faster than that is refused here, before a DAG exists.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import pairwise

from croniter import croniter

MINIMUM_INTERVAL = timedelta(minutes=5)
CRON_FIELDS = 5

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ScheduleError(ValueError):
    """A schedule that is unreadable or fires more often than every 5 minutes."""


def parse_duration(text: str) -> timedelta | None:
    """Return the interval for "10m", "1h", "90s", "1d"; None when `text` is not a duration."""
    match = _DURATION.match(text)
    if match is None:
        return None
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


_FIVE_FIELDS = "minute hour day-of-month month day-of-week, for example '*/15 * * * *'"


def _check_cron_form(expression: str) -> None:
    """Refuse what is not a cron expression of exactly five fields (minute, hour, day of month,
    month, day of week). croniter also reads a sixth field as seconds (so "*/5 * * * * */10"
    would fire every 10 seconds) and a seventh as the year; neither belongs in the companies
    file. A preset such as "@hourly" stands for five fields and is accepted."""
    fields = len(expression.split())
    five = expression.startswith("@") or fields == CRON_FIELDS
    if not croniter.is_valid(expression):
        raise ScheduleError(
            f"{expression!r} is neither a cron expression nor a duration like '10m'"
            + ("" if five else f" (a cron expression has exactly 5 fields: {_FIVE_FIELDS})")
        )
    if not five:
        seconds = " (a sixth field would count seconds)" if fields == CRON_FIELDS + 1 else ""
        raise ScheduleError(
            f"{expression!r} has {fields} fields; a cron schedule has exactly 5: "
            f"{_FIVE_FIELDS}{seconds}"
        )


@lru_cache(maxsize=4096)
def shortest_cron_gap(expression: str) -> timedelta:
    """The shortest time between two consecutive fire times of a cron expression, or a lower
    bound of it when that is an hour or more.

    Read from the expression's expanded minute and hour fields, not by walking fire times: the
    DAG folder validates every company's schedule at each parse, and walking two weeks of a
    15-minute cron costs 0.1 s a company. Two fire times are closest within one hour (the gaps
    between listed minutes) or across the turn of an hour into the next allowed hour (the last
    minute to the first); day fields only ever make gaps longer.
    """
    _check_cron_form(expression)
    minute_field, hour_field = croniter(expression).expanded[:2]
    minutes = sorted(range(60) if minute_field == ["*"] else {int(m) for m in minute_field})
    hours = set(range(24) if hour_field == ["*"] else {int(h) for h in hour_field})
    gaps = [b - a for a, b in pairwise(minutes)]
    if any((hour + 1) % 24 in hours for hour in hours):
        gaps.append(60 - minutes[-1] + minutes[0])
    return timedelta(minutes=min(gaps)) if gaps else timedelta(hours=1)


def check_schedule(text: str) -> str | timedelta:
    """Validate a schedule; return the cron string or the duration as a timedelta."""
    duration = parse_duration(text)
    if duration is not None:
        if duration < MINIMUM_INTERVAL:
            raise ScheduleError(
                f"{text!r} runs every {duration}; the marketplace allows at most one upload "
                "per aircraft every 5 minutes"
            )
        return duration
    gap = shortest_cron_gap(text.strip())
    if gap < MINIMUM_INTERVAL:
        raise ScheduleError(
            f"{text!r} can run {int(gap.total_seconds() // 60)} minute(s) apart; the marketplace "
            "allows at most one upload per aircraft every 5 minutes"
        )
    return text.strip()


# A fixed Monday, midnight UTC: the longest gap of a cron is read from the fire times that follow
# it, so the answer never depends on the day it is asked.
_GAP_REFERENCE = datetime(2024, 1, 1, tzinfo=UTC)
_GAP_SPAN = timedelta(days=8)  # a whole week, and the turn into the next one
_GAP_MAX_FIRES = 20_000  # a 5-minute cron fires 2,304 times in 8 days


@lru_cache(maxsize=1024)
def longest_cron_gap(expression: str) -> timedelta:
    """The longest time between two consecutive fire times of a cron expression: how old the
    marketplace's schedule can get between two on-time runs (weekday crons wait the weekend).

    Walked over a week of fire times from a fixed Monday, or further for a cron that fires less
    often (a monthly one), until two fire times are found. The status page and `aerosync
    status` read it, never a DAG file at parse time."""
    _check_cron_form(expression)
    walker = croniter(expression, _GAP_REFERENCE)
    fires = [walker.get_next(datetime)]
    while len(fires) < _GAP_MAX_FIRES and (
        len(fires) < 2 or fires[-1] - _GAP_REFERENCE < _GAP_SPAN
    ):
        fires.append(walker.get_next(datetime))
    return max(b - a for a, b in pairwise(fires))


def expected_interval(schedule: str) -> timedelta:
    """The longest an on-time schedule leaves between two runs: the duration itself ("15m"), or
    a cron expression's longest gap between fire times."""
    duration = parse_duration(schedule)
    return duration if duration is not None else longest_cron_gap(schedule.strip())
