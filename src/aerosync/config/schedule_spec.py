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


# Far enough to meet every weekday and month-day pattern's longest gap without walking for ever.
_WALK_FIRES = 5000
_WALK_SPAN = timedelta(days=400)


def _every_day(expanded: list[list[object]]) -> bool:
    """Whether the day-of-month, month and day-of-week fields leave every day in."""
    return all(values == ["*"] for values in expanded[2:5])


@lru_cache(maxsize=4096)
def longest_cron_gap(expression: str) -> timedelta:
    """The longest time between two consecutive fire times of a cron expression.

    A schedule that fires every day is read from its minute and hour fields (cheap enough for a
    DAG folder of many companies); one limited to some days is walked for up to 400 days."""
    _check_cron_form(expression)
    expanded = croniter(expression).expanded
    if _every_day(expanded):
        minute_field, hour_field = expanded[:2]
        minutes = sorted(range(60) if minute_field == ["*"] else {int(m) for m in minute_field})
        hours = sorted(range(24) if hour_field == ["*"] else {int(h) for h in hour_field})
        day = [hour * 60 + minute for hour in hours for minute in minutes]
        gaps = [b - a for a, b in pairwise(day)] + [24 * 60 - day[-1] + day[0]]
        return timedelta(minutes=max(gaps))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    fires = croniter(expression, start)
    previous = fires.get_next(datetime)
    longest = timedelta(0)
    for _ in range(_WALK_FIRES):
        current = fires.get_next(datetime)
        longest = max(longest, current - previous)
        previous = current
        if current - start > _WALK_SPAN:
            break
    return longest


def longest_interval(text: str) -> timedelta:
    """The longest a schedule can leave between two runs: the duration itself, or the longest
    gap of the cron expression (a schedule valid for `check_schedule`). An aircraft's last
    success is judged stale against this, and a schedule slower than 6 hours is warned about."""
    duration = parse_duration(text)
    if duration is not None:
        return duration
    return longest_cron_gap(text.strip())
