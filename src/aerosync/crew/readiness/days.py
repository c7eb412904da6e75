"""The days readiness is counted in: UTC calendar days, the day a window's export is for, and the
periods the rules sum over."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from aerosync.stores.database import iso

_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class AsOf:
    """The day readiness is computed for, and the moment the store is read as of: only what had
    happened by then counts (a leg whose on-block time is later is not flown yet)."""

    day: date
    moment: datetime

    @classmethod
    def window_end(cls, end: datetime) -> AsOf:
        """A window's export: its last day (the UTC day of its last instant), as of its end."""
        end = end.astimezone(UTC)
        return cls((end - timedelta(microseconds=1)).date(), end)

    @classmethod
    def end_of(cls, day: date) -> AsOf:
        """Day `day` with everything recorded on it (as of the end of that day)."""
        return cls(day, datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC))

    @property
    def moment_text(self) -> str:
        """The moment as the store writes times (sortable text)."""
        return iso(self.moment)


def add_months(day: date, months: int) -> date:
    """`day` plus calendar months; a day past the month's end clamps to its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def twelve_months_start(day: date) -> date:
    """The first day of the month 11 months before `day`'s month: 12 calendar months to `day`."""
    return add_months(day.replace(day=1), -11)


def day_number(day: date) -> int:
    """Days since 1970-01-01 (what the SQL's day arithmetic returns)."""
    return (day - _EPOCH).days


def from_day_number(number: int) -> date:
    return _EPOCH + timedelta(days=number)
