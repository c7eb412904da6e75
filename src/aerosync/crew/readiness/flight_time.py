"""Cumulative flight time against its limits (EASA ORO.FTL.210(b)): the sums over 28 days, the
calendar year and 12 calendar months to a day, and since when a person has been over a limit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from aerosync.config.readiness import FlightTimeRule
from aerosync.crew.readiness.days import twelve_months_start
from aerosync.crew.readiness.facts import FlightMinutes


@dataclass(frozen=True)
class Limits:
    """The limits in minutes; a sum holds while it is below its limit."""

    days_28: int
    calendar_year: int
    months_12: int

    @classmethod
    def of(cls, rule: FlightTimeRule) -> Limits:
        return cls(
            round(rule.hours_28_days * 60),
            round(rule.hours_calendar_year * 60),
            round(rule.hours_12_months * 60),
        )

    def hold(self, minutes: FlightMinutes) -> bool:
        return (
            minutes.days_28 < self.days_28
            and minutes.calendar_year < self.calendar_year
            and minutes.months_12 < self.months_12
        )


def period_starts(day: date) -> tuple[date, date, date]:
    """The first days of the 28-day, calendar-year and 12-calendar-month periods ending on `day`."""
    return day - timedelta(days=27), day.replace(month=1, day=1), twelve_months_start(day)


def over_limits_since(daily: Mapping[date, int], day: date, limits: Limits) -> date:
    """For a person over a limit on `day`: the first day of the stretch of days, ending on `day`,
    on each of which some sum reached its limit (`daily`: block minutes per day flown, up to
    `day`). Before the first day flown every sum is 0, so the stretch always has a start."""
    if not daily:
        return day + timedelta(days=1)  # not over any limit: no stretch
    first = min(daily)
    span = (day - first).days + 1
    prefix = [0] * (span + 1)
    for offset in range(span):
        prefix[offset + 1] = prefix[offset] + daily.get(first + timedelta(days=offset), 0)

    def total(start: date, end: date) -> int:
        lo = max((start - first).days, 0)
        hi = (end - first).days + 1
        return prefix[hi] - prefix[lo] if hi > lo else 0

    current = day
    while current >= first:
        starts = period_starts(current)
        sums = FlightMinutes(*(total(start, current) for start in starts))
        if limits.hold(sums):
            return current + timedelta(days=1)
        current -= timedelta(days=1)
    return first
